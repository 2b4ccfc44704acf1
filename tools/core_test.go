package tools

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
)

type echoParams struct {
	Severity string `json:"severity,omitempty" enum:"low,high"`
	Top      int    `json:"top,omitempty" minimum:"1" maximum:"10"`
	Name     string `json:"name" maxLength:"8"`
}

type echoResult struct {
	Got    echoParams `json:"got"`
	Tenant string     `json:"tenant"`
	When   time.Time  `json:"when"`
}

func echoTool() Spec {
	return New("demo", "demo_get_echo", "Echo the arguments.", func(ctx context.Context, c Call, p echoParams) (echoResult, error) {
		if p.Name == "boom" {
			panic("boom")
		}
		return echoResult{Got: p, Tenant: c.Tenant.Alias}, nil
	}, WithCost(3))
}

func newTestInvoker(t *testing.T, budget ratelimit.Config) *Invoker {
	t.Helper()
	a := tenant.New("alpha", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(budget), nil)
	b := tenant.New("beta", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(budget), nil)
	reg, err := tenant.NewRegistry(a, b)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewRegistry([]Spec{echoTool()}, Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return &Invoker{Tools: tr, Tenants: reg}
}

func TestDecodeArgsErrors(t *testing.T) {
	cases := map[string]string{
		`{"name":"x","sevrity":"low"}`:  `unknown argument "sevrity"; did you mean "severity"?; valid arguments: name, severity, tenant, top`,
		`{"name":"x","top":"5"}`:        `argument "top" must be an integer`,
		`{"name":"x","severity":"mid"}`: `must be one of low, high`,
		`{"name":"x","top":11}`:         `must be at most 10`,
		`{"name":"123456789"}`:          `the limit is 8`,
		`{}`:                            `missing required argument "name"`,
		`[1,2]`:                         `must be a JSON object`,
	}
	for in, want := range cases {
		var p echoParams
		err := DecodeArgs(json.RawMessage(in), &p)
		var te *ToolError
		if !errors.As(err, &te) || !strings.Contains(te.Msg, want) {
			t.Errorf("DecodeArgs(%s) = %v, want ToolError containing %q", in, err, want)
		}
	}
	var p echoParams
	if err := DecodeArgs(json.RawMessage(`{"name":"ok","severity":"low","top":3}`), &p); err != nil || p.Top != 3 {
		t.Fatalf("valid args rejected: %v %+v", err, p)
	}
	// A string argument sent as a JSON number is taken as its literal text.
	if err := DecodeArgs(json.RawMessage(`{"name":1000,"top":3}`), &p); err != nil || p.Name != "1000" {
		t.Fatalf("numeric string argument: %v %+v", err, p)
	}
	if err := DecodeArgs(json.RawMessage(`{"name":-1.5e3}`), &p); err != nil || p.Name != "-1.5e3" {
		t.Fatalf("numeric string argument with sign and exponent: %v %+v", err, p)
	}
	var te *ToolError
	if err := DecodeArgs(json.RawMessage(`{"name":true}`), &p); !errors.As(err, &te) || !strings.Contains(te.Msg, `argument "name" must be a string`) {
		t.Fatalf("boolean for a string argument: want a type error, got %v", err)
	}
}

func TestInvokeTenantIsolation(t *testing.T) {
	inv := newTestInvoker(t, ratelimit.Config{UnitsPerMinute: 6000, Burst: 100})
	ctx := context.Background()
	onlyAlpha := Caller{Principal: "k1", Tenants: []string{"alpha"}}
	out, err := inv.Invoke(ctx, onlyAlpha, "demo_get_echo", json.RawMessage(`{"name":"a"}`), nil)
	if err != nil || !strings.Contains(string(out.Structured), `"tenant":"alpha"`) {
		t.Fatalf("default tenant: %v %s", err, out.Structured)
	}
	_, errB := inv.Invoke(ctx, onlyAlpha, "demo_get_echo", json.RawMessage(`{"name":"a","tenant":"beta"}`), nil)
	_, errX := inv.Invoke(ctx, onlyAlpha, "demo_get_echo", json.RawMessage(`{"name":"a","tenant":"nosuch"}`), nil)
	if errB == nil || errX == nil {
		t.Fatal("foreign tenant allowed")
	}
	// Same words for an existing foreign tenant and a missing one.
	if strings.Replace(errB.Error(), `"beta"`, `"X"`, 1) != strings.Replace(errX.Error(), `"nosuch"`, `"X"`, 1) {
		t.Fatalf("refusals differ and leak existence:\n%s\n%s", errB, errX)
	}
	// By tenant ID works for an allowed tenant.
	if _, err := inv.Invoke(ctx, onlyAlpha, "demo_get_echo", json.RawMessage(`{"name":"a","tenant":"11111111-1111-4111-8111-111111111111"}`), nil); err != nil {
		t.Fatal(err)
	}
}

func TestInvokeRateLimitAndPanic(t *testing.T) {
	inv := newTestInvoker(t, ratelimit.Config{UnitsPerMinute: 60, Burst: 6})
	ctx := context.Background()
	c := Caller{Principal: "k", Tenants: []string{"*"}}
	for i := 0; i < 2; i++ {
		if _, err := inv.Invoke(ctx, c, "demo_get_echo", json.RawMessage(`{"name":"a"}`), nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := inv.Invoke(ctx, c, "demo_get_echo", json.RawMessage(`{"name":"a"}`), nil)
	var te *ToolError
	if !errors.As(err, &te) || te.Kind != "rate_limited" || te.RetryAfter <= 0 || !strings.Contains(te.Msg, "retry after") {
		t.Fatalf("third call should be rate limited, got %v", err)
	}
	if !regexp.MustCompile(`retry after [1-9][0-9]*s`).MatchString(te.Msg) {
		t.Fatalf("refusal %q must advise a whole number of seconds, at least 1", te.Msg)
	}
	// The other tenant's budget is untouched.
	if _, err := inv.Invoke(ctx, c, "demo_get_echo", json.RawMessage(`{"name":"a","tenant":"beta"}`), nil); err != nil {
		t.Fatalf("beta limited by alpha's traffic: %v", err)
	}
	_, err = inv.Invoke(ctx, c, "demo_get_echo", json.RawMessage(`{"name":"boom","tenant":"beta"}`), nil)
	if err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("panic not converted: %v", err)
	}
}

func TestSanitize(t *testing.T) {
	in := "po\u202ewer\u200bshell\x07 -enc\tX\n"
	if got := SanitizeText(in); got != "powershell -enc\tX\n" {
		t.Fatalf("SanitizeText = %q", got)
	}
	b, err := SanitizeJSON([]byte(`{"a":"x\u202ey","b":["\u0007z"]}`))
	if err != nil || string(b) != `{"a":"xy","b":["z"]}` {
		t.Fatalf("SanitizeJSON = %s %v", b, err)
	}
}

func TestRegistrySelection(t *testing.T) {
	w := echoTool()
	w.Name, w.ReadOnly = "demo_run_write", false
	all := []Spec{echoTool(), w}
	r, err := NewRegistry(all, Selection{ReadOnly: true})
	if err != nil || len(r.Specs()) != 1 {
		t.Fatalf("read-only must hide writers: %v %d", err, len(r.Specs()))
	}
	r, _ = NewRegistry(all, Selection{ReadOnly: false, Exclude: []string{"demo_get_echo"}, Tools: []string{"demo_get_echo"}})
	if len(r.Specs()) != 1 || r.Specs()[0].Name != "demo_run_write" {
		t.Fatal("exclude must win over tools")
	}
	if _, err := NewRegistry(all, Selection{Toolsets: []string{"dmo"}}); err == nil || !strings.Contains(err.Error(), `did you mean "demo"`) {
		t.Fatalf("unknown toolset: %v", err)
	}
	if _, err := NewRegistry(append(all, echoTool()), Selection{}); err == nil {
		t.Fatal("duplicate names accepted")
	}
}

func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	from, to, err := Window("7d", "", now, time.Hour)
	if err != nil || !from.Equal(now.Add(-7*24*time.Hour)) || !to.Equal(now) {
		t.Fatalf("7d: %v %v %v", from, to, err)
	}
	for _, bad := range [][2]string{{"yesterday", ""}, {"1h", "2h"}, {"200d", ""}} {
		if _, _, err := Window(bad[0], bad[1], now, time.Hour); err == nil {
			t.Errorf("Window(%q,%q) accepted", bad[0], bad[1])
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := EncodeCursor("x_list_y", 50, "")
	if skip, _, err := DecodeCursor("x_list_y", c); err != nil || skip != 50 {
		t.Fatal(skip, err)
	}
	if _, _, err := DecodeCursor("other_list_y", c); err == nil {
		t.Fatal("cursor of another tool accepted")
	}
}

// TestDecodeArgsArrayItemType: a wrong item in an array argument is named as
// an item, not as if the whole argument had to be a string.
func TestDecodeArgsArrayItemType(t *testing.T) {
	var p struct {
		Accounts []string `json:"accounts,omitempty"`
		Top      int      `json:"top,omitempty"`
	}
	err := DecodeArgs(json.RawMessage(`{"accounts":["a",1]}`), &p)
	if err == nil || err.Error() != `every item of argument "accounts" must be a string, got JSON number` {
		t.Errorf("number in a string array: %v", err)
	}
	err = DecodeArgs(json.RawMessage(`{"accounts":"a"}`), &p)
	if err == nil || err.Error() != `argument "accounts" must be an array, got JSON string` {
		t.Errorf("string for an array: %v", err)
	}
	err = DecodeArgs(json.RawMessage(`{"top":"x"}`), &p)
	if err == nil || err.Error() != `argument "top" must be an integer, got JSON string` {
		t.Errorf("string for an integer: %v", err)
	}
}
