package plugins

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/tenant"
)

const goodManifest = `Descriptor:
  Name: Contoso Hunts
  Description: Contoso's own hunting queries
SkillGroups:
  - Format: KQL
    Skills:
      - Name: RecentEmails
        Description: Latest emails received by a recipient
        Inputs:
          - Name: email
            Description: recipient address
            Required: true
          - Name: days
            Description: days back
            DefaultValue: 7
        Settings:
          Target: Defender
          Template: |-
            EmailEvents
            | where Timestamp > ago({{days}}d)
            | where RecipientEmailAddress =~ '{{email}}'
            | take 10
      - Name: BadColumn
        Description: reads a column EmailEvents lacks
        Settings:
          Target: Defender
          Template: |-
            EmailEvents
            | where NoSuchColumn == 1
      - Name: Unparsable
        Description: does not parse
        Settings:
          Target: Sentinel
          Template: |-
            SigninLogs
            | where (
      - Name: Writes
        Description: a control command
        Settings:
          Target: Sentinel
          Template: |-
            .drop table SigninLogs
      - Name: Undeclared
        Description: uses an input it does not declare
        Settings:
          Target: Sentinel
          Template: SigninLogs | where UserPrincipalName == '{{upn}}'
      - Name: NoTarget
        Description: no target
        Settings:
          Template: SigninLogs | take 1
      - Name: Custom
        Description: reads a custom log
        Settings:
          Target: LogAnalytics
          Template: Okta_CL | take 10
  - Format: GPT
    Skills:
      - Name: Summarize
        Description: a prompt
        Settings:
          Template: Summarize {{text}}
`

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadReportsEachSkill(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"contoso.yaml": goodManifest,
		"same.json":    `{"descriptor":{"name":"Contoso Hunts"},"skillgroups":[{"format":"KQL","skills":[{"name":"recentemails","description":"same tool name","settings":{"target":"Defender","template":"EmailEvents | take 1"}}]}]}`,
		"notes.yml":    "just: a yaml file\n",
		"api.yaml":     "Descriptor:\n  Name: Api\nSkillGroups:\n  - Format: API\n    Settings:\n      OpenApiSpecUrl: https://example.com/openapi.yaml\n",
		"readme.md":    "not a manifest",
	})
	res, err := LoadDirs(&Env{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SkillReport{}
	for _, m := range res.Manifests {
		for _, s := range m.Skills {
			got[filepath.Base(m.Path)+"/"+s.Skill] = s
		}
	}
	want := map[string]struct{ status, reason string }{
		"contoso.yaml/RecentEmails":     {Loaded, ""},
		"contoso.yaml/BadColumn":        {Refused, "unknown column or variable 'NoSuchColumn'"},
		"contoso.yaml/Unparsable":       {Refused, "does not parse"},
		"contoso.yaml/Writes":           {Refused, "read-only guard"},
		"contoso.yaml/Undeclared":       {Refused, "{{upn}} but Inputs does not declare it"},
		"contoso.yaml/NoTarget":         {Refused, "Settings.Target"},
		"contoso.yaml/Custom":           {Loaded, "Okta_CL"},
		"contoso.yaml/Summarize":        {Skipped, "GPT skills"},
		"same.json/recentemails":        {Refused, "plugin_contoso_hunts_recentemails is already taken"},
		"api.yaml/(OpenAPI operations)": {Skipped, "fetching OpenAPI documents at load is off"},
	}
	for k, w := range want {
		s, ok := got[k]
		if !ok || s.Status != w.status || !strings.Contains(s.Reason, w.reason) {
			t.Errorf("%s: %+v, want %s containing %q", k, s, w.status, w.reason)
		}
	}
	if s := got["contoso.yaml/BadColumn"]; s.Line != 29 {
		t.Errorf("BadColumn refused at line %d, want 29 (the template line naming the column)", s.Line)
	}
	if len(res.Specs) != 2 || res.Specs[0].Name != "plugin_contoso_hunts_recentemails" || res.Specs[0].Toolset != "plugin_contoso_hunts" {
		t.Errorf("specs: %+v", res.Specs)
	}
	if r := res.CustomTables["Okta_CL"]; len(r) != 1 || r[0] != "plugin_contoso_hunts_custom" {
		t.Errorf("custom tables: %v", res.CustomTables)
	}
	var notes bool
	for _, m := range res.Manifests {
		if filepath.Base(m.Path) == "notes.yml" {
			notes = strings.Contains(m.Error, "no Descriptor")
		}
	}
	if !notes || res.Refused() != 7 {
		t.Errorf("notes.yml refused: %v; refused total %d, want 7", notes, res.Refused())
	}
	var out bytes.Buffer
	res.Write(&out)
	if !strings.Contains(out.String(), "contoso.yaml:29 BadColumn") || !strings.Contains(out.String(), "4 manifests: 2 skills loaded, 2 skipped, 6 refused; 1 manifests refused") {
		t.Errorf("report:\n%s", out.String())
	}
	if _, err := LoadDirs(&Env{}, filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder loaded")
	}
}

func TestToolNamesFit(t *testing.T) {
	n := ToolName("Summarize Sentinel Cost details for a specified time and date range.", "Beaconing traffic based on common user agents visiting limited number of domains (ASIM Web Session)")
	if len(n) > 64 || !strings.HasPrefix(n, "plugin_summarize_sentinel_cost_") || strings.Contains(n, "__") {
		t.Errorf("ToolName = %q (%d)", n, len(n))
	}
}

// TestRunsKeptPerScope: a run kept for one scope (a tenant, or a user of
// an on-behalf-of tenant) is not found under another.
func TestRunsKeptPerScope(t *testing.T) {
	s := NewRunStore(nil)
	sk := &KQLSkill{Plugin: "p", Skill: "s", Tool: "plugin_p_s", Target: "Defender"}
	uri, ok := s.keep("contoso_uabc", "contoso", sk, RunResult{Sent: "T | take 1"})
	if !ok || !strings.HasPrefix(uri, "secmcp://contoso/plugins/p/s/") {
		t.Fatalf("keep: %v %s", ok, uri)
	}
	id := uri[strings.LastIndex(uri, "/")+1:]
	if _, ok := s.get("contoso_uabc", id); !ok {
		t.Error("the run is not found in its own scope")
	}
	for _, other := range []string{"contoso", "contoso_udef", "fabrikam"} {
		if _, ok := s.get(other, id); ok {
			t.Errorf("the run is found in scope %s", other)
		}
	}
}

func TestSkillSettingsFilledPerTenant(t *testing.T) {
	sk := &KQLSkill{PluginName: "Cold", Settings: map[string]string{"Database": "{{Db}}", "Cluster": "https://{{Cluster}}.kusto.windows.net", "TenantId": "{{TenantId}}"},
		Descriptor: []Setting{{Name: "Cluster", DefaultValue: "defaultcluster"}}}
	env := &Env{Settings: func(alias, plugin string) map[string]string {
		if alias == "contoso" && plugin == "Cold" {
			return map[string]string{"Db": "coldlogs"}
		}
		return nil
	}}
	contoso := tenant.New("contoso", "11111111-1111-4111-8111-111111111111", "demo", true, nil, nil)
	fabrikam := tenant.New("fabrikam", "22222222-2222-4222-8222-222222222222", "demo", true, nil, nil)
	cases := []struct {
		t         *tenant.Tenant
		key, want string
	}{
		{contoso, "Database", "coldlogs"}, {fabrikam, "Database", "{{Db}}"},
		{contoso, "cluster", "https://defaultcluster.kusto.windows.net"}, {fabrikam, "TenantId", "22222222-2222-4222-8222-222222222222"},
	}
	for _, c := range cases {
		if got := sk.setting(env, c.t, c.key); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.t.Alias, c.key, got, c.want)
		}
	}
}
