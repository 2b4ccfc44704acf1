package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

var (
	buildOnce sync.Once
	plugsrv   string
	buildErr  error
)

// plugServer builds testdata/plugsrv once per test binary.
func plugServer(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plugsrv")
		if err != nil {
			buildErr = err
			return
		}
		plugsrv = filepath.Join(dir, "plugsrv")
		out, err := exec.Command("go", "build", "-o", plugsrv, "./testdata/plugsrv").CombinedOutput()
		if err != nil {
			buildErr = &buildError{string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build plugsrv: %v", buildErr)
	}
	return plugsrv
}

type buildError struct{ out string }

func (e *buildError) Error() string { return e.out }

func init() {
	connectTimeout = 2 * time.Second
	pingTimeout = time.Second
	backoffMin = 200 * time.Millisecond
	backoffMax = 2 * time.Second
	refreshEvery = 100 * time.Millisecond
}

// rig is a registry, an invoker with tenants alpha and beta, an audit log
// and a manager for the given servers.
type rig struct {
	t     *testing.T
	reg   *tools.Registry
	inv   *tools.Invoker
	mgr   *Manager
	audit *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines counts audit lines whose tool is name and outcome is outcome ("" = any).
func (s *syncBuffer) lines(name, outcome string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range strings.Split(s.b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil || m["msg"] != "call" {
			continue
		}
		if m["tool"] == name && (outcome == "" || m["outcome"] == outcome) {
			n++
		}
	}
	return n
}

func newRig(t *testing.T, budget ratelimit.Config, sel tools.Selection, servers ...config.MCPServer) *rig {
	t.Helper()
	a := tenant.New("alpha", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(budget), nil)
	b := tenant.New("beta", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(budget), nil)
	treg, err := tenant.NewRegistry(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range servers {
		sel.Late = append(sel.Late, s.Name)
	}
	reg, err := tools.NewRegistry(nil, sel)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, reg: reg, audit: &syncBuffer{}}
	r.inv = &tools.Invoker{Tools: reg, Tenants: treg, Audit: slog.New(slog.NewJSONHandler(r.audit, nil))}
	r.mgr, err = New(Options{Servers: servers, Getenv: os.Getenv, Version: "test", Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r.mgr.Start(context.Background(), func(ts string, specs []tools.Spec) {
		if _, err := reg.SetLate(ts, specs); err != nil {
			t.Errorf("SetLate: %v", err)
		}
	})
	t.Cleanup(r.mgr.Close)
	return r
}

func stdioServer(t *testing.T, name string, args ...string) config.MCPServer {
	return config.MCPServer{Name: name, Command: plugServer(t), Args: args, Tenants: []string{"alpha"}, CallTimeout: time.Second}
}

// waitTool waits until the registry exposes name.
func (r *rig) waitTool(name string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, ok := r.reg.Lookup(name); ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("tool %s never appeared; status %+v", name, r.mgr.Status())
}

var alpha = tools.Caller{Principal: "analyst-a", Tenants: []string{"alpha"}}

// call invokes a tool as caller and returns its text or error message.
func (r *rig) call(caller tools.Caller, name, args string) (string, error) {
	out, err := r.inv.Invoke(context.Background(), caller, name, json.RawMessage(args), nil)
	if err != nil {
		return "", err
	}
	return out.Text, nil
}

// eventually retries f until it returns true or 10 s pass.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if f() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("never: %s", what)
}

// testWriter sends the manager's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
