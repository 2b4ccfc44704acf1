package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/config"
)

// runDemoToken is `mcp-server demo-token --tenant T --user UPN [--roles R1,R2]
// [--url U]`: it asks a running demo server (mcp-server --http ADDR without
// --config) for a user token of its demo Entra authority and prints it.
func runDemoToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo-token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("url", "http://127.0.0.1:8080/mcp", "the MCP endpoint of the running demo server (mcp-server --http ADDR, no --config)")
	tenant := fs.String("tenant", "", "demo tenant alias: contoso or fabrikam (required)")
	user := fs.String("user", "", "userPrincipalName of a demo user of that tenant (required)")
	roles := fs.String("roles", "", "comma-separated app roles for the token, e.g. SecMCP.Reader,SecMCP.Hunter (default: the user's assigned roles)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mcp-server demo-token --tenant contoso --user UPN [--roles R1,R2] [--url http://127.0.0.1:8080/mcp]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *tenant == "" || *user == "" {
		return errors.New("demo-token: --tenant and --user are required, e.g. --tenant contoso --user samuel.abbott@contoso.com")
	}
	u, err := url.Parse(*endpoint)
	if err != nil || u.Scheme != "http" || !config.IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("demo-token: --url %q must be the demo server's http://127.0.0.1:PORT/mcp (demo mode serves only loopback)", *endpoint)
	}
	form := url.Values{"tenant": {*tenant}, "user": {*user}}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "roles" })
	if set {
		form.Set("roles", *roles)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	target := u.Scheme + "://" + u.Host + "/demo/token"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo-token: %w (is the demo server running: mcp-server --http %s?)", err, u.Host)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("demo-token: %s has no demo authority; run the server in demo mode (mcp-server --http %s, without --config)", u.Host, u.Host)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("demo-token: %s", strings.TrimSpace(string(body)))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("demo-token: unexpected answer from %s", target)
	}
	_, err = fmt.Fprintln(stdout, tok.AccessToken)
	return err
}
