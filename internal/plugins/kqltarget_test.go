package plugins

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/tools"
)

const defenderOnSentinel = `Descriptor:
  Name: Mixed Targets
SkillGroups:
  - Format: KQL
    Skills:
      - Name: FailedSignins
        Description: failed sign-ins, written for Sentinel but targeting Defender
        Settings:
          Target: Defender
          Template: |-
            SigninLogs
            | where ResultType != "0"
            | summarize n = count() by UserPrincipalName
      - Name: DeviceLogons
        Description: a Defender table on Defender
        Settings:
          Target: Defender
          Template: DeviceLogonEvents | take 3
      - Name: SentinelSignins
        Description: the same query on its right target
        Settings:
          Target: Sentinel
          Template: SigninLogs | take 3
`

// TestDefenderSkillOnSentinelTable: a Target: Defender skill reading a
// Sentinel-only table loads with a warning naming the table and suggesting
// Target: Sentinel (validate output too), and its run on the demo returns
// an error naming the table and the product, not the raw 400.
func TestDefenderSkillOnSentinelTable(t *testing.T) {
	res, err := LoadDirs(&Env{Runs: NewRunStore(nil)}, writeDir(t, map[string]string{"mixed.yaml": defenderOnSentinel}))
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	specs := map[string]*tools.Spec{}
	for _, s := range res.Manifests[0].Skills {
		if s.Status != Loaded {
			t.Fatalf("%s: %s %s", s.Skill, s.Status, s.Reason)
		}
		specs[s.Skill] = s.Spec
		if len(s.Warnings) > 0 {
			warned = append(warned, s.Skill)
			if w := s.Warnings[0]; !strings.Contains(w, "reads SigninLogs") || !strings.Contains(w, "Target: Sentinel") {
				t.Errorf("warning = %q", w)
			}
		}
	}
	if strings.Join(warned, ",") != "FailedSignins" {
		t.Fatalf("warned skills = %v, want only FailedSignins", warned)
	}
	var out bytes.Buffer
	res.Write(&out)
	if !strings.Contains(out.String(), "warning: reads SigninLogs, a Sentinel / Log Analytics table that Defender XDR Advanced Hunting does not have") {
		t.Errorf("validate output lacks the warning:\n%s", out.String())
	}
	contoso := demoContoso(t)
	call := tools.Call{Tenant: contoso, Principal: "test"}
	_, err = specs["FailedSignins"].Handler(context.Background(), call, nil)
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" || !strings.Contains(te.Msg, "table SigninLogs is a Sentinel / Log Analytics table") ||
		!strings.Contains(te.Msg, "Defender XDR Advanced Hunting does not have it in tenant contoso") || strings.Contains(te.Msg, "HTTP 400") {
		t.Fatalf("run error = %v", err)
	}
	for _, ok := range []string{"DeviceLogons", "SentinelSignins"} {
		if _, err := specs[ok].Handler(context.Background(), call, nil); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
