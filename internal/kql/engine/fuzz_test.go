package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// FuzzExecute runs arbitrary query text against a small catalog: the engine
// must return (a result or an error) without panicking and within its deadline.
// Seeds include every hostile class of budget_test.go; the budget is small,
// so a query that escapes it shows up as a heap or deadline overrun:
//
//	go test -run '^$' -fuzz FuzzExecute -fuzztime 10m ./internal/kql/engine/
func FuzzExecute(f *testing.F) {
	for _, hq := range hostileQueries {
		f.Add(hq.q)
	}
	for _, s := range []string{
		`T | where s has "a" | summarize count() by n`,
		`T | extend x = parse_json(d).a[0] | mv-expand x | project x`,
		`let f = (a:long) { a * 2 }; T | project f(n)`,
		`T | join kind=leftouter (T | project n, z = s) on n | top 3 by n`,
		`T | parse s with a "-" b:long | where isnotnull(b)`,
		`range x from 1 to 10 step 1 | summarize make_list(x), percentile(x, 50)`,
		`print replace_regex("aaa", "a+", "b"), extract_all(@"(\d)", "a1b2")`,
		`T | make-series c = count() on t from datetime(2024-01-01) to datetime(2024-01-05) step 1d`,
		`T | evaluate bag_unpack(d) | getschema`,
		`union T, (T | take 1) | sort by n asc nulls first | distinct *`,
		`datatable(a:dynamic)[dynamic({"x":[1,{"y":2}]})] | mv-expand a | extend k = bag_keys(a)`,
	} {
		f.Add(s)
	}
	tab, err := FromRows("T", []Column{{"s", "string"}, {"n", "long"}, {"d", "dynamic"}, {"t", "datetime"}}, [][]any{
		{"a-1", int64(1), map[string]any{"a": []any{int64(1)}}, goldenClock},
		{"b-2", nil, nil, nil},
		{"", int64(3), []any{"x"}, goldenClock.Add(-time.Hour)},
	})
	if err != nil {
		f.Fatal(err)
	}
	cat := MapCatalog{"T": tab}
	budget := Budget{Bytes: 16 << 20, Cells: 2_000_000, Rows: 1_000_000, Steps: 200_000_000}
	opts := Options{Clock: func() time.Time { return goldenClock }, MaxIntermediateRows: 200_000, MaxRows: 100, Budget: budget}
	f.Fuzz(func(t *testing.T, q string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r := newRunner(ctx, cat, opts)
		script, diags := syntax.Parse(q)
		if syntax.HasErrors(diags) {
			return
		}
		start, cpu0 := time.Now(), cputime.Used()
		base := heapObjects()
		peak := base
		done, sampled := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				peak = max(peak, heapObjects())
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		_, err := runWith(r, script)
		close(done)
		<-sampled
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("panic on %q: %v", q, err)
		}
		// CPU time, not the clock, which a loaded machine stretches; the
		// clock's bound only catches a query that blocks.
		if cpu, d := cputime.Used()-cpu0, time.Since(start); cpu > 3*time.Second || d > 60*time.Second {
			t.Fatalf("query took %v of CPU time, %v on the clock (deadline 2s): %q", cpu, d, q)
		}
		// a refused charge may leave a counter past its limit; an answered
		// query must have stayed within every one
		if err == nil && (r.m.bytes > budget.Bytes || r.m.cells > budget.Cells || r.m.rows > budget.Rows) {
			t.Fatalf("answered past the budget (bytes %d, cells %d, rows %d): %q", r.m.bytes, r.m.cells, r.m.rows, q)
		}
		if grew := int64(peak) - int64(base); grew > 4*budget.Bytes+32<<20 {
			t.Fatalf("the heap grew by %d MiB for a %d MiB budget: %q", grew>>20, budget.Bytes>>20, q)
		}
	})
}
