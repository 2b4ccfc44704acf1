package plugins

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/tools"
)

const kustoManifest = `Descriptor:
  Name: Cold Hunts
  Description: hunts on the Sentinel archive in ADX
SkillGroups:
  - Format: KQL
    Skills:
      - Name: ComputerEvents
        Description: security events of a computer
        Inputs:
          - Name: computer
            Description: computer name
            Required: true
        Settings:
          Target: Kusto
          Cluster: https://{{Cluster}}.kusto.windows.net
          Database: SentinelArchive
          Template: |-
            SecurityEvent
            | where Computer has '{{computer}}'
            | summarize n = count() by Computer
      - Name: CustomTable
        Description: a table the archive lacks
        Settings:
          Target: Kusto
          Template: MyFirewall_CL | take 5
      - Name: OtherCluster
        Description: written for another cluster and database
        Settings:
          Target: Kusto
          Cluster: https://amycluster.kusto.windows.net
          Database: mydbname
          Template: SecurityEvent | take 1
`

// TestKustoSkillsOnDemoADX runs Kusto-target skills through the real
// azkustodata client against the emulator's demo ADX cluster: rows from its
// SentinelArchive database, ADX's own refusals for a missing table or
// database, and a pluginSettings Database the operator gives.
func TestKustoSkillsOnDemoADX(t *testing.T) {
	settings := map[string]string{}
	env := &Env{PrepareKQL: func(q string) (string, []string, error) { return kqlcheck.Default().Prepare(q) }, Runs: NewRunStore(nil),
		Settings: func(string, string) map[string]string { return settings }}
	res, err := LoadDirs(env, writeDir(t, map[string]string{"cold.yaml": kustoManifest}))
	if err != nil {
		t.Fatal(err)
	}
	contoso := demoContoso(t)
	run := func(skill, args string) (any, error) {
		for _, m := range res.Manifests {
			for _, s := range m.Skills {
				if s.Skill == skill {
					if s.Status != Loaded {
						t.Fatalf("%s: %s %s", skill, s.Status, s.Reason)
					}
					return s.Spec.Handler(context.Background(), tools.Call{Tenant: contoso, Principal: "test"}, []byte(args))
				}
			}
		}
		t.Fatalf("no skill %s", skill)
		return nil, nil
	}
	out, err := run("ComputerEvents", `{"computer":"contoso"}`)
	if err != nil {
		t.Fatal(err)
	}
	if r := out.(RunResult); r.TotalRows == 0 || r.Database != "SentinelArchive" || r.Target != "Kusto" {
		t.Fatalf("want rows from SentinelArchive, got %d rows from %q", r.TotalRows, r.Database)
	}
	wantRefusal := func(skill, want string) {
		t.Helper()
		_, err := run(skill, `{}`)
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != "not_found" || !strings.Contains(te.Msg, want) {
			t.Fatalf("%s: want a not_found refusal containing %q, got %v", skill, want, err)
		}
	}
	wantRefusal("CustomTable", "table MyFirewall_CL does not exist in database SentinelArchive on tenant contoso's Azure Data Explorer cluster")
	wantRefusal("OtherCluster", "database mydbname does not exist on tenant contoso's Azure Data Explorer cluster")
	wantRefusal("OtherCluster", "the skill was written for cluster https://amycluster.kusto.windows.net")
	settings["Database"] = "sentinelarchive" // database names are case-insensitive
	if out, err = run("OtherCluster", `{}`); err != nil || out.(RunResult).TotalRows != 1 {
		t.Fatalf("with pluginSettings Database: %v", err)
	}
}
