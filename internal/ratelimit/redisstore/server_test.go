package redisstore

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisServer is a real redis-server on a loopback port, with its own
// empty directory and no persistence, that a test can stop and restart.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string
	cmd  *exec.Cmd
}

// startRedis starts redis-server, or skips the test when it is not installed.
func startRedis(t testing.TB, args ...string) *redisServer {
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
	r := &redisServer{t: t, bin: bin, dir: t.TempDir(), port: port, args: args}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url(params string) string {
	return r.urlAs("", params)
}

// urlAs is the server's URL with a password in its user part.
func (r *redisServer) urlAs(password, params string) string {
	u := fmt.Sprintf("redis://127.0.0.1:%d/0", r.port)
	if password != "" {
		u = fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", password, r.port)
	}
	if params != "" {
		u += "?" + params
	}
	return u
}

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	r.cmd.Args = append(r.cmd.Args, r.args...)
	var out bytes.Buffer
	r.cmd.Stdout, r.cmd.Stderr = &out, &out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port)); err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("redis-server did not start: %s", out.String())
}

func (r *redisServer) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// logBuffer collects a store's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// openTest opens a store with a fast heartbeat and short leases.
func openTest(t testing.TB, url string, logs *logBuffer) *Store {
	t.Helper()
	if logs == nil {
		logs = &logBuffer{}
	}
	s, err := open(context.Background(), url, slog.New(slog.NewJSONHandler(logs, nil)), 100*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
