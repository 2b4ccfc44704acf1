// Package demoquery runs KQL with the in-memory engine over a demo tenant's
// tables. It is the emulator's query runner (Advanced Hunting's
// runHuntingQuery and the Kusto v2 endpoint) and the offline sandbox's, so
// the same engine answers every KQL path in demo mode.
//
// Converting a tenant's row tables into the engine's columnar tables is done
// once per tenant and cached: tenants are immutable after generation.
package demoquery

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kql/engine"
)

// MaxRows caps a demo query's result.
const MaxRows = 10_000

// Runner implements fixtures.QueryRunner with the engine.
type Runner struct {
	mu   sync.Mutex
	cats map[*fixtures.Tenant]*catalogOnce
}

type catalogOnce struct {
	once sync.Once
	cat  engine.MapCatalog
	err  error
}

// Catalog returns the tenant's tables as an engine catalog (built once).
func (r *Runner) Catalog(t *fixtures.Tenant) (engine.MapCatalog, error) {
	r.mu.Lock()
	if r.cats == nil {
		r.cats = map[*fixtures.Tenant]*catalogOnce{}
	}
	c, ok := r.cats[t]
	if !ok {
		c = &catalogOnce{}
		r.cats[t] = c
	}
	r.mu.Unlock()
	c.once.Do(func() { c.cat, c.err = Convert(t) })
	return c.cat, c.err
}

// Convert builds an engine catalog from a tenant's tables.
func Convert(t *fixtures.Tenant) (engine.MapCatalog, error) {
	cat := engine.MapCatalog{}
	for name, tb := range t.Tables {
		cols := make([]engine.Column, len(tb.Columns))
		for i, c := range tb.Columns {
			cols[i] = engine.Column(c)
		}
		et, err := engine.FromRows(name, cols, tb.Rows)
		if err != nil {
			return nil, fmt.Errorf("demo table %s: %w", name, err)
		}
		cat[name] = et
	}
	return cat, nil
}

// Run executes query against the tenant's tables with the tenant's clock.
func (r *Runner) Run(ctx context.Context, t *fixtures.Tenant, database, query string) (*fixtures.Table, error) {
	cat, err := r.Catalog(t)
	if err != nil {
		return nil, err
	}
	clock := t.Clock
	if now, ok := fixtures.QueryNow(ctx); ok {
		clock = now
	}
	res, err := engine.Query(ctx, query, cat, engine.Options{Clock: func() time.Time { return clock }, MaxRows: MaxRows})
	if err != nil {
		return nil, err
	}
	cols := res.Columns()
	out := &fixtures.Table{Name: "PrimaryResult", Columns: make([]fixtures.Column, len(cols)), Rows: res.Rows()}
	for i, c := range cols {
		out.Columns[i] = fixtures.Column(c)
	}
	return out, nil
}
