package integration

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/tools"
)

// analyst is a demo user signed in to secmcp: a token of the demo API
// carrying the given app roles, and the Caller the HTTP server makes of it.
func analyst(t *testing.T, x *harness, u fixtures.DemoUser, roles ...string) tools.Caller {
	t.Helper()
	emu := x.emulator(t)
	tok, err := emu.IssueUserToken("contoso", u.UPN, roles)
	if err != nil {
		t.Fatal(err)
	}
	ten, _ := x.env.Registry.Lookup("contoso")
	return tools.Caller{Principal: u.UPN, Tenants: []string{"contoso"}, Roles: roles, User: tools.NewUser(ten.ID, u.ObjectID, u.UPN, tok)}
}

func invokeAs(t *testing.T, x *harness, c tools.Caller, tool string, args map[string]any) (json.RawMessage, error) {
	t.Helper()
	raw, _ := json.Marshal(args)
	// A backstop, longer than investigate's longest deadline (120 s).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := x.inv.Invoke(ctx, c, tool, raw, nil)
	if err != nil {
		return nil, err
	}
	return out.Structured, nil
}

// TestOnBehalfOfDemoAnalysts: on a tenant that reads on-behalf-of, two
// demo analysts with the same app role get different answers from the same
// tools — the senior one (Security Reader: every device) sees more
// incidents and more Advanced Hunting rows than the tier-1 one (a Defender
// role scoped to the Workstations device group), and the tier-1 analyst's
// sign-in and Sentinel reads are refused as "your account lacks ...", as
// tool errors; a key caller still reads app-only (everything); a reader
// cannot call a hunter's tool.
func TestOnBehalfOfDemoAnalysts(t *testing.T) {
	x := h(t)
	a, err := x.emulator(t).Analysts("contoso")
	if err != nil {
		t.Fatal(err)
	}
	senior, tier1 := analyst(t, x, a.Senior, tools.RoleHunter), analyst(t, x, a.Tier1, tools.RoleHunter)
	key := tools.Caller{Principal: "key", Tenants: []string{"contoso"}}
	incidents := map[string]int{}
	rows := map[string]float64{}
	for name, c := range map[string]tools.Caller{"senior": senior, "tier1": tier1, "key": key} {
		out, err := invokeAs(t, x, c, "defender_list_incidents", map[string]any{"since": "30d", "top": 200})
		if err != nil {
			t.Fatalf("%s: list incidents: %v", name, err)
		}
		var li struct{ Incidents []json.RawMessage }
		_ = json.Unmarshal(out, &li)
		incidents[name] = len(li.Incidents)
		out, err = invokeAs(t, x, c, "defender_run_hunting_query", map[string]any{"query": "DeviceInfo | summarize Devices = dcount(DeviceId)"})
		if err != nil {
			t.Fatalf("%s: hunting: %v", name, err)
		}
		var hr struct{ Rows [][]any }
		_ = json.Unmarshal(out, &hr)
		if len(hr.Rows) == 1 {
			rows[name], _ = hr.Rows[0][0].(float64)
		}
	}
	t.Logf("incidents seen: %v; devices in Advanced Hunting: %v (senior %s, tier-1 %s)", incidents, rows, a.Senior.UPN, a.Tier1.UPN)
	if !(incidents["tier1"] > 0 && incidents["tier1"] < incidents["senior"] && incidents["senior"] == incidents["key"]) {
		t.Errorf("incidents %v: want 0 < tier1 < senior == key", incidents)
	}
	if !(rows["tier1"] > 0 && rows["tier1"] < rows["senior"] && rows["senior"] == rows["key"]) {
		t.Errorf("hunting devices %v: want 0 < tier1 < senior == key", rows)
	}
	for tool, want := range map[string]string{
		"entra_list_signins": "your account (" + a.Tier1.UPN + ") lacks the delegated permission AuditLog.Read.All and Directory.Read.All (admin consent) and one of the roles Reports Reader",
		"sentinel_run_query": "your account (" + a.Tier1.UPN + ") lacks one of the roles Log Analytics Reader, Microsoft Sentinel Reader",
	} {
		args := map[string]any{}
		if tool == "sentinel_run_query" {
			args["query"] = "SigninLogs | take 1"
		}
		_, err := invokeAs(t, x, tier1, tool, args)
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != "forbidden" || !strings.Contains(te.Msg, want) {
			t.Errorf("tier1 %s: %v\nwant a forbidden tool error containing %q", tool, err, want)
		}
		if _, err := invokeAs(t, x, senior, tool, args); err != nil {
			t.Errorf("senior %s: %v", tool, err)
		}
	}
	reader := analyst(t, x, a.Senior, tools.RoleReader)
	_, err = invokeAs(t, x, reader, "defender_run_hunting_query", map[string]any{"query": "DeviceInfo | take 1"})
	if err == nil || !strings.Contains(err.Error(), "needs the app role "+tools.RoleHunter) {
		t.Errorf("reader calling a hunter's tool: %v", err)
	}
}
