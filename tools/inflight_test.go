package tools

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
)

type waitParams struct {
	Nested bool `json:"nested,omitempty"`
}

type waitResult struct {
	Tenant string `json:"tenant"`
}

// TestInvokeInflightPerTenant: with a cap of 2, a third concurrent call of
// the same tenant is refused at once with a tool error naming the limit,
// the other tenant's calls still run, and sub-calls made by a running call
// do not count again.
func TestInvokeInflightPerTenant(t *testing.T) {
	gate := make(chan struct{})
	started := make(chan struct{}, 8)
	var inv *Invoker
	wait := New("demo", "demo_get_wait", "Block until released.", func(ctx context.Context, c Call, p waitParams) (waitResult, error) {
		if p.Nested {
			raw := json.RawMessage(`{"name":"n","tenant":"` + c.Tenant.Alias + `"}`)
			if _, err := inv.Invoke(ctx, Caller{Principal: c.Principal, Tenants: []string{c.Tenant.Alias}}, "demo_get_echo", raw, nil); err != nil {
				return waitResult{}, err
			}
			return waitResult{Tenant: c.Tenant.Alias}, nil
		}
		started <- struct{}{}
		<-gate
		return waitResult{Tenant: c.Tenant.Alias}, nil
	})
	budget := ratelimit.Config{UnitsPerMinute: 6000, Burst: 100}
	a := tenant.New("alpha", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(budget), nil)
	b := tenant.New("beta", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(budget), nil)
	reg, _ := tenant.NewRegistry(a, b)
	tr, err := NewRegistry([]Spec{echoTool(), wait}, Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	inv = &Invoker{Tools: tr, Tenants: reg, Inflight: ratelimit.NewInflight(2)}
	c := Caller{Principal: "k", Tenants: []string{"*"}}
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := inv.Invoke(ctx, c, "demo_get_wait", json.RawMessage(`{"tenant":"alpha"}`), nil); err != nil {
				t.Errorf("blocked call: %v", err)
			}
		}()
	}
	<-started
	<-started
	_, err = inv.Invoke(ctx, c, "demo_get_echo", json.RawMessage(`{"name":"a","tenant":"alpha"}`), nil)
	var te *ToolError
	if !errors.As(err, &te) || te.Kind != "rate_limited" || te.RetryAfter <= 0 ||
		!strings.Contains(te.Msg, "(2, --max-inflight-per-tenant)") || !strings.Contains(te.Msg, "--max-inflight-per-tenant") {
		t.Fatalf("third concurrent alpha call: want a rate_limited tool error naming the limit, got %v", err)
	}
	if _, err := inv.Invoke(ctx, c, "demo_get_echo", json.RawMessage(`{"name":"a","tenant":"beta"}`), nil); err != nil {
		t.Fatalf("beta refused while alpha is at its cap: %v", err)
	}
	close(gate)
	wg.Wait()
	inv.Inflight = ratelimit.NewInflight(1)
	if _, err := inv.Invoke(ctx, c, "demo_get_wait", json.RawMessage(`{"tenant":"alpha","nested":true}`), nil); err != nil {
		t.Fatalf("a sub-call of a running call must not need a second slot: %v", err)
	}
}
