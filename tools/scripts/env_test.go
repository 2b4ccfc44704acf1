package scripts

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"unicode/utf16"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// encodedCommand is PowerShell's -EncodedCommand form of s.
func encodedCommand(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func gzipBase64(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// fakeGraph serves GetAlert from a map; every other method is unused.
type fakeGraph struct {
	source.Graph
	alerts map[string]source.Alert
	gets   []string
}

func (g *fakeGraph) GetAlert(_ context.Context, id string) (source.Alert, error) {
	g.gets = append(g.gets, id)
	a, ok := g.alerts[id]
	if !ok {
		return source.Alert{}, source.ErrNotFound
	}
	return a, nil
}

type env struct {
	inv   *tools.Invoker
	rs    *resources.Server
	store *Store
	alpha *fakeGraph
	beta  *fakeGraph
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvDeps(t, Deps{})
}

// newEnvDeps is newEnv with d's settings (its Store is replaced).
func newEnvDeps(t *testing.T, d Deps) *env {
	t.Helper()
	e := &env{store: NewStore(8, 4<<20), alpha: &fakeGraph{alerts: map[string]source.Alert{}}, beta: &fakeGraph{alerts: map[string]source.Alert{}}}
	open := func(g *fakeGraph) tenant.Opener {
		return func(context.Context) (*tenant.Sources, error) { return &tenant.Sources{Graph: g}, nil }
	}
	budget := ratelimit.Config{UnitsPerMinute: 60000, Burst: 1000}
	a := tenant.New("alpha", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(budget), open(e.alpha))
	b := tenant.New("beta", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(budget), open(e.beta))
	treg, err := tenant.NewRegistry(a, b)
	if err != nil {
		t.Fatal(err)
	}
	d.Store = e.store
	reg, err := tools.NewRegistry(Tools(d), tools.Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	e.inv = &tools.Invoker{Tools: reg, Tenants: treg}
	e.rs = resources.NewServer(treg)
	RegisterResources(e.rs, d)
	return e
}

// call runs scripts_analyze as a caller allowed only tenantAlias.
func (e *env) call(t *testing.T, tenantAlias string, args map[string]any) (AnalyzeResult, string, error) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.inv.Invoke(context.Background(), tools.Caller{Principal: "test", Tenants: []string{tenantAlias}}, "scripts_analyze", raw, nil)
	if err != nil {
		return AnalyzeResult{}, "", err
	}
	var r AnalyzeResult
	if err := json.Unmarshal(out.Structured, &r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return r, out.Text, nil
}

func (e *env) mustCall(t *testing.T, tenantAlias string, args map[string]any) (AnalyzeResult, string) {
	t.Helper()
	r, text, err := e.call(t, tenantAlias, args)
	if err != nil {
		t.Fatalf("scripts_analyze %v: %v", args, err)
	}
	return r, text
}
