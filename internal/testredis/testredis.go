// Package testredis runs a real redis-server (Debian's package) for tests:
// on a free loopback port, in the test's temporary directory, without
// persistence, stoppable and restartable on the same port to simulate an
// outage. A test that calls Start is skipped, with one line saying why,
// when redis-server is not installed.
package testredis

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"testing"
	"time"
)

// Server is one redis-server process.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string
	cmd  *exec.Cmd
}

// Start starts redis-server with extra arguments (e.g. --requirepass X),
// stopped when the test ends, or skips the test when it is not installed.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (Debian: apt-get install redis-server); .ci/run installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	s := &Server{t: t, bin: bin, dir: t.TempDir(), port: port, args: args}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's redis:// URL for database 0, with query parameters
// params when not empty.
func (s *Server) URL(params string) string { return s.URLAs("", params) }

// URLAs is URL with password in the URL's user part.
func (s *Server) URLAs(password, params string) string {
	u := fmt.Sprintf("redis://127.0.0.1:%d/0", s.port)
	if password != "" {
		u = fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", password, s.port)
	}
	if params != "" {
		u += "?" + params
	}
	return u
}

// Restart starts the server (again, empty) on its port and waits until it
// accepts connections.
func (s *Server) Restart() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	s.cmd.Args = append(s.cmd.Args, s.args...)
	var out bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port)); err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("redis-server did not start: %s", out.String())
}

// Pid is the running server's process ID (0 when stopped).
func (s *Server) Pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop kills the server (an outage, as a crash would cause one).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}
