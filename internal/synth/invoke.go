package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/secmcp/secmcp/tools"
)

// Invoke runs another tool of this server in the call's tenant and returns
// its structured result (the sanitized JSON of the tool's result struct).
type Invoke func(ctx context.Context, call tools.Call, tool string, args map[string]any) (json.RawMessage, error)

// Through returns an Invoke over the invoker get returns at call time (so
// the invoker may be built after the catalogue that contains investigate).
// The sub-call runs through the invoker's whole middleware as the same
// principal, restricted to the call's one tenant: it spends its own cost from
// that tenant's budget, writes its own audit line and keeps its own deadline.
// It gets no progress or sampling facilities.
func Through(get func() *tools.Invoker) Invoke {
	return func(ctx context.Context, call tools.Call, tool string, args map[string]any) (json.RawMessage, error) {
		inv := get()
		if inv == nil {
			return nil, errors.New("synth: invoke: no tool invoker is wired")
		}
		if call.Tenant == nil {
			return nil, errors.New("synth: invoke: the call has no tenant")
		}
		m := maps.Clone(args)
		if m == nil {
			m = map[string]any{}
		}
		m["tenant"] = call.Tenant.Alias
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("synth: invoke %s: encode arguments: %w", tool, err)
		}
		caller := tools.Caller{Principal: call.Principal, Tenants: []string{call.Tenant.Alias}, Roles: call.Roles, User: call.User}
		out, err := inv.InvokeCall(ctx, caller, tool, raw, tools.Call{})
		if err != nil {
			return nil, err
		}
		return out.Structured, nil
	}
}
