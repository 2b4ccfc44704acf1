//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The memory ceiling the hostile suite and the soak run the server under:
// the Go runtime's soft limit, an OS limit on address space (ulimit -v, so
// an allocation past it fails in the process instead of taking the machine
// down, and works as root without cgroups) and the peak resident set the
// tests assert (VmHWM from /proc/PID/status).
const (
	goMemLimit   = "512MiB"
	addressLimit = 4 << 30   // ulimit -v, bytes of address space
	rssCeiling   = 768 << 20 // asserted peak RSS
)

// limitedServer is the binary running over HTTP under the memory ceiling.
type limitedServer struct {
	url    string
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
}

// syncBuffer is a bytes.Buffer safe for the process's writes and our reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLimited starts the binary with --http under GOMEMLIMIT and ulimit -v
// (through sh, which execs the binary, so the PID is the server's).
func startLimited(t *testing.T, env []string, args ...string) *limitedServer {
	t.Helper()
	bin := binary(t, "")
	addr := freeAddr(t)
	args = append([]string{"--http", addr}, args...)
	script := fmt.Sprintf(`ulimit -v %d && exec "$0" "$@"`, addressLimit>>10)
	cmd := exec.Command("sh", append([]string{"-c", script, bin}, args...)...)
	cmd.Env = append(append(os.Environ(), "GOMEMLIMIT="+goMemLimit, "XDG_STATE_HOME="+t.TempDir()), env...)
	s := &limitedServer{url: "http://" + addr + "/mcp", cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("server did not shut down within 10s after SIGINT")
		}
		if t.Failed() {
			t.Logf("server stderr (last 4 KB):\n%s", tail(s.stderr.String(), 4096))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			_ = resp.Body.Close()
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("server exited at start: %s", s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start: %s", s.stderr.String())
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// alive reports whether the server process is still running.
func (s *limitedServer) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// memory reads the server's current and peak resident set (VmRSS, VmHWM).
func (s *limitedServer) memory(t *testing.T) (rss, peak int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read the server's memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak
}

// mcpConn is one MCP session over streamable HTTP, spoken as raw JSON-RPC
// so the tests control every byte and read every status.
type mcpConn struct {
	url, key, sid string
	next          atomic.Int64
}

// rpcReply is one JSON-RPC answer with the HTTP status it came with.
type rpcReply struct {
	status int
	result json.RawMessage
	err    *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	body string
}

// post sends one JSON-RPC message and returns the answer with its id.
func (c *mcpConn) post(ctx context.Context, body []byte, id int64) (rpcReply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return rpcReply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if c.sid != "" {
		req.Header.Set("Mcp-Session-Id", c.sid)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rpcReply{}, err
	}
	defer resp.Body.Close()
	if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" && c.sid == "" {
		c.sid = sid
	}
	r := rpcReply{status: resp.StatusCode}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return r, err
	}
	r.body = string(raw)
	msgs := []string{string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		msgs = nil
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				msgs = append(msgs, strings.TrimSpace(d))
			}
		}
	}
	for _, m := range msgs {
		var msg struct {
			ID     *int64          `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(m), &msg) == nil && msg.ID != nil && *msg.ID == id {
			r.result, r.err = msg.Result, msg.Error
		}
	}
	return r, nil
}

// rpc sends method with params and waits for its answer.
func (c *mcpConn) rpc(ctx context.Context, method string, params any) (rpcReply, error) {
	id := c.next.Add(1)
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return c.post(ctx, body, id)
}

// dial opens a session for key ("" for none).
func dial(ctx context.Context, url, key string) (*mcpConn, error) {
	c := &mcpConn{url: url, key: key}
	r, err := c.rpc(ctx, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "e2e-hostile", "version": "1"}})
	if err != nil || r.status != http.StatusOK || c.sid == "" {
		return nil, fmt.Errorf("initialize: %v, HTTP %d %.300s", err, r.status, r.body)
	}
	note, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	if _, err := c.post(ctx, note, -1); err != nil {
		return nil, err
	}
	return c, nil
}

// call runs a tool and returns its result (isError results included).
func (c *mcpConn) call(ctx context.Context, tool string, args map[string]any) (toolResult, rpcReply, error) {
	r, err := c.rpc(ctx, "tools/call", map[string]any{"name": tool, "arguments": args})
	var tr toolResult
	if err == nil && r.result != nil {
		err = json.Unmarshal(r.result, &tr)
	}
	return tr, r, err
}

// prober calls a cheap tool as another tenant until stopped and records
// how each call ended: the other tenant must keep answering while a case runs.
type prober struct {
	calls, failures atomic.Int64
	maxLatency      atomic.Int64 // nanoseconds
	mu              sync.Mutex
	firstFailure    string
	stop            chan struct{}
	done            chan struct{}
}

func startProber(t *testing.T, url, key string, args map[string]any) *prober {
	t.Helper()
	ctx := context.Background()
	c, err := dial(ctx, url, key)
	if err != nil {
		t.Fatalf("prober: %v", err)
	}
	p := &prober{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for first := true; ; first = false {
			if !first {
				select {
				case <-p.stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			start := time.Now()
			tr, r, err := c.call(cctx, "defender_list_incidents", args)
			cancel()
			d := time.Since(start)
			p.calls.Add(1)
			if int64(d) > p.maxLatency.Load() {
				p.maxLatency.Store(int64(d))
			}
			if err != nil || r.status != http.StatusOK || tr.IsError || r.result == nil {
				p.failures.Add(1)
				p.mu.Lock()
				if p.firstFailure == "" {
					p.firstFailure = fmt.Sprintf("%v HTTP %d %.300s", err, r.status, r.body)
				}
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// finish stops the prober after at least one of its calls has ended (a
// case faster than a call still overlaps one) and returns its tally.
func (p *prober) finish() (calls, failures int64, maxLatency time.Duration, first string) {
	for deadline := time.Now().Add(30 * time.Second); p.calls.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(p.stop)
	<-p.done
	return p.calls.Load(), p.failures.Load(), time.Duration(p.maxLatency.Load()), p.firstFailure
}
