package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/config"
)

const testManifest = `Descriptor:
  Name: Contoso Mail
  Description: Contoso's mail hunts
SkillGroups:
  - Format: KQL
    Skills:
      - Name: EmailsTo
        Description: Latest emails received by a recipient address
        Inputs:
          - Name: email
            Description: recipient address
            Required: true
        Settings:
          Target: Defender
          Template: |-
            EmailEvents
            | where RecipientEmailAddress =~ '{{email}}'
            | project Timestamp, SenderFromAddress, Subject
            | take 5
      - Name: OktaLogins
        Description: Okta sign-ins from the custom log
        Settings:
          Target: Sentinel
          Template: Okta_CL | take 5
`

func pluginDir(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mail.yaml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPluginsValidateCommand: exit status 0 when every skill loads, an
// error (exit 1) naming the refusal otherwise.
func TestPluginsValidateCommand(t *testing.T) {
	out, _, err := runArgs(t, nil, "plugins", "validate", pluginDir(t, testManifest))
	if err != nil || !strings.Contains(out, "plugin Contoso Mail: 2 loaded, 0 skipped, 0 refused") {
		t.Fatalf("valid folder: %v\n%s", err, out)
	}
	bad := strings.Replace(testManifest, "take 5\n      - Name: OktaLogins", "take 5 | where NoSuch == 1\n      - Name: OktaLogins", 1)
	out, _, err = runArgs(t, nil, "plugins", "validate", pluginDir(t, bad))
	if err == nil || !strings.Contains(err.Error(), "1 refused") || !strings.Contains(out, "mail.yaml:19 EmailsTo: template line 4: unknown column or variable 'NoSuch'") {
		t.Fatalf("refused skill: %v\n%s", err, out)
	}
	if _, _, err := runArgs(t, nil, "plugins", "check", "x"); err == nil {
		t.Error("plugins check accepted")
	}
}

// TestPluginToolOverStdio: a plugin skill is a tool of the running server:
// listed, obeying --exclude-tools, run on the demo tenant with a hostile
// input bound as a literal, its run cited and readable, and a custom table
// the demo lacks named in the refusal.
func TestPluginToolOverStdio(t *testing.T) {
	dir := pluginDir(t, testManifest)
	t.Setenv("SECMCP_STATE_DIR", t.TempDir()) // runs kept on disk, read by a second process below
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"plugin_contoso_mail_emailsto","arguments":{"email":"x' | union SecurityAlert //"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"plugin_contoso_mail_oktalogins","arguments":{"tenant":"fabrikam"}}}`,
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"kql_list_tables","arguments":{"search":"okta"}}}`,
	}
	msgs := stdioSession(t, frames, "--plugins", dir, "--exclude-tools", "defender_list_incidents")
	var list struct {
		Tools []struct{ Name string } `json:"tools"`
	}
	_ = json.Unmarshal(msgs[2], &list)
	names := map[string]bool{}
	for _, tl := range list.Tools {
		names[tl.Name] = true
	}
	if !names["plugin_contoso_mail_emailsto"] || !names["plugin_contoso_mail_oktalogins"] || names["defender_list_incidents"] {
		t.Fatalf("tools/list: %v", names)
	}
	var run struct {
		IsError bool `json:"isError"`
		SC      struct {
			Sent    string                 `json:"sent"`
			Sources []struct{ URI string } `json:"sources"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(msgs[3], &run); err != nil || run.IsError || len(run.SC.Sources) != 1 {
		t.Fatalf("plugin call: %s", msgs[3])
	}
	if !strings.Contains(run.SC.Sent, `=~ "x\' | union SecurityAlert //"`) {
		t.Errorf("input not bound as one literal: %s", run.SC.Sent)
	}
	uri := run.SC.Sources[0].URI
	if !strings.HasPrefix(uri, "secmcp://contoso/plugins/contoso_mail/emailsto/") {
		t.Errorf("citation %s", uri)
	}
	if !strings.Contains(string(msgs[4]), "table Okta_CL does not exist in tenant fabrikam's workspace") {
		t.Errorf("custom table: %s", msgs[4])
	}
	if !strings.Contains(string(msgs[7]), "Okta_CL") || !strings.Contains(string(msgs[7]), "plugin_contoso_mail_oktalogins") {
		t.Errorf("kql_list_tables search okta: %.500s", msgs[7])
	}
	read := stdioSession(t, []string{frames[0], frames[1], `{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"` + uri + `"}}`,
		`{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"` + strings.Replace(uri, "/contoso/", "/fabrikam/", 1) + `"}}`}, "--plugins", dir)
	if !strings.Contains(string(read[8]), `\"sent\": `) || !strings.Contains(string(read[8]), "union SecurityAlert") {
		t.Errorf("resources/read of the run in a new process: %.400s", read[8])
	}
	if strings.Contains(string(read[9]), `\"sent\": `) {
		t.Errorf("the run is readable as another tenant's: %.400s", read[9])
	}
}

