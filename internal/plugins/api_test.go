package plugins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

const testOpenAPI = `openapi: 3.0.0
info: {title: Test, version: "1"}
servers:
  - url: %s/api
paths:
  /items/{id}:
    get:
      operationId: GetItem
      summary: "Gets an item\u200b by id."
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, schema: {type: boolean}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: X-Trace, in: header, schema: {type: string, default: none}}
      responses:
        "404": {description: No such item}
  /items:
    post:
      operationId: Create Item
      description: Creates an item.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Item"}
  /big:
    get:
      operationId: Big
      summary: A large answer.
  /away:
    get:
      operationId: Away
      summary: Redirects to another host.
components:
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 20}
        count: {type: integer}
`

const testManifest = `Descriptor:
  Name: Test API
  Description: A test API plugin.
  Authorization:
    Type: APIKey
    Key: x-api-key
    Location: Header
SkillGroups:
  - Format: API
    Settings:
      OpenApiSpecUrl: openapi/test.yaml
`

// seen is what the loopback API received.
type seen struct {
	path, rawPath, query, key, auth, trace, body string
}

// apiFixture starts a loopback API and loads a plugin for it.
func apiFixture(t *testing.T, cfg config.PluginAPI) (*Result, *seen, *httptest.Server) {
	t.Helper()
	got := &seen{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached the other host: %s", r.URL)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.rawPath, got.query = r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery
		got.key, got.auth, got.trace = r.Header.Get("x-api-key"), r.Header.Get("Authorization"), r.Header.Get("X-Trace")
		b := make([]byte, 4096)
		n, _ := r.Body.Read(b)
		got.body = string(b[:n])
		switch {
		case r.URL.Path == "/api/big":
			w.Write([]byte(strings.Repeat("x", MaxAPIResponse+100)))
		case r.URL.Path == "/api/away":
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		case r.URL.Path == "/api/items/missing":
			http.Error(w, `{"error":"not here","echo":"`+got.key+`"}`, http.StatusNotFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"echo":%q}`, got.key)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "openapi"), 0o755)
	os.WriteFile(filepath.Join(dir, "openapi", "test.yaml"), []byte(fmt.Sprintf(testOpenAPI, srv.URL)), 0o644)
	os.WriteFile(filepath.Join(dir, "test.yaml"), []byte(testManifest), 0o644)
	env := &Env{APIs: map[string]config.PluginAPI{"Test API": cfg}, Runs: NewRunStore(nil)}
	res, err := LoadDirs(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	return res, got, srv
}

func apiSpec(t *testing.T, res *Result, name string) tools.Spec {
	t.Helper()
	for _, s := range res.Specs {
		if s.Name == name {
			return s
		}
	}
	var b strings.Builder
	res.Write(&b)
	t.Fatalf("no tool %s; report:\n%s", name, b.String())
	return tools.Spec{}
}

func callAPI(spec tools.Spec, args string) (any, error) {
	return spec.Handler(context.Background(), tools.Call{Tenant: &tenant.Tenant{Alias: "contoso"}, Principal: "test"}, json.RawMessage(args))
}

func TestAPISkillBindsAndEscapes(t *testing.T) {
	t.Setenv("TEST_API_KEY", "s3cret-key")
	res, got, _ := apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Env: "TEST_API_KEY"}})
	spec := apiSpec(t, res, "plugin_test_api_getitem")
	if !spec.ReadOnly || strings.Contains(spec.Description, "\u200b") || !strings.Contains(spec.Description, "Gets an item by id.") {
		t.Errorf("GET tool: readOnly %v, description %q", spec.ReadOnly, spec.Description)
	}
	out, err := callAPI(spec, `{"id":"../../admin?x=1#f","verbose":true,"tags":["a","b c"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got.path != "/api/items/../../admin?x=1#f" || got.rawPath != "/api/items/..%2F..%2Fadmin%3Fx=1%23f" {
		t.Errorf("path param escaped wrongly: path %q raw %q", got.path, got.rawPath)
	}
	if got.query != "tags=a&tags=b+c&verbose=true" || got.trace != "none" {
		t.Errorf("query %q, header default %q", got.query, got.trace)
	}
	if got.key != "s3cret-key" {
		t.Errorf("API key header = %q", got.key)
	}
	r := out.(APIResult)
	if r.Status != 200 || len(r.Sources) != 1 || !strings.HasPrefix(r.Sources[0].URI, "secmcp://contoso/plugins/test_api/getitem/") {
		t.Errorf("result %+v", r)
	}
	whole, _ := json.Marshal(r)
	if strings.Contains(string(whole), "s3cret-key") || strings.Contains(r.Text(), "s3cret-key") {
		t.Errorf("the secret is in the result: %s", whole)
	}
	for _, bad := range []string{`{"id":".."}`, `{"id":""}`, `{}`, `{"id":"a","nope":1}`, `{"id":"a","verbose":"yes"}`, `{"id":"a","X-Trace":"a\r\nX-Evil: 1"}`} {
		if _, err := callAPI(spec, bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestAPISkillStatusErrorRedactsSecret(t *testing.T) {
	t.Setenv("TEST_API_KEY", "s3cret-key")
	res, _, _ := apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Env: "TEST_API_KEY"}})
	_, err := callAPI(apiSpec(t, res, "plugin_test_api_getitem"), `{"id":"missing"}`)
	var te *tools.ToolError
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "HTTP 404") || !strings.Contains(te.Msg, "No such item") || strings.Contains(te.Msg, "s3cret-key") {
		t.Errorf("404 error: %v", err)
	}
}

func TestAPISkillBearerQueryKeyAndMissingSecret(t *testing.T) {
	t.Setenv("TEST_TOKEN", "tok-123")
	res, got, _ := apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Type: "bearer", Env: "TEST_TOKEN"}})
	if _, err := callAPI(apiSpec(t, res, "plugin_test_api_getitem"), `{"id":"a"}`); err != nil || got.auth != "Bearer tok-123" {
		t.Errorf("bearer: %v, Authorization %q", err, got.auth)
	}
	t.Setenv("TEST_QKEY", "q-key")
	res, got, _ = apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Env: "TEST_QKEY", In: "query", Name: "apiKey"}})
	out, err := callAPI(apiSpec(t, res, "plugin_test_api_getitem"), `{"id":"a"}`)
	if err != nil || !strings.Contains(got.query, "apiKey=q-key") || strings.Contains(out.(APIResult).Sent, "q-key") {
		t.Errorf("query key: %v, query %q", err, got.query)
	}
	res, _, _ = apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Env: "TEST_UNSET_VAR"}})
	if _, err := callAPI(apiSpec(t, res, "plugin_test_api_getitem"), `{"id":"a"}`); err == nil || !strings.Contains(err.Error(), "TEST_UNSET_VAR is empty") {
		t.Errorf("missing secret: %v", err)
	}
}

