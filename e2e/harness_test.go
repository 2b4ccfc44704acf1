//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// The invariant harness: every tool in tools/list, driven over a real MCP
// client (mcp-go's) against the built binary, over stdio and streamable
// HTTP, on both demo tenants, with arguments generated from each input
// schema and the tenant's own IDs, users, devices and IPs (discovered with
// the listing tools). For every result it checks that
//   - every secmcp:// URI in it opens with resources/read in the same
//     session and in a new one (a new process over stdio), and contains the
//     id the result cites it for;
//   - a cursor chain ends, never returns an empty page that claims more,
//     never repeats or skips an item (against a recount at the largest page);
//   - text and structured content stay within tools.TextBudgetBytes and
//     tools.StructuredBudgetBytes;
//   - text and structured content agree (a listing's ids and counts);
//   - an unknown or another tenant's reference is refused in the same words
//     by tools and by resources/read (never an internal error).
// A tool it cannot drive to a successful result fails it.

// session is one MCP client connection.
type session struct {
	c     *client.Client
	label string
}

func (s *session) close() { _ = s.c.Close() }

// openStdio starts the binary over stdio (a new process per session).
func openStdio(t *testing.T, bin string, env []string, args ...string) *session {
	t.Helper()
	c, err := client.NewStdioMCPClient(bin, env, args...)
	if err != nil {
		t.Fatalf("stdio client: %v", err)
	}
	return initialize(t, c, "stdio")
}

// openHTTP opens a streamable HTTP session with a demo key.
func openHTTP(t *testing.T, url, key string) *session {
	t.Helper()
	c, err := client.NewStreamableHttpClient(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	if err != nil {
		t.Fatalf("http client: %v", err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("http start: %v", err)
	}
	return initialize(t, c, "http")
}

func initialize(t *testing.T, c *client.Client, label string) *session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "secmcp-harness", Version: "1.0.0"}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatalf("%s initialize: %v", label, err)
	}
	return &session{c: c, label: label}
}

// call runs a tool, waiting out the tenant's capacity budget when it is spent.
func (s *session) call(name string, args map[string]any) (*mcp.CallToolResult, error) {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = name, args
		res, err := s.c.CallTool(ctx, req)
		cancel()
		if err == nil && res.IsError && strings.Contains(textOf(res), "capacity budget") && attempt < 30 {
			time.Sleep(2 * time.Second)
			continue
		}
		dumpCall(s.label, name, args, res, err)
		return res, err
	}
}

// read reads a resource and returns its text, waiting out the tenant's
// capacity budget when it is spent (reads pay like tools).
func (s *session) read(uri string) (string, error) {
	var res *mcp.ReadResourceResult
	var err error
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		res, err = s.c.ReadResource(ctx, req)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "capacity budget") || attempt >= 30 {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Contents {
		if tc, ok := c.(mcp.TextResourceContents); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), nil
}

func textOf(r *mcp.CallToolResult) string {
	if r == nil {
		return "<no result>"
	}
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// figures are the harness's counts, printed at the end.
type figures struct {
	mu                                                     sync.Mutex
	results, urisTotal, urisOpened, urisOpenedFresh        int
	chains, pages, emptyClaims, repeats, skips, overBudget int
	disagreements, refusals, refusalMismatch, clearAsks    int
	driven                                                 map[string]bool
	failures                                               []string
}

func (f *figures) fail(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failures) < 400 {
		f.failures = append(f.failures, fmt.Sprintf(format, args...))
	}
}

