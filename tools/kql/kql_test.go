package kql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

var clock = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// demo loads each demo tenant once for the whole test binary.
var (
	demoMu    sync.Mutex
	demoCache = map[string]*fixtures.Tenant{}
)

func demo(alias string) (*fixtures.Tenant, error) {
	demoMu.Lock()
	defer demoMu.Unlock()
	if t, ok := demoCache[alias]; ok {
		return t, nil
	}
	t, err := fixtures.Load(alias, clock)
	if err == nil {
		demoCache[alias] = t
	}
	return t, err
}

func specs() map[string]tools.Spec {
	out := map[string]tools.Spec{}
	for _, s := range Tools(Deps{Demo: demo}) {
		out[s.Name] = s
	}
	return out
}

func call(alias string, isDemo bool) tools.Call {
	return tools.Call{Tenant: tenant.New(alias, "00000000-0000-0000-0000-000000000001", "demo", isDemo, ratelimit.New(ratelimit.Default), nil), Principal: "test"}
}

// invoke runs a tool's handler with args, as the core would.
func invoke[R any](t *testing.T, name string, c tools.Call, args map[string]any) (R, error) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := specs()[name]
	if !ok {
		t.Fatalf("no tool %s", name)
	}
	res, err := s.Handler(context.Background(), c, raw)
	if err != nil {
		var zero R
		return zero, err
	}
	r, ok := res.(R)
	if !ok {
		t.Fatalf("%s returned %T", name, res)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("%s result does not encode: %v", name, err)
	}
	return r, nil
}

func TestToolset(t *testing.T) {
	all := Tools(Deps{})
	if err := tools.Validate(all); err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if !s.ReadOnly || s.Toolset != tools.ToolsetKQL {
			t.Errorf("%s: readOnly=%v toolset=%s", s.Name, s.ReadOnly, s.Toolset)
		}
		if s.NoTenant != (s.Name != "kql_run_sandbox") {
			t.Errorf("%s: NoTenant=%v", s.Name, s.NoTenant)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name, query string
		valid, safe bool
		firstKind   string
		line, col   int
		mention     string // in the first diagnostic's message
	}{
		{"clean", "DeviceProcessEvents | where Timestamp > ago(1d) | take 5", true, true, "", 0, 0, ""},
		{"syntax", "DeviceProcessEvents\n| where FileName ==", false, false, "syntax", 2, 20, "expected"},
		{"unbalanced", "DeviceProcessEvents | where (FileName == 'a'", false, false, "syntax", 1, 45, ""},
		{"misspelled column", "DeviceProcessEvents | where Timestamp > ago(1d) | where FileNme == 'x' | take 5", true, true, "schema", 1, 57, "did you mean 'FileName'"},
		{"misspelled table", "SigninLog | take 5", true, true, "schema", 1, 1, "did you mean 'SigninLogs'"},
		{"drop table", ".drop table DeviceProcessEvents", true, false, "guard", 1, 1, "control command .drop"},
		{"externaldata", "externaldata (a:string) ['https://example.com/x.csv'] | take 1", true, false, "guard", 1, 1, "externaldata is not allowed"},
		{"cross cluster", "cluster('other').database('db').T | take 1", true, false, "guard", 1, 1, "queries may only read the tables of the current workspace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := invoke[ValidateResult](t, "kql_validate", call("contoso", true), map[string]any{"query": tc.query})
			if err != nil {
				t.Fatal(err)
			}
			if r.Valid != tc.valid || r.Safe != tc.safe {
				t.Fatalf("valid=%v safe=%v, want %v %v: %s", r.Valid, r.Safe, tc.valid, tc.safe, r.Text())
			}
			if tc.firstKind == "" {
				if r.Errors != 0 {
					t.Fatalf("unexpected errors: %s", r.Text())
				}
				return
			}
			d := r.Diagnostics[0]
			if d.Kind != tc.firstKind || d.Severity != "error" || d.Line != tc.line || d.Column != tc.col || !strings.Contains(d.Message, tc.mention) {
				t.Errorf("first diagnostic %+v, want %s error at %d:%d mentioning %q", d, tc.firstKind, tc.line, tc.col, tc.mention)
			}
			if want := fmt.Sprintf("- %d:%d error (%s)", tc.line, tc.col, tc.firstKind); !strings.Contains(r.Text(), want) {
				t.Errorf("text lacks %q:\n%s", want, r.Text())
			}
		})
	}
}

