package upstream

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// TestPluginHostileProtocol: a plugin server that writes garbage lines,
// answers ids nobody asked, answers twice, floods notifications, lists
// duplicate and malformed tools, and sends its own requests (sampling,
// elicitation, roots, a tools/call) in the middle of a call. secmcp keeps
// the well-formed tool (once), refuses every server-initiated request
// without passing on anything of the caller's, takes the first answer to
// its own id only, and the connection keeps working.
func TestPluginHostileProtocol(t *testing.T) {
	srv := stdioServer(t, "raw", "-mode", "raw")
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, srv)
	r.waitTool("raw__ask")
	var names []string
	for _, s := range r.reg.Specs() {
		if strings.HasPrefix(s.Name, "raw__") {
			names = append(names, s.Name)
			if s.Name == "raw__ask" && strings.Contains(string(s.InputSchema), "the second ask") {
				t.Errorf("the second tool listed as ask replaced the first: %s", s.InputSchema)
			}
		}
	}
	if !slices.Equal(names, []string{"raw__ask"}) {
		t.Errorf("plugin tools %v, want only raw__ask (the others have bad names or schemas, or repeat a name)", names)
	}
	for i := 0; i < 2; i++ {
		got, err := r.call(alpha, "raw__ask", `{"q":"SECRET-ARGUMENT-4711"}`)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		var answers map[string]string
		if err := json.Unmarshal([]byte(got), &answers); err != nil {
			t.Fatalf("call %d answered %q, want the server's report of secmcp's answers (a forged or second answer was taken?)", i, got)
		}
		for _, id := range []string{`"s1"`, `"s2"`, `"s3"`, `"s4"`} {
			a := answers[id]
			if !strings.Contains(a, `"error"`) || strings.Contains(a, `"result"`) {
				t.Errorf("server-initiated request %s was not refused: %s", id, a)
			}
			for _, leak := range []string{"SECRET-ARGUMENT-4711", "alpha", "analyst-a", "11111111-1111"} {
				if strings.Contains(a, leak) {
					t.Errorf("secmcp's answer to %s carries %q: %s", id, leak, a)
				}
			}
		}
	}
	if st := r.mgr.Status()[0]; !st.Up || st.Notifications < 300 {
		t.Errorf("status after the hostile session: %+v", st)
	}
}

// TestPluginHTTPRedirectRefused: a streamable HTTP plugin server that
// redirects to another host gets neither the configured secret header nor
// the request there; the server is reported unavailable, saying why.
func TestPluginHTTPRedirectRefused(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	t.Cleanup(other.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/mcp", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(front.Close)
	t.Setenv("PLUG_KEY", "s3cret-key")
	srv := config.MCPServer{Name: "redir", URL: front.URL + "/mcp", Tenants: []string{"*"},
		Headers: map[string]string{"X-Api-Key": "PLUG_KEY"}}
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, srv)
	eventually(t, "the redirecting plugin reported unavailable", func() bool {
		st := r.mgr.Status()[0]
		return !st.Up && strings.Contains(st.Reason, "redirect to "+strings.TrimPrefix(other.URL, "http://")+" refused")
	})
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests reached the host the plugin redirected to", n)
	}
}