func TestAPISkillSizeCapRedirectAndWrites(t *testing.T) {
	res, got, _ := apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Type: "none"}})
	out, err := callAPI(apiSpec(t, res, "plugin_test_api_big"), `{}`)
	if r, ok := out.(APIResult); err != nil || !ok || !r.Truncated || r.Bytes != MaxAPIResponse || len(r.Body.(string)) != MaxAPIResult ||
		!strings.Contains(r.Note, "more than 1 MiB") {
		t.Errorf("size cap: %v %.300v", err, out)
	}
	if _, err := callAPI(apiSpec(t, res, "plugin_test_api_away"), `{}`); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("redirect to another host: %v", err)
	}
	post := apiSpec(t, res, "plugin_test_api_create_item")
	if post.ReadOnly {
		t.Error("POST tool is read-only")
	}
	if _, err := callAPI(post, `{"body":{"count":1}}`); err == nil {
		t.Error("body without its required property was sent")
	}
	if _, err := callAPI(post, `{"body":{"name":"n","count":2}}`); err != nil || got.body != `{"name":"n","count":2}` {
		t.Errorf("POST: %v, body %q", err, got.body)
	}
	res, _, _ = apiFixture(t, config.PluginAPI{ReadOnly: []string{"Create Item"}})
	if !apiSpec(t, res, "plugin_test_api_create_item").ReadOnly {
		t.Error("readOnly in the configuration did not mark the POST read-only")
	}
}

func TestAPISkillServerRestriction(t *testing.T) {
	res, _, _ := apiFixture(t, config.PluginAPI{Server: "https://evil.example"})
	if len(res.Specs) != 0 || res.Manifests[0].Skills[0].Status != Refused || !strings.Contains(res.Manifests[0].Skills[0].Reason, "not one of the document's servers") {
		t.Errorf("server override outside the document: %+v", res.Manifests[0].Skills)
	}
}