func (f *figures) add(fn func(f *figures)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func TestInvariantsEveryTool(t *testing.T) {
	bin := binary(t, "")
	state := t.TempDir()
	env := append(os.Environ(), "SECMCP_STATE_DIR="+state)
	serverArgs := []string{"--demo-clock", demoClock, "--log-level", "error", "--synthesizer", "builtin"}
	t.Setenv("SECMCP_STATE_DIR", state) // the HTTP server started below inherits it
	url := startHTTP(t, bin, "--synthesizer", "builtin")
	fig := &figures{driven: map[string]bool{}}
	var toolNames []string
	var wg sync.WaitGroup
	for _, tr := range []string{"stdio", "http"} {
		for _, tenant := range []string{"contoso", "fabrikam"} {
			other := map[string]string{"contoso": "fabrikam", "fabrikam": "contoso"}[tenant]
			open := func() *session {
				if tr == "stdio" {
					return openStdio(t, bin, env, serverArgs...)
				}
				return openHTTP(t, url, "demo-"+tenant)
			}
			s := open()
			names := runHarness(t, fig, &harness{s: s, open: open, tenant: tenant, other: other, transport: tr, stdio: tr == "stdio"}, &wg)
			if toolNames == nil {
				toolNames = names
			}
		}
	}
	wg.Wait()
	for _, n := range toolNames {
		if !fig.driven[n] {
			fig.fail("tool %s: the harness could not drive it to one successful result", n)
		}
	}
	opened := 100.0
	if fig.urisTotal > 0 {
		opened = 100 * float64(min(fig.urisOpened, fig.urisOpenedFresh)) / float64(fig.urisTotal)
	}
	t.Logf("harness: %d tools, %d results checked; %d distinct URIs cited, opened %d in the same session and %d in a new one (%.1f%%); "+
		"%d cursor chains followed (%d pages): %d empty pages claiming more, %d repeats, %d skips; %d results over budget; "+
		"%d text/structured disagreements; %d refusals compared, %d mismatched; %d argument-less calls answered with what to pass",
		len(toolNames), fig.results, fig.urisTotal, fig.urisOpened, fig.urisOpenedFresh, opened,
		fig.chains, fig.pages, fig.emptyClaims, fig.repeats, fig.skips, fig.overBudget, fig.disagreements, fig.refusals, fig.refusalMismatch, fig.clearAsks)
	sort.Strings(fig.failures)
	for _, f := range fig.failures {
		t.Error(f)
	}
}

// harness drives one (transport, tenant) pair.
type harness struct {
	s         *session
	open      func() *session
	fresh     *session
	tenant    string
	other     string
	transport string
	stdio     bool
	facts     facts
	seenURIs  map[string]bool
}

func (h *harness) where() string { return h.transport + "/" + h.tenant }

// withTenant adds the tenant argument (stdio sessions serve both tenants).
func (h *harness) withTenant(args map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		out[k] = v
	}
	if _, ok := out["tenant"]; !ok {
		out["tenant"] = h.tenant
	}
	return out
}

func runHarness(t *testing.T, fig *figures, h *harness, wg *sync.WaitGroup) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := h.s.c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("%s: tools/list: %v", h.where(), err)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	h.facts = discover(t, h)
	h.fresh = h.open()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer h.s.close()
		defer h.fresh.close()
		h.seenURIs = map[string]bool{}
		for _, tl := range list.Tools {
			var schema map[string]any
			raw, _ := json.Marshal(tl.InputSchema)
			_ = json.Unmarshal(raw, &schema)
			for _, args := range h.variants(tl.Name, schema) {
				h.drive(fig, tl.Name, args)
			}
		}
		h.checkRefusals(fig, list.Tools)
	}()
	return names
}

// drive calls one tool with one argument set and checks every invariant.
func (h *harness) drive(fig *figures, tool string, args map[string]any) {
	base := len(args) == 0
	args = h.withTenant(args)
	res, err := h.s.call(tool, args)
	fig.add(func(f *figures) { f.results++ })
	if err != nil {
		fig.fail("%s %s %v: protocol error: %v", h.where(), tool, args, err)
		return
	}
	if res.IsError {
		if base && strings.Contains(textOf(res), "pass ") {
			// No arguments: a tool that needs one of several says which.
			fig.add(func(f *figures) { f.clearAsks++ })
			return
		}
		fig.fail("%s %s %v: the harness could not drive it: %.300s", h.where(), tool, args, textOf(res))
		return
	}
	fig.add(func(f *figures) { f.driven[tool] = true })
	h.checkBudget(fig, tool, args, res)
	h.checkURIs(fig, tool, res)
	h.checkAgreement(fig, tool, args, res)
	h.followCursor(fig, tool, args, res)
}

// dumpCall appends one line per tool call — transport, tool, arguments and
// the result as received — to the file SECMCP_HARNESS_DUMP names, so two
// builds' results can be compared byte for byte (sort both files, diff):
//
//	SECMCP_E2E_BINARY=old/mcp-server SECMCP_HARNESS_DUMP=old.jsonl go test -tags e2e -run TestInvariantsEveryTool ./e2e/
func dumpCall(transport, tool string, args map[string]any, res *mcp.CallToolResult, err error) {
	path := os.Getenv("SECMCP_HARNESS_DUMP")
	if path == "" {
		return
	}
	line := map[string]any{"transport": transport, "tool": tool, "args": args, "result": res}
	if err != nil {
		line["error"] = err.Error()
	}
	b, _ := json.Marshal(line)
	dumpMu.Lock()
	defer dumpMu.Unlock()
	f, ferr := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if ferr != nil {
		return
	}
	_, _ = f.Write(append(b, '\n'))
	_ = f.Close()
}

var dumpMu sync.Mutex
