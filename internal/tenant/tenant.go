// Package tenant holds the tenants this server serves and resolves each call
// to exactly one of them.
//
// A Tenant owns everything that must never be shared across tenants: its
// sources (Graph, Sentinel, ADX clients and their credentials, caches and 429
// back-off, all opened lazily on first use so start-up stays cheap) and its
// capacity budget. Resolution is the isolation boundary: a caller names a
// tenant (or gets its first allowed one), and a name outside the caller's
// allowed set is refused with the same words whether or not that tenant
// exists, so a caller learns nothing about other tenants.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
)

// Sources are a tenant's opened data sources. Sentinel and ADX may be nil
// when the tenant has none configured.
type Sources struct {
	Graph      source.Graph
	Sentinel   source.Kusto
	SentinelDB string
	ADX        source.Kusto
	ADXDB      string
	// ADXURL is the ADX cluster's URL (named in errors; queries go only
	// to this cluster).
	ADXURL string
}

// Opener opens a tenant's sources; it is called at most once per tenant
// unless it fails, in which case the next call tries again.
type Opener func(ctx context.Context) (*Sources, error)

// Tenant is one served tenant.
type Tenant struct {
	// Alias is the short operator-chosen name ("contoso").
	Alias string
	// ID is the Entra tenant GUID.
	ID string
	// Cloud is public, usgov, china or demo.
	Cloud string
	// Demo is true for the built-in demo tenants served by the emulator.
	Demo bool
	// Budget is the tenant's capacity budget.
	Budget *ratelimit.Budget
	// PortalTenantParam is appended to Microsoft portal links (tid=...).
	PortalTenantParam string
	// Now is the tenant's clock: time.Now for real tenants, the demo data's
	// fixed or start-up clock for demo tenants.
	Now func() time.Time
	// OnBehalfOf is true when calls of a signed-in user (an Entra ID token
	// caller) reach this tenant's sources with an on-behalf-of token for
	// that user, so the user's own rights apply; key and stdio callers
	// still read app-only.
	OnBehalfOf bool

	open    Opener
	mu      sync.Mutex
	sources *Sources
}

// New returns a tenant whose sources are opened lazily by open.
func New(alias, id, cloud string, demo bool, budget *ratelimit.Budget, open Opener) *Tenant {
	return &Tenant{Alias: alias, ID: id, Cloud: cloud, Demo: demo, Budget: budget, open: open, PortalTenantParam: "tid=" + id, Now: time.Now}
}

// Sources opens (once) and returns the tenant's sources.
func (t *Tenant) Sources(ctx context.Context) (*Sources, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sources != nil {
		return t.sources, nil
	}
	if t.open == nil {
		return nil, fmt.Errorf("tenant %s: no sources configured", t.Alias)
	}
	s, err := t.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: open sources: %w", t.Alias, err)
	}
	t.sources = s
	return s, nil
}

// Registry is the set of served tenants, in configuration order.
type Registry struct {
	order []*Tenant
}

// NewRegistry returns a registry; aliases and IDs must be unique.
func NewRegistry(ts ...*Tenant) (*Registry, error) {
	seen := map[string]bool{}
	for _, t := range ts {
		for _, k := range []string{strings.ToLower(t.Alias), strings.ToLower(t.ID)} {
			if k == "" {
				continue
			}
			if seen[k] {
				return nil, fmt.Errorf("tenant %q is configured twice (aliases and tenant IDs must be unique)", k)
			}
			seen[k] = true
		}
	}
	return &Registry{order: ts}, nil
}

// All returns the tenants in configuration order.
func (r *Registry) All() []*Tenant { return slices.Clone(r.order) }

// Aliases returns all aliases in configuration order.
func (r *Registry) Aliases() []string {
	out := make([]string, len(r.order))
	for i, t := range r.order {
		out[i] = t.Alias
	}
	return out
}

// Lookup finds a tenant by alias or ID (case-insensitive), ignoring callers.
func (r *Registry) Lookup(name string) (*Tenant, bool) {
	for _, t := range r.order {
		if strings.EqualFold(t.Alias, name) || (t.ID != "" && strings.EqualFold(t.ID, name)) {
			return t, true
		}
	}
	return nil, false
}

// ErrNotAllowed is returned (wrapped) when a caller asks for a tenant outside
// its allowed set — including tenants that do not exist.
var ErrNotAllowed = errors.New("tenant not available to this caller")

// notAllowed is a refusal that says what was refused once: its message is
// complete on its own (wrapping ErrNotAllowed with %w would repeat the
// sentinel's words in front of it), and errors.Is still matches ErrNotAllowed.
type notAllowed struct{ msg string }

func (e *notAllowed) Error() string        { return e.msg }
func (e *notAllowed) Is(target error) bool { return target == ErrNotAllowed }

// Resolve returns the one tenant a call may touch: requested (an alias or
// tenant ID) if it is in allowed, or the first allowed tenant when requested
// is empty. allowed holds aliases; "*" allows every tenant.
func (r *Registry) Resolve(allowed []string, requested string) (*Tenant, error) {
	permitted := r.permitted(allowed)
	if len(permitted) == 0 {
		return nil, &notAllowed{"this caller is allowed no tenant; ask the operator to grant one"}
	}
	if requested == "" {
		return permitted[0], nil
	}
	for _, t := range permitted {
		if strings.EqualFold(t.Alias, requested) || (t.ID != "" && strings.EqualFold(t.ID, requested)) {
			return t, nil
		}
	}
	names := make([]string, len(permitted))
	for i, t := range permitted {
		names[i] = t.Alias
	}
	return nil, &notAllowed{fmt.Sprintf("tenant %q is not available to this caller; use one of: %s", requested, strings.Join(names, ", "))}
}

// Permitted returns the tenants of allowed that exist, in registry order.
func (r *Registry) permitted(allowed []string) []*Tenant {
	var out []*Tenant
	for _, t := range r.order {
		for _, a := range allowed {
			if a == "*" || strings.EqualFold(a, t.Alias) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// Permitted is the exported form of the allowed-set filter.
func (r *Registry) Permitted(allowed []string) []*Tenant { return r.permitted(allowed) }

// Scope is the cache key of results read for ctx in this tenant: the alias
// for app-only reads, alias and user for on-behalf-of reads
// (source.ScopeFor).
func (t *Tenant) Scope(ctx context.Context) string {
	return source.ScopeFor(ctx, t.Alias, t.OnBehalfOf)
}