func TestAPISkillEntraToken(t *testing.T) {
	res, got, _ := apiFixture(t, config.PluginAPI{Auth: config.PluginAuth{Type: "entra", Scope: "api://x/.default"}})
	spec := apiSpec(t, res, "plugin_test_api_getitem")
	if _, err := callAPI(spec, `{"id":"a"}`); err == nil || !strings.Contains(err.Error(), "cannot get") {
		t.Errorf("entra without a token source: %v", err)
	}
	// The token source is the Env's, read at call time.
	env := &Env{APIs: map[string]config.PluginAPI{"Test API": {Auth: config.PluginAuth{Type: "entra", Scope: "api://x/.default"}}},
		Token: func(_ context.Context, alias, scope string) (string, error) {
			return "tok-" + alias + "-" + scope, nil
		}}
	res, err := LoadDirs(env, filepath.Dir(res.Manifests[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := callAPI(apiSpec(t, res, "plugin_test_api_getitem"), `{"id":"a"}`); err != nil || got.auth != "Bearer tok-contoso-api://x/.default" {
		t.Errorf("entra: %v, Authorization %q", err, got.auth)
	}
}

// TestAPIWriteToolsHiddenByReadOnly checks the registry's --read-only
// selection drops the POST operation and keeps the GETs.
func TestAPIWriteToolsHiddenByReadOnly(t *testing.T) {
	res, _, _ := apiFixture(t, config.PluginAPI{})
	for _, ro := range []bool{true, false} {
		reg, err := tools.NewRegistry(res.Specs, tools.Selection{Toolsets: []string{"all"}, ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		_, hasPost := reg.Lookup("plugin_test_api_create_item")
		_, hasGet := reg.Lookup("plugin_test_api_getitem")
		if hasPost == ro || !hasGet {
			t.Errorf("read-only %v: POST tool present %v, GET present %v", ro, hasPost, hasGet)
		}
	}
}

// TestAPIOpenAPIFetchedOnlyWhenAllowed: a manifest naming its document by
// URL is skipped with fetching off and loads with it on (the loopback
// document's relative server resolved against its URL).
func TestAPIOpenAPIFetchedOnlyWhenAllowed(t *testing.T) {
	fetched := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/spec.yaml" {
			fetched++
			w.Write([]byte("openapi: 3.0.1\ninfo: {title: t, version: '1'}\nservers: [{url: /v1}]\npaths:\n  /ping:\n    get: {operationId: Ping, summary: Pings.}\n"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("Descriptor: {Name: Fetchy, Description: d}\nSkillGroups:\n  - Format: API\n    Settings: {OpenApiSpecUrl: '"+srv.URL+"/spec.yaml'}\n"), 0o644)
	res, err := LoadDirs(&Env{}, dir)
	if err != nil || len(res.Specs) != 0 || fetched != 0 {
		t.Fatalf("fetching off: err %v, %d tools, %d fetches", err, len(res.Specs), fetched)
	}
	res, err = LoadDirs(&Env{FetchOpenAPI: true}, dir)
	if err != nil || fetched != 1 {
		t.Fatalf("fetching on: %v, %d fetches", err, fetched)
	}
	out, err := callAPI(apiSpec(t, res, "plugin_fetchy_ping"), `{}`)
	if err != nil || string(out.(APIResult).Body.(json.RawMessage)) != `{"path":"/v1/ping"}` {
		t.Errorf("call: %v %+v", err, out)
	}
}

func TestAPICallTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "doc.yaml"), []byte("openapi: 3.0.0\nservers: [{url: '"+srv.URL+"'}]\npaths:\n  /slow:\n    get: {operationId: Slow, summary: Slow.}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("Descriptor: {Name: Slowpoke, Description: d}\nSkillGroups:\n  - Format: API\n    Settings: {OpenApiSpecUrl: doc.yaml}\n"), 0o644)
	res, err := LoadDirs(&Env{APIs: map[string]config.PluginAPI{"slowpoke": {TimeoutSeconds: 1}}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = callAPI(apiSpec(t, res, "plugin_slowpoke_slow"), `{}`)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 1s") || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: %v after %s", err, time.Since(start))
	}
}

// TestAPIServerMustBeHTTPS: a document's plain-http server is refused
// unless it is loopback (credentials go only over https).
func TestAPIServerMustBeHTTPS(t *testing.T) {
	for srv, ok := range map[string]bool{"http://api.example.com/v1": false, "https://api.example.com/v1": true, "http://127.0.0.1:8080": true, "http://[::1]:80/x": true, "ftp://x": false} {
		doc, err := parseOpenAPI([]byte("openapi: 3.0.0\nservers: [{url: '" + srv + "'}]\npaths: {}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pickServer(doc, nil, ""); (err == nil) != ok {
			t.Errorf("%s: %v", srv, err)
		}
	}
}
