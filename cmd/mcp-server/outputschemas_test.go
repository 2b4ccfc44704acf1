package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// TestOutputSchemasFlag: by default (off) and with --output-schemas off
// every tool is listed without its outputSchema while results still carry
// structuredContent; --output-schemas on lists every tool with one, each
// with a content-derived $id (the same for the same schema, different for
// different ones); a bad value is refused naming the flag.
func TestOutputSchemasFlag(t *testing.T) {
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"DeviceProcessEvents | take 5"}}}`,
	}
	for _, mode := range []string{"default", "on", "off"} {
		args := []string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error"}
		if mode != "default" {
			args = append(args, "--output-schemas", mode)
		}
		answers := stdioAnswers(t, args, frames, 3)
		res, _ := answers[2]["result"].(map[string]any)
		list, _ := res["tools"].([]any)
		if len(list) == 0 {
			t.Fatalf("%s: tools/list gave no tools: %v", mode, answers[2])
		}
		for _, raw := range list {
			tool, _ := raw.(map[string]any)
			if _, has := tool["outputSchema"]; has != (mode == "on") {
				t.Errorf("--output-schemas %s: tool %v has outputSchema: %v", mode, tool["name"], has)
			}
		}
		if mode == "on" {
			checkSchemaIDs(t, list)
		}
		call, _ := answers[3]["result"].(map[string]any)
		if call["structuredContent"] == nil || call["isError"] == true {
			t.Errorf("--output-schemas %s: kql_validate must still return structuredContent, got %.300v", mode, call)
		}
	}
	if _, err := parseFlags([]string{"--output-schemas", "no"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--output-schemas") {
		t.Errorf("bad value: want an error naming --output-schemas, got %v", err)
	}
	o, err := parseFlags(nil, func(k string) string { return map[string]string{"SECMCP_OUTPUT_SCHEMAS": "on"}[k] }, &bytes.Buffer{})
	if err != nil || o.outputSchemas != "on" {
		t.Errorf("SECMCP_OUTPUT_SCHEMAS=on: got %q, %v", o.outputSchemas, err)
	}
}

// checkSchemaIDs: every listed outputSchema has a root $id of this
// server's form; two tools share an $id exactly when their schemas (apart
// from the $id) are the same.
func checkSchemaIDs(t *testing.T, list []any) {
	t.Helper()
	byID := map[string]string{}
	for _, raw := range list {
		tool, _ := raw.(map[string]any)
		schema, _ := tool["outputSchema"].(map[string]any)
		id, _ := schema["$id"].(string)
		if !strings.HasPrefix(id, tools.SchemaIDPrefix+"sha256-") {
			t.Errorf("tool %v: outputSchema $id %q, want %ssha256-…", tool["name"], id, tools.SchemaIDPrefix)
			continue
		}
		delete(schema, "$id")
		content, _ := json.Marshal(schema) // map keys sorted: one form per content
		if prev, ok := byID[id]; ok && prev != string(content) {
			t.Errorf("tool %v: $id %s is shared by different schemas", tool["name"], id)
		}
		byID[id] = string(content)
	}
	seen := map[string]string{}
	for id, content := range byID {
		if other, ok := seen[content]; ok {
			t.Errorf("the same schema listed with two $ids: %s and %s", id, other)
		}
		seen[content] = id
	}
}

// TestOutputSchemasPerClient: the configuration turns output schemas off
// for one key principal and for one client name (any case), over HTTP and
// stdio, while other keys and clients keep them; a principal's "on" wins
// over --output-schemas off, and a client name's "on" over the default off.
func TestOutputSchemasPerClient(t *testing.T) {
	path := endpointsConfig(t, "http://127.0.0.1:1")
	extra := "outputSchemas:\n  clients: {Lean-Client: off, Full-Client: on}\nprincipals:\n" +
		"  - {name: lean-key, keySha256: " + auth.HashKey("lean-secret") + ", tenants: [contoso], outputSchemas: \"off\"}\n" +
		"  - {name: full-key, keySha256: " + auth.HashKey("full-secret") + ", tenants: [contoso], outputSchemas: \"on\"}\n" +
		"  - {name: plain-key, keySha256: " + auth.HashKey("plain-secret") + ", tenants: [contoso]}\n"
	appendFile(t, path, extra)
	for _, c := range []struct {
		flag, key, client string
		want              bool
	}{
		{"on", "plain-secret", "some-client", true},
		{"on", "plain-secret", "lean-client", false},
		{"on", "lean-secret", "some-client", false},
		{"on", "full-secret", "LEAN-CLIENT", true},
		{"off", "plain-secret", "some-client", false},
		{"off", "full-secret", "some-client", true},
	} {
		if got := httpListHasSchemas(t, path, c.flag, c.key, c.client); got != c.want {
			t.Errorf("--output-schemas %s, key %s, client %s: schemas listed = %v, want %v", c.flag, c.key, c.client, got, c.want)
		}
	}
	for _, client := range []string{"Lean-Client", "full-client", "other"} {
		if got, want := stdioListHasSchemas(t, path, client), client == "full-client"; got != want {
			t.Errorf("stdio client %s: schemas listed = %v, want %v", client, got, want)
		}
	}
}

// stdioListHasSchemas runs the server over stdio as a client would (the
// list is asked for once initialize has been answered) and reports whether
// tools/list carries output schemas.
func stdioListHasSchemas(t *testing.T, cfgPath, client string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := []string{"--config", cfgPath, "--log-level", "error", "--audit-key-file", filepath.Join(t.TempDir(), "audit.key")}
		done <- run(ctx, args, func(string) string { return "" }, inR, outW, io.Discard)
		_ = outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	answer := func(frames string, id float64) map[string]any {
		if _, err := io.WriteString(inW, frames); err != nil {
			t.Fatal(err)
		}
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["id"] == id {
				return m
			}
		}
		t.Fatalf("no answer %v: %v", id, sc.Err())
		return nil
	}
	answer(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"`+client+`","version":"1"}}}`+"\n", 1)
	list := answer(`{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n"+`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`+"\n", 2)
	res, _ := list["result"].(map[string]any)
	has := listHasSchemas(t, res)
	_ = inW.Close()
	cancel()
	<-done
	return has
}

// TestOutputSchemaPolicyOrder: a key principal's setting, then the token's
// client app, then the client's name, then the flag.
func TestOutputSchemaPolicyOrder(t *testing.T) {
	if outputSchemaPolicy(nil, "on") != nil || outputSchemaPolicy(&config.Config{}, "on") != nil {
		t.Error("with nothing configured and the default on, there is nothing to decide")
	}
	app := "aebc6443-996d-45c2-90f0-388ff96faa56"
	cfg := &config.Config{
		Principals:    []auth.Principal{{Name: "k", OutputSchemas: "on"}},
		OutputSchemas: config.OutputSchemas{Clients: map[string]string{"vscode": "on", "claude-code": "off"}, EntraApps: map[string]string{strings.ToUpper(app): "off"}},
	}
	p := outputSchemaPolicy(cfg, "on")
	for _, c := range []struct {
		caller tools.Caller
		client string
		want   bool
	}{
		{tools.Caller{Principal: "k"}, "claude-code", true},
		{tools.Caller{Principal: "entra:a@b", ClientApp: app}, "vscode", false},
		{tools.Caller{Principal: "entra:a@b", ClientApp: "00000000-0000-0000-0000-000000000001"}, "Claude-Code", false},
		{tools.Caller{Principal: "x"}, "", true},
	} {
		if got := p(c.caller, c.client); got != c.want {
			t.Errorf("%+v, client %q: %v, want %v", c.caller, c.client, got, c.want)
		}
	}
	if off := outputSchemaPolicy(cfg, "off"); off(tools.Caller{Principal: "x"}, "") || !off(tools.Caller{Principal: "x"}, "vscode") {
		t.Error("--output-schemas off must be the default, a client's on an exception")
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// httpListHasSchemas builds the configured server's HTTP handler, opens a
// session with key as client, and reports whether tools/list carries
// output schemas.
func httpListHasSchemas(t *testing.T, cfgPath, flag, key, client string) bool {
	t.Helper()
	opts, err := parseFlags([]string{"--config", cfgPath, "--output-schemas", flag, "--audit-key-file", filepath.Join(t.TempDir(), "audit.key")},
		func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	a, err := build(t.Context(), opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, err := a.httpHandler(opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	sid := mcpOpen(t, h, key, client)
	w := mcpPost(h, key, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, sid)
	var resp struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("tools/list: %d %.300s", w.Code, w.Body)
	}
	return listHasSchemas(t, resp.Result)
}

// listHasSchemas reports whether every tool of a tools/list result has an
// outputSchema (false when none has; a mix fails the test).
func listHasSchemas(t *testing.T, res map[string]any) bool {
	t.Helper()
	list, _ := res["tools"].([]any)
	if len(list) == 0 {
		t.Fatalf("tools/list gave no tools: %.300v", res)
	}
	n := 0
	for _, raw := range list {
		if tool, _ := raw.(map[string]any); tool["outputSchema"] != nil {
			n++
		}
	}
	if n != 0 && n != len(list) {
		t.Fatalf("%d of %d tools have an outputSchema", n, len(list))
	}
	return n > 0
}
