package scripts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/docstore"
	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/internal/source"
)

func TestAnalysisResource(t *testing.T) {
	e := newEnv(t)
	script := "powershell -enc " + encodedCommand("Write-Output 'https://docs.contoso.example/readme'\n"+strings.Repeat("# padding line\n", 3000))
	r, _ := e.mustCall(t, "alpha", map[string]any{"script": script})
	text, err := e.read(t, "alpha", r.URI)
	if err != nil {
		t.Fatalf("read %s: %v", r.URI, err)
	}
	var full AnalyzeResult
	if err := json.Unmarshal([]byte(text), &full); err != nil {
		t.Fatal(err)
	}
	if full.SHA256 != r.SHA256 || len(full.Layers) != len(r.Layers) || full.Tenant != "alpha" {
		t.Fatalf("resource = %s/%d layers, tool = %s/%d", full.SHA256, len(full.Layers), r.SHA256, len(r.Layers))
	}
	inner := full.Layers[full.FinalLayer]
	if inner.Truncated || !strings.HasSuffix(strings.TrimSpace(inner.Text), "# padding line") {
		t.Errorf("resource layer is cut (%d bytes)", len(inner.Text))
	}
	if !r.Layers[r.FinalLayer].Truncated || len(r.Layers[r.FinalLayer].Text) > maxLayerText || !strings.Contains(r.Omitted, r.URI) {
		t.Errorf("tool layer not trimmed: %d bytes, omitted %q", len(r.Layers[r.FinalLayer].Text), r.Omitted)
	}
	// A beta caller cannot read alpha's URIs (refused like a tenant that does
	// not exist), and alpha's hash under beta is not found.
	for uri, want := range map[string]string{
		"secmcp://alpha/scripts/" + r.SHA256:               "not available to this caller",
		"secmcp://nosuch/scripts/" + r.SHA256:              "not available to this caller",
		"secmcp://beta/scripts/" + r.SHA256:                "was not found in tenant",
		"secmcp://beta/scripts/" + strings.Repeat("0", 64): "was not found in tenant",
	} {
		if _, err := e.read(t, "beta", uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s = %v, want %q", uri, err, want)
		}
	}
	// The entity-reader form answers per tenant.
	read := ReadAnalysis(e.store)
	alpha, _ := e.rs.Tenants.Lookup("alpha")
	beta, _ := e.rs.Tenants.Lookup("beta")
	if _, err := read(context.Background(), alpha, r.SHA256); err != nil {
		t.Errorf("ReadAnalysis alpha: %v", err)
	}
	if _, err := read(context.Background(), beta, r.SHA256); !errors.Is(err, source.ErrNotFound) {
		t.Errorf("ReadAnalysis beta = %v, want ErrNotFound", err)
	}
}

func (e *env) read(t *testing.T, tenantAlias, uri string) (string, error) {
	t.Helper()
	_, text, err := e.rs.Read(context.Background(), []string{tenantAlias}, uri)
	return text, err
}

func TestStoreBounds(t *testing.T) {
	s := NewStore(3, 1000)
	for i := range 5 {
		s.Put("t", fmt.Sprint(i), []byte("0123456789"))
	}
	if n, b := s.Len(); n != 3 || b != 30 {
		t.Fatalf("len = %d/%d, want 3/30", n, b)
	}
	if _, ok := s.Get("t", "1"); ok {
		t.Error("oldest entry not evicted")
	}
	s.Get("t", "2") // 2 becomes most recent; 3 is now the oldest
	s.Put("t", "5", make([]byte, 240))
	if _, ok := s.Get("t", "3"); ok {
		t.Error("least recently used entry not evicted")
	}
	if _, ok := s.Get("t", "2"); !ok {
		t.Error("recently used entry evicted")
	}
	if s.Put("t", "huge", make([]byte, 251)) {
		t.Error("document over a quarter of the budget kept")
	}
	for i := range 10 {
		s.Put("t", fmt.Sprint("b", i), make([]byte, 200))
	}
	if _, b := s.Len(); b > 1000 {
		t.Errorf("bytes = %d over the budget", b)
	}
	if _, ok := s.Get("other", "b9"); ok {
		t.Error("entry served for another tenant")
	}
}

func TestDefangText(t *testing.T) {
	inds := []psdeob.Indicator{{Type: "domain", Value: "evil.example", Defanged: "evil[.]example"}}
	got := defangText(`get HTTPS://evil.example/x and ftp://1.2.3.4/y, mail a@b.example, bare evil.example`, inds)
	if liveLink.MatchString(got) || strings.Contains(got, "evil.example") || strings.Contains(got, "a@b.example") {
		t.Errorf("defangText = %q", got)
	}
	if c := codeSpan("a`b"); c != "``a`b``" {
		t.Errorf("codeSpan = %q", c)
	}
}

func TestMaxConcurrentAnalyses(t *testing.T) {
	ts := newToolset(Deps{Store: NewStore(1, 1<<20), MaxConcurrent: 1})
	ts.slots <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ts.run(ctx, "Get-Date"); !errors.Is(err, context.Canceled) {
		t.Errorf("run with no free slot = %v, want context.Canceled", err)
	}
}

// TestStoreOnDiskOutlivesTheProcess: a store on the same folder (a new
// process) serves an analysis another store made, only to the same tenant.
func TestStoreOnDiskOutlivesTheProcess(t *testing.T) {
	d, err := docstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("ab", 32)
	if !NewStore(4, 1<<20).WithDisk(d).Put("alpha", sha, []byte(`{"sha256":"`+sha+`"}`)) {
		t.Fatal("not kept")
	}
	again := NewStore(4, 1<<20).WithDisk(d)
	if doc, ok := again.Get("alpha", sha); !ok || !strings.Contains(string(doc), sha) {
		t.Fatalf("new store: %q %v", doc, ok)
	}
	if _, ok := again.Get("beta", sha); ok {
		t.Fatal("beta read alpha's analysis")
	}
}
