package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/auth/entra"
)

// demoServer serves the demo app over loopback HTTP with demo sign-in on.
func demoServer(t *testing.T) (*httptest.Server, *app) {
	t.Helper()
	opts, err := parseFlags([]string{"--http", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := build(context.Background(), opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.demoSignIn("http://"+ln.Addr().String()+"/mcp", logger); err != nil {
		t.Fatal(err)
	}
	h, err := a.httpHandler(opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, a
}

func TestDemoTokenSignsInToTheDemoServer(t *testing.T) {
	srv, a := demoServer(t)
	user, err := a.demoAuthority.DemoUserByUPN("contoso", "")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err = run(context.Background(), []string{"demo-token", "--url", srv.URL + "/mcp", "--tenant", "contoso", "--user", user.UPN, "--roles", "SecMCP.Hunter"},
		func(string) string { return "" }, nil, &out, &errb)
	if err != nil {
		t.Fatalf("demo-token: %v %s", err, errb.String())
	}
	tok := strings.TrimSpace(out.String())
	id, err := a.tokens.Validate(context.Background(), tok)
	if err != nil || id.UPN != user.UPN || id.Tenant != "contoso" || len(id.Roles) != 1 || id.Roles[0] != "SecMCP.Hunter" {
		t.Fatalf("demo token: %+v %v", id, err)
	}
	f := &signInFixture{srv: srv}
	if st, _, body := f.post(t, tok); st != http.StatusOK {
		t.Fatalf("the demo server refused its own demo token: %d %s", st, body)
	}
	if st, _, body := f.post(t, "demo-contoso"); st != http.StatusOK {
		t.Fatalf("demo key: %d %s", st, body)
	}
	st, challenge, _ := f.post(t, "")
	if st != 401 || !strings.Contains(challenge, `resource_metadata="`+srv.URL+`/.well-known/oauth-protected-resource/mcp"`) {
		t.Fatalf("no credentials: %d %q", st, challenge)
	}
	resp, err := http.Get(srv.URL + "/.well-known/oauth-protected-resource/mcp")
	if err != nil {
		t.Fatal(err)
	}
	var md entra.ResourceMetadata
	_ = json.NewDecoder(resp.Body).Decode(&md)
	resp.Body.Close()
	if md.Resource != srv.URL+"/mcp" || len(md.AuthorizationServers) != 2 || !strings.HasPrefix(md.AuthorizationServers[0], a.demoAuthority.URL()+"/") {
		t.Fatalf("metadata %+v", md)
	}
}

func TestDemoTokenErrors(t *testing.T) {
	srv, _ := demoServer(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tenant", "contoso"}, "--tenant and --user are required"},
		{[]string{"--tenant", "contoso", "--user", "nobody@contoso.com", "--url", srv.URL + "/mcp"}, `no user "nobody@contoso.com"`},
		{[]string{"--tenant", "nowhere", "--user", "a@b.c", "--url", srv.URL + "/mcp"}, `no tenant "nowhere"`},
		{[]string{"--tenant", "contoso", "--user", "a@b.c", "--url", "https://example.com/mcp"}, "must be the demo server's"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"demo-token"}, c.args...), func(string) string { return "" }, nil, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: want error containing %q, got %v", c.args, c.want, err)
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed %q", c.args, out.String())
		}
	}
}
