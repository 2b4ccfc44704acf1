package tools

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Late tools are dynamic tools (NewDynamic) that arrive while the server
// runs: another MCP server's tools are known only once it has answered
// tools/list, and change when it says so. Their toolsets are declared at
// start (Selection.Late) so --toolsets, --tools and --exclude-tools can name
// them; SetLate then replaces one toolset's tools at a time, through the
// same selection as the catalogue. Lookups of compiled-in tools do not
// touch this state; late ones read an immutable snapshot.

// lateState holds the current snapshot and the change listeners.
type lateState struct {
	cur        atomic.Pointer[lateTools]
	staticOnce sync.Once
	// staticBound is whether a compiled-in or start-up tool has Tenants.
	staticBound bool
	mu          sync.Mutex // serializes writers
	listeners   []func(toolset string, removed []string, exposed []Spec)
}

func (l *lateState) snapshot() *lateTools { return l.cur.Load() }

// lateTools is one immutable snapshot of the exposed late tools.
type lateTools struct {
	byToolset map[string][]Spec
	byName    map[string]*Spec
	// costs are every late tool's price by toolset, exposed or not;
	// prices is their union.
	costs  map[string]map[string]int
	prices map[string]int
	// bound is whether an exposed late tool has Tenants.
	bound bool
}

// HasLate reports whether the selection declared late toolsets: the tool
// list can then change while the server runs.
func (r *Registry) HasLate() bool { return len(r.sel.Late) > 0 }

// TenantBound reports whether an exposed tool is for some tenants only
// (Spec.Tenants), so tools/list must be filtered per caller.
func (r *Registry) TenantBound() bool {
	r.late.staticOnce.Do(func() {
		for _, s := range r.specs {
			r.late.staticBound = r.late.staticBound || len(s.Tenants) > 0
		}
	})
	l := r.late.snapshot()
	return r.late.staticBound || (l != nil && l.bound)
}

func (l *lateTools) specs() []Spec {
	var out []Spec
	for _, ss := range l.byToolset {
		out = append(out, ss...)
	}
	return out
}

// addLateToolsets makes the late toolsets, and tool names under them, valid
// in a selection.
func addLateToolsets(sel Selection, toolsets, names map[string]bool) error {
	for _, ts := range sel.Late {
		if err := checkDynamicName(ts, ts+"__x"); err != nil {
			return err
		}
		if toolsets[ts] {
			return fmt.Errorf("toolset %q is declared twice", ts)
		}
		toolsets[ts] = true
		for _, list := range [][]string{sel.Tools, sel.Exclude} {
			for _, n := range list {
				if strings.HasPrefix(n, ts+"_") && len(n) > len(ts)+1 {
					names[n] = true
				}
			}
		}
	}
	return nil
}

// OnLateChange registers f, called after SetLate with the toolset, the
// names no longer exposed and the toolset's exposed tools (the MCP adapter
// updates its tool list and tells clients).
func (r *Registry) OnLateChange(f func(toolset string, removed []string, exposed []Spec)) {
	r.late.mu.Lock()
	defer r.late.mu.Unlock()
	r.late.listeners = append(r.late.listeners, f)
}

// SetLate replaces the tools of the late toolset with specs (built with
// NewDynamic), keeping those the selection exposes, and returns their
// names. A spec outside the toolset, a duplicate or a compiled-in tool's
// name is refused and nothing changes.
func (r *Registry) SetLate(toolset string, specs []Spec) ([]string, error) {
	if !slices.Contains(r.sel.Late, toolset) {
		return nil, fmt.Errorf("toolset %q was not declared late", toolset)
	}
	seen := map[string]bool{}
	for _, s := range specs {
		switch {
		case !s.Dynamic || s.Toolset != toolset:
			return nil, fmt.Errorf("tool %q: not a dynamic tool of toolset %q", s.Name, toolset)
		case seen[s.Name]:
			return nil, fmt.Errorf("tool %q is registered twice", s.Name)
		}
		if _, static := r.prices[s.Name]; static {
			return nil, fmt.Errorf("tool %q is registered twice", s.Name)
		}
		if err := checkDynamicName(s.Toolset, s.Name); err != nil {
			return nil, err
		}
		seen[s.Name] = true
	}
	var exposed []Spec
	for _, s := range specs {
		on := r.enabled[toolset] || slices.Contains(r.sel.Tools, s.Name)
		if on && !slices.Contains(r.sel.Exclude, s.Name) && (!r.sel.ReadOnly || s.ReadOnly) {
			exposed = append(exposed, s)
		}
	}
	sort.Slice(exposed, func(i, j int) bool { return exposed[i].Name < exposed[j].Name })

	names := make([]string, len(exposed))
	for i, s := range exposed {
		names[i] = s.Name
	}
	r.late.mu.Lock()
	defer r.late.mu.Unlock()
	old := r.late.snapshot()
	next := r.late.next(toolset, specs, exposed)
	if old != nil && sameTools(old.byToolset[toolset], exposed) && maps.Equal(old.costs[toolset], next.costs[toolset]) {
		// A reconnect that lists the same tools changes nothing and
		// tells no client.
		return names, nil
	}
	removed := next.removedFrom(old, toolset)
	r.late.cur.Store(next)
	for _, f := range r.late.listeners {
		f(toolset, removed, slices.Clone(exposed))
	}
	return names, nil
}

// sameTools reports whether two lists describe the same tools to a client.
func sameTools(a, b []Spec) bool {
	return slices.EqualFunc(a, b, func(x, y Spec) bool {
		return x.Name == y.Name && x.Title == y.Title && x.Description == y.Description &&
			x.ReadOnly == y.ReadOnly && x.OpenWorld == y.OpenWorld && x.Timeout == y.Timeout &&
			slices.Equal(x.Tenants, y.Tenants) && bytes.Equal(x.InputSchema, y.InputSchema) && bytes.Equal(x.OutputSchema, y.OutputSchema)
	})
}

// next builds the snapshot with toolset's tools replaced (mu held).
func (l *lateState) next(toolset string, specs, exposed []Spec) *lateTools {
	old := l.snapshot()
	next := &lateTools{byToolset: map[string][]Spec{}, byName: map[string]*Spec{},
		costs: map[string]map[string]int{}, prices: map[string]int{}}
	if old != nil {
		for ts, ss := range old.byToolset {
			next.byToolset[ts] = ss
		}
		for ts, c := range old.costs {
			next.costs[ts] = c
		}
	}
	next.byToolset[toolset] = exposed
	costs := map[string]int{}
	for _, s := range specs {
		costs[s.Name] = s.Cost
	}
	next.costs[toolset] = costs
	for _, ss := range next.byToolset {
		for i := range ss {
			next.byName[ss[i].Name] = &ss[i]
			next.bound = next.bound || len(ss[i].Tenants) > 0
		}
	}
	for _, c := range next.costs {
		for n, v := range c {
			next.prices[n] = v
		}
	}
	return next
}

// removedFrom lists the tools of toolset old exposed and l does not.
func (l *lateTools) removedFrom(old *lateTools, toolset string) []string {
	if old == nil {
		return nil
	}
	var out []string
	for _, s := range old.byToolset[toolset] {
		if _, ok := l.byName[s.Name]; !ok {
			out = append(out, s.Name)
		}
	}
	return out
}