func TestValidateFixesAndTarget(t *testing.T) {
	r, err := invoke[ValidateResult](t, "kql_validate", call("contoso", true), map[string]any{
		"query": "SigninLogs | where UserPrincipalNme has 'adele'", "target": "defender"})
	if err != nil {
		t.Fatal(err)
	}
	if r.FixedQuery != "SigninLogs | where UserPrincipalName has 'adele'" {
		t.Errorf("fixedQuery %q", r.FixedQuery)
	}
	joined := strings.Join(r.Suggestions, "\n")
	for _, want := range []string{"without a time filter", "Sentinel (Log Analytics) table"} {
		if !strings.Contains(joined, want) {
			t.Errorf("suggestions lack %q: %v", want, r.Suggestions)
		}
	}
	if len(r.Caps) == 0 || !strings.Contains(r.GuardedQuery, "take") {
		t.Errorf("no row cap reported: caps=%v guarded=%q", r.Caps, r.GuardedQuery)
	}
	if len(r.Sources) != 1 || r.Sources[0].URI != "secmcp://schemas/tables/SigninLogs" {
		t.Errorf("sources %+v", r.Sources)
	}
	if _, err := invoke[ValidateResult](t, "kql_validate", call("contoso", true), map[string]any{"query": "x", "target": "splunk"}); err == nil {
		t.Error("target outside the enum accepted")
	}
	if _, err := invoke[ValidateResult](t, "kql_validate", call("contoso", true), map[string]any{"query": "  \n"}); err == nil {
		t.Error("blank query accepted")
	}
}

func TestExplain(t *testing.T) {
	q := `let since = ago(7d);
DeviceProcessEvents
| where Timestamp > since and FileName =~ "powershell.exe"
| extend Encoded = ProcessCommandLine has "-enc"
| summarize Runs = count() by DeviceName, Encoded
| join kind=inner (DeviceInfo | project DeviceName, OSPlatform) on DeviceName
| project DeviceName, OSPlatform, Runs
| order by Runs desc
| take 10`
	r, err := invoke[ExplainResult](t, "kql_explain", call("contoso", true), map[string]any{"query": q})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, s := range r.Steps {
		ops[s.Operator] = true
	}
	for _, op := range []string{"let", "where", "extend", "summarize", "join", "project", "take"} {
		if !ops[op] {
			t.Errorf("no step for %s: %+v", op, r.Steps)
		}
	}
	if !ops["order"] && !ops["sort"] {
		t.Errorf("no step for order by: %+v", r.Steps)
	}
	if len(r.Tables) != 2 || r.Tables[0].Name != "DeviceInfo" || r.Tables[1].Name != "DeviceProcessEvents" {
		t.Fatalf("tables %+v", r.Tables)
	}
	if got := strings.Join(r.Tables[1].Columns, ","); !strings.Contains(got, "FileName") || !strings.Contains(got, "ProcessCommandLine") {
		t.Errorf("DeviceProcessEvents columns used: %s", got)
	}
	var out []string
	for _, c := range r.Output {
		out = append(out, c.Name)
	}
	if strings.Join(out, ",") != "DeviceName,OSPlatform,Runs" {
		t.Errorf("output %v", out)
	}
	if !strings.Contains(r.Text(), "1. ") || !strings.Contains(r.Text(), "Output columns: DeviceName, OSPlatform, Runs") {
		t.Errorf("text:\n%s", r.Text())
	}
}

