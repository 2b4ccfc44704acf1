package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apiPluginSetup writes an API plugin manifest, its OpenAPI document (whose
// server is a loopback test API) and a configuration naming both.
func apiPluginSetup(t *testing.T) (dir, cfg string, keys *[]string) {
	t.Helper()
	keys = &[]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*keys = append(*keys, r.Header.Get("X-Key"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ip":%q,"country":"NL"}`, r.URL.Query().Get("ip"))
	}))
	t.Cleanup(srv.Close)
	dir = t.TempDir()
	doc := fmt.Sprintf(`openapi: 3.0.0
info: {title: Geo, version: "1"}
servers: [{url: %q}]
paths:
  /geo:
    get:
      operationId: Lookup
      summary: Where an IP address is.
      parameters: [{name: ip, in: query, required: true, schema: {type: string}}]
    post:
      operationId: Report
      summary: Reports an IP address.
      requestBody: {content: {application/json: {schema: {type: object}}}}
`, srv.URL)
	manifest := "Descriptor:\n  Name: Geo\n  Description: IP geolocation\n  Authorization: {Type: APIKey, Key: X-Key, Location: Header}\nSkillGroups:\n  - Format: API\n    Settings: {OpenApiSpecUrl: https://example.com/geo.yaml}\n"
	conf := `tenants:
  - alias: contoso
    tenantId: 00000000-0000-0000-0000-000000000000
    credential: {kind: clientSecret, clientId: 11111111-1111-1111-1111-111111111111, clientSecretEnv: NOT_USED}
plugins: [plugins]
pluginApis:
  Geo:
    openapi: geo-openapi.yaml
    auth: {env: GEO_TEST_KEY}
`
	os.MkdirAll(filepath.Join(dir, "plugins"), 0o755)
	os.WriteFile(filepath.Join(dir, "plugins", "geo.yaml"), []byte(manifest), 0o600)
	os.WriteFile(filepath.Join(dir, "geo-openapi.yaml"), []byte(doc), 0o600)
	cfg = filepath.Join(dir, "soc.yaml")
	os.WriteFile(cfg, []byte(conf), 0o600)
	return dir, cfg, keys
}

// TestAPIPluginOverStdio: an API plugin's GET operation is a tool of the
// running server, called with the configured key against the loopback
// API, cited, and the citation holds no key; the POST operation is hidden
// by the default --read-only. plugins validate --config loads it, and
// without --config lists it as skipped (exit 0).
func TestAPIPluginOverStdio(t *testing.T) {
	dir, cfg, keys := apiPluginSetup(t)
	t.Setenv("GEO_TEST_KEY", "geo-secret-1")
	t.Setenv("SECMCP_STATE_DIR", t.TempDir())
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"plugin_geo_lookup","arguments":{"ip":"203.0.113.7"}}}`,
	}
	key := filepath.Join(t.TempDir(), "audit.key") // the configured server needs an audit key
	msgs := stdioSession(t, frames, "--config", cfg, "--audit-key-file", key)
	if !strings.Contains(string(msgs[2]), `"plugin_geo_lookup"`) || strings.Contains(string(msgs[2]), `"plugin_geo_report"`) {
		t.Fatalf("tools/list (read-only): %.800s", msgs[2])
	}
	var run struct {
		IsError bool `json:"isError"`
		SC      struct {
			Status  int                    `json:"status"`
			Body    map[string]string      `json:"body"`
			Sources []struct{ URI string } `json:"sources"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(msgs[3], &run); err != nil || run.IsError || run.SC.Status != 200 || run.SC.Body["ip"] != "203.0.113.7" || len(run.SC.Sources) != 1 {
		t.Fatalf("API call: %.800s", msgs[3])
	}
	if len(*keys) != 1 || (*keys)[0] != "geo-secret-1" {
		t.Errorf("key sent: %v", *keys)
	}
	read := stdioSession(t, []string{frames[0], frames[1], `{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"` + run.SC.Sources[0].URI + `"}}`}, "--config", cfg, "--audit-key-file", key)
	if !strings.Contains(string(read[8]), "GET http") || strings.Contains(string(read[8]), "geo-secret-1") {
		t.Errorf("citation: %.600s", read[8])
	}
	rw := stdioSession(t, frames[:3], "--config", cfg, "--audit-key-file", key, "--read-only=false")
	if !strings.Contains(string(rw[2]), `"plugin_geo_report"`) {
		t.Errorf("--read-only=false lacks the POST tool")
	}
	out, _, err := runArgs(t, nil, "plugins", "validate", filepath.Join(dir, "plugins"), "--config", cfg)
	if err != nil || !strings.Contains(out, "plugin Geo: 2 loaded, 0 skipped, 0 refused") {
		t.Errorf("validate --config: %v\n%s", err, out)
	}
	out, _, err = runArgs(t, nil, "plugins", "validate", filepath.Join(dir, "plugins"))
	if err != nil || !strings.Contains(out, "plugin Geo: 0 loaded, 1 skipped, 0 refused") || !strings.Contains(out, "fetching OpenAPI documents at load is off") {
		t.Errorf("validate without config: %v\n%s", err, out)
	}
}