// stdioSession runs the server over stdio with frames and returns the
// responses by id.
func stdioSession(t *testing.T, frames []string, args ...string) map[float64]json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	go func() {
		r := io.MultiReader(strings.NewReader(strings.Join(frames, "\n")+"\n"), &blockUntil{ctx: ctx})
		_ = run(ctx, append([]string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error"}, args...), func(string) string { return "" }, r, pw, io.Discard)
		_ = pw.Close()
	}()
	want := 0
	for _, f := range frames {
		if strings.Contains(f, `"id":`) {
			want++
		}
	}
	out := map[float64]json.RawMessage{}
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for len(out) < want && sc.Scan() {
		var msg struct {
			ID     *float64        `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) != nil || msg.ID == nil {
			continue
		}
		if msg.Result != nil {
			out[*msg.ID] = msg.Result
		} else {
			out[*msg.ID] = msg.Error
		}
	}
	cancel()
	return out
}

// TestInvestigateChoosesPluginSkill: the planner runs a plugin skill whose
// description matches the question, filling its input from the question's
// entities, and the answer cites the run.
func TestInvestigateChoosesPluginSkill(t *testing.T) {
	dir := pluginDir(t, testManifest)
	t.Setenv("SECMCP_STATE_DIR", t.TempDir())
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"investigate","arguments":{"question":"Which emails were received by recipient nolan.prescott@contoso.com?"}}}`,
	}
	msgs := stdioSession(t, frames, "--plugins", dir, "--synthesizer", "builtin")
	var res struct {
		IsError bool `json:"isError"`
		SC      struct {
			Answer      string                          `json:"answer"`
			Citations   map[string]string               `json:"citations"`
			Calls       []struct{ Tool, Status string } `json:"calls"`
			Unsupported int                             `json:"unsupported"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(msgs[2], &res); err != nil || res.IsError {
		t.Fatalf("investigate: %.600s", msgs[2])
	}
	ran := false
	for _, c := range res.SC.Calls {
		ran = ran || c.Tool == "plugin_contoso_mail_emailsto" && c.Status == "ok"
	}
	cited := false
	for _, uri := range res.SC.Citations {
		cited = cited || strings.HasPrefix(uri, "secmcp://contoso/plugins/contoso_mail/emailsto/")
	}
	if !ran || !cited || !strings.Contains(res.SC.Answer, "Plugin skill plugin_contoso_mail_emailsto") || res.SC.Unsupported != 0 {
		t.Errorf("plugin skill not chosen, cited and written (ran %v, cited %v, unsupported %d):\n%s\ncalls %+v", ran, cited, res.SC.Unsupported, res.SC.Answer, res.SC.Calls)
	}
}

func TestPluginDirsAndSettings(t *testing.T) {
	cfg := &config.Config{Plugins: []string{"plugins", "/srv/more"}, Tenants: []config.Tenant{{
		Alias: "contoso", TenantID: "11111111-1111-4111-8111-111111111111",
		Sentinel:       &config.Sentinel{SubscriptionID: "sub", ResourceGroup: "rg", WorkspaceName: "ws"},
		PluginSettings: map[string]map[string]string{"Cold": {"Db": "coldlogs", "WorkspaceName": "other"}},
	}}}
	got := pluginDirs(options{configPath: "/etc/secmcp/config.yaml", plugins: []string{"/opt/p"}}, cfg)
	if strings.Join(got, ",") != "/opt/p,/etc/secmcp/plugins,/srv/more" {
		t.Errorf("pluginDirs = %v", got)
	}
	s := pluginSettings(cfg)
	c := s("contoso", "Cold")
	if c["Db"] != "coldlogs" || c["WorkspaceName"] != "other" || c["SubscriptionId"] != "sub" || c["TenantId"] != "11111111-1111-4111-8111-111111111111" {
		t.Errorf("settings for contoso: %v", c)
	}
	if s("fabrikam", "Cold") != nil {
		t.Error("settings for a tenant the configuration lacks")
	}
}