func TestListTables(t *testing.T) {
	cases := []struct{ search, want string }{
		{"sign-in", "SigninLogs"},
		{"sign-ins", "SigninLogs"},
		{"process creation", "DeviceProcessEvents"},
		{"email", "EmailEvents"},
		{"network connections", "DeviceNetworkEvents"},
		{"DeviceLogonEvents", "DeviceLogonEvents"},
		{"ProcessCommandLine", "DeviceProcessEvents"},
	}
	for _, tc := range cases {
		r, err := invoke[ListTablesResult](t, "kql_list_tables", call("contoso", true), map[string]any{"search": tc.search})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Tables) == 0 || r.Tables[0].Name != tc.want {
			var names []string
			for _, x := range r.Tables {
				names = append(names, x.Name)
			}
			t.Errorf("search %q ranks %v, want %s first", tc.search, names, tc.want)
			continue
		}
		top := r.Tables[0]
		if top.Schema != "secmcp://schemas/tables/"+tc.want || len(top.Columns) == 0 || len(top.Columns) > columnsWithSearch || top.About == "" {
			t.Errorf("search %q: %+v", tc.search, top)
		}
	}
	r, err := invoke[ListTablesResult](t, "kql_list_tables", call("contoso", true), map[string]any{"search": "ProcessCommandLine", "top": 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tables) != 1 || r.Tables[0].Columns[0].Name != "ProcessCommandLine" || r.Note == "" {
		t.Errorf("matched column must come first and the rest be announced: %+v", r)
	}
	all, err := invoke[ListTablesResult](t, "kql_list_tables", call("contoso", true), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total < 40 || len(all.Tables) != all.Total {
		t.Errorf("listing without search: total %d, returned %d", all.Total, len(all.Tables))
	}
	for _, tb := range all.Tables {
		if tableKeywords[tb.Name] == "" || tb.About == "" || len(tb.Products) == 0 || len(tb.Docs) == 0 {
			t.Errorf("table %s has no description", tb.Name)
		}
	}
	none, _ := invoke[ListTablesResult](t, "kql_list_tables", call("contoso", true), map[string]any{"search": "zzqqxx"})
	if none.Total != 0 || none.Note == "" {
		t.Errorf("nonsense search: %+v", none)
	}
}

func TestSandbox(t *testing.T) {
	r, err := invoke[SandboxResult](t, "kql_run_sandbox", call("contoso", true), map[string]any{"query": "DeviceProcessEvents | take 5"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 5 || len(r.Columns) == 0 || r.Dataset != "contoso (demo data)" {
		t.Fatalf("rows=%d columns=%d dataset=%q notes=%v", len(r.Rows), len(r.Columns), r.Dataset, r.EngineNotes)
	}
	// The guard's row cap is applied and reported; top trims what is shown.
	r, err = invoke[SandboxResult](t, "kql_run_sandbox", call("fabrikam", true), map[string]any{"query": "DeviceProcessEvents | project DeviceName", "top": 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Caps) == 0 || !strings.Contains(r.Query, "take") || len(r.Rows) != 3 || !r.Truncated || r.Dataset != "fabrikam (demo data)" {
		t.Errorf("caps=%v query=%q rows=%d truncated=%v dataset=%s", r.Caps, r.Query, len(r.Rows), r.Truncated, r.Dataset)
	}
	// A real tenant is never queried: the run uses contoso and says so.
	r, err = invoke[SandboxResult](t, "kql_run_sandbox", call("prod", false), map[string]any{"query": "DeviceProcessEvents | count"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Tenant != "prod" || r.Dataset != "contoso (demo data)" || !strings.Contains(strings.Join(r.EngineNotes, " "), "not a demo tenant") {
		t.Errorf("real tenant: %+v", r)
	}
}

func TestSandboxErrors(t *testing.T) {
	cases := []struct{ query, want string }{
		{"DeviceProcessEvents | take 1 | extend Local = datetime_utc_to_local(Timestamp, 'Europe/Paris')", "not supported"},
		{".drop table DeviceProcessEvents", "refused by the read-only guard"},
		{"externaldata (a:string) ['https://example.com/x.csv']", "externaldata is not allowed"},
		{"DeviceProcessEvents | where", "syntax error at line 1"},
		{"NoSuchTable | take 1", `the sandbox has no table "NoSuchTable"; find table names with kql_list_tables`},
		// budget refusals name the limit and what to change
		{"range x from 1 to 100000 step 1 | extend k = 1 | join kind=inner (range y from 1 to 100000 step 1 | extend k = 1) on k", "the sandbox stopped the query: too large: the join's output would exceed the query's budget of"},
		{"DeviceProcessEvents | make-series c = count() on Timestamp from ago(30d) to now() step 1m by ProcessId", "make-series ("},
		{"let s = strrep('x', 1000000); print strcat(s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s) | extend t = strcat(print_0,print_0,print_0,print_0,print_0,print_0,print_0,print_0,print_0)", "too large: strcat would exceed"},
		{"T | evaluate python(typeof(*), 'result = df')", "evaluate python is not allowed"},
	}
	for _, tc := range cases {
		_, err := invoke[SandboxResult](t, "kql_run_sandbox", call("contoso", true), map[string]any{"query": tc.query})
		var te *tools.ToolError
		if !errors.As(err, &te) || !strings.Contains(te.Msg, tc.want) {
			t.Errorf("%q: error %v, want a tool error mentioning %q", tc.query, err, tc.want)
		}
	}
}

func TestHostileInput(t *testing.T) {
	for _, q := range []string{"|", "((((((((", "let", "\u202e.drop table x", strings.Repeat("T | ", 2000) + "take 1", "print '\x00'", "DeviceProcessEvents | where FileName == 'ü' | take 1"} {
		for _, name := range []string{"kql_validate", "kql_explain"} {
			raw, _ := json.Marshal(map[string]any{"query": q})
			if _, err := specs()[name].Handler(context.Background(), call("contoso", true), raw); err != nil {
				var te *tools.ToolError
				if !errors.As(err, &te) {
					t.Errorf("%s(%q): internal error %v", name, q, err)
				}
			}
		}
	}
	for _, s := range []string{"the table", "-", "ü", strings.Repeat("x ", 100)} {
		if _, err := invoke[ListTablesResult](t, "kql_list_tables", call("contoso", true), map[string]any{"search": s}); err != nil {
			t.Errorf("search %q: %v", s, err)
		}
	}
}

func TestValidateTargetColumnsAndTables(t *testing.T) {
	r, err := invoke[ValidateResult](t, "kql_validate", call("contoso", true), map[string]any{
		"query": "DeviceProcessEvents | where MachineGroup == 'x' | join (SecurityAlert) on $left.DeviceName == $right.CompromisedEntity", "target": "defender"})
	if err != nil {
		t.Fatal(err)
	}
	text := r.Text()
	for _, want := range []string{"MachineGroup", "SecurityAlert is not a table of Defender XDR Advanced Hunting", "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/securityalert"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if r.Errors < 2 {
		t.Errorf("errors = %d, want the column and the table", r.Errors)
	}
	ok, err := invoke[ValidateResult](t, "kql_validate", call("contoso", true), map[string]any{
		"query": "DeviceProcessEvents | where MachineGroup == 'x'", "target": "sentinel"})
	if err != nil || ok.Errors != 0 {
		t.Errorf("sentinel has MachineGroup: %v %s", err, ok.Text())
	}
	lt, err := invoke[ListTablesResult](t, "kql_list_tables", call("contoso", true), map[string]any{"search": "software inventory", "target": "defender"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range lt.Tables {
		if tb.Name == "DeviceTvmSoftwareInventory" && (tb.TimeColumn != "" || tb.TimeColumns["sentinel"] != "TimeGenerated" || len(tb.Docs) != 2) {
			t.Errorf("DeviceTvmSoftwareInventory in defender: %+v", tb)
		}
		if tb.Name == "SigninLogs" {
			t.Error("defender listing has SigninLogs")
		}
	}
}
