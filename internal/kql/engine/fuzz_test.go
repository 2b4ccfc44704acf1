package engine

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzExecute runs arbitrary query text against a small catalog: the engine
// must return (a result or an error) without panicking and within its deadline.
func FuzzExecute(f *testing.F) {
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
	opts := Options{Clock: func() time.Time { return goldenClock }, MaxIntermediateRows: 20000, MaxRows: 100}
	f.Fuzz(func(t *testing.T, q string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err := Query(ctx, q, cat, opts)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("panic on %q: %v", q, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("query took %v: %q", d, q)
		}
	})
}
