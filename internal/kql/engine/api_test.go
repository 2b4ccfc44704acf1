package engine

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/secmcp/secmcp/internal/cputime"
)

func fixedOpts() Options {
	return Options{Clock: func() time.Time { return goldenClock }}
}

func TestFromRowsRoundTrip(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC).Truncate(100 * time.Nanosecond)
	cols := []Column{{"s", "string"}, {"n", "long"}, {"i", "int"}, {"r", "real"}, {"b", "bool"},
		{"t", "datetime"}, {"d", "timespan"}, {"g", "guid"}, {"x", "dynamic"}}
	rows := [][]any{
		{"a", int64(1), 2, 1.5, true, ts, 90 * time.Second, "6F8D2E13-5BC0-4B8E-A2A1-2A1E1E31A4C3", map[string]any{"k": []any{1, "v"}}},
		{"", nil, nil, nil, nil, nil, nil, nil, nil},
	}
	tab, err := FromRows("T", cols, rows)
	if err != nil {
		t.Fatal(err)
	}
	got := tab.Rows()
	want := [][]any{
		{"a", int64(1), int64(2), 1.5, true, ts, 90 * time.Second, "6f8d2e13-5bc0-4b8e-a2a1-2a1e1e31a4c3", map[string]any{"k": []any{int64(1), "v"}}},
		{"", nil, nil, nil, nil, nil, nil, nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Rows() = %#v\nwant %#v", got, want)
	}
	if c := tab.Columns(); c[2].Type != "int" || c[8].Type != "dynamic" {
		t.Fatalf("Columns() = %v", c)
	}
}

func TestFromRowsRejectsBadCells(t *testing.T) {
	if _, err := FromRows("T", []Column{{"n", "long"}}, [][]any{{"x"}}); err == nil {
		t.Fatal("a string in a long column must be an error")
	}
	if _, err := FromRows("T", []Column{{"n", "nosuchtype"}}, nil); err == nil {
		t.Fatal("an unknown type must be an error")
	}
	if _, err := FromRows("T", []Column{{"n", "long"}}, [][]any{{int64(1), int64(2)}}); err == nil {
		t.Fatal("a row with too many cells must be an error")
	}
}

func TestCatalogQuery(t *testing.T) {
	tab, err := FromRows("Events", []Column{{"Timestamp", "datetime"}, {"User", "string"}}, [][]any{
		{goldenClock.Add(-time.Hour), "alice"},
		{goldenClock.Add(-48 * time.Hour), "bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Query(context.Background(), "Events | where Timestamp > ago(1d) | project User", MapCatalog{"Events": tab}, fixedOpts())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows(); len(got) != 1 || got[0][0] != "alice" {
		t.Fatalf("rows = %v", got)
	}
}

// TestScalarQueryError: a query that is a scalar says so in words, not
// with a Go type name.
func TestScalarQueryError(t *testing.T) {
	for q, want := range map[string]string{
		"1e+308":       "got the real literal 1e+308",
		"1 + 2":        "got a scalar expression",
		`h"secret"`:    "got an obfuscated string literal",
		"dynamic([1])": "got a dynamic literal",
		// A long literal is clipped on a character boundary.
		`"` + strings.Repeat("é", 60) + `"`: "got the string literal \"" + strings.Repeat("é", 38) + "…",
	} {
		_, err := Query(context.Background(), q, nil, fixedOpts())
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "syntax.") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v, want an error with %q", q, err, want)
		}
		if err != nil && !utf8.ValidString(err.Error()) {
			t.Errorf("%s: the error is not valid UTF-8: %q", q, err)
		}
	}
}

func TestMaxRowsTruncates(t *testing.T) {
	opts := fixedOpts()
	opts.MaxRows = 3
	res, err := Query(context.Background(), "range x from 1 to 10 step 1", nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.NumRows() != 3 || !res.Truncated || res.TotalRows != 10 {
		t.Fatalf("rows=%d truncated=%v total=%d", res.NumRows(), res.Truncated, res.TotalRows)
	}
}

func TestIntermediateLimit(t *testing.T) {
	opts := fixedOpts()
	opts.MaxIntermediateRows = 1000
	_, err := Query(context.Background(), "range x from 1 to 100 step 1 | join kind=inner (range x from 1 to 100 step 1 | extend k = 1) on $left.x == $right.k", nil, opts)
	if err != nil {
		t.Fatal(err) // 100 rows: within the limit
	}
	_, err = Query(context.Background(), "range x from 1 to 5000 step 1", nil, opts)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want ErrLimit, got %v", err)
	}
	_, err = Query(context.Background(), "let a = range x from 1 to 100 step 1 | extend k = 1; a | join kind=inner (a) on k", nil, opts)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want ErrLimit for a 10,000-row join, got %v", err)
	}
}

func TestDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start, cpu0 := time.Now(), cputime.Used()
	_, err := Query(ctx, `range x from 1 to 4000000 step 1 | extend s = strcat("a", tostring(x)) | summarize dcount(s)`, nil, fixedOpts())
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
	// CPU time, not the clock, which a loaded machine stretches (see
	// TestDeadlineStopsLongWork); run to the end the query takes ~1 s of CPU.
	if cpu, d := cputime.Used()-cpu0, time.Since(start); cpu > 500*time.Millisecond || d > 30*time.Second {
		t.Fatalf("stopping took %v of CPU time, %v on the clock", cpu, d)
	}
}

func TestErrorKinds(t *testing.T) {
	for q, want := range map[string]error{
		`externaldata(a:string)["https://x"]`: ErrExternalData,
		`Nope | take 1`:                       ErrUnknownTable,
		`print parse_user_agent("x", "y")`:    ErrNotSupported,
	} {
		_, err := Query(context.Background(), q, nil, fixedOpts())
		if !errors.Is(err, want) {
			t.Errorf("%s: want %v, got %v", q, want, err)
		}
	}
	if _, err := Query(context.Background(), "T | where", nil, fixedOpts()); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("want a syntax error, got %v", err)
	}
}

func TestRenderKind(t *testing.T) {
	res, err := Query(context.Background(), "print a = 1 | render piechart", nil, fixedOpts())
	if err != nil {
		t.Fatal(err)
	}
	if res.RenderKind() != "piechart" {
		t.Fatalf("RenderKind = %q", res.RenderKind())
	}
}

// TestCatalogTablesAreNotMutated checks that lazy gathers in one query do not
// change a shared catalog table another query reads.
func TestCatalogTablesAreNotMutated(t *testing.T) {
	tab, err := FromRows("T", []Column{{"a", "long"}}, [][]any{{int64(1)}, {int64(2)}, {int64(3)}})
	if err != nil {
		t.Fatal(err)
	}
	cat := MapCatalog{"T": tab}
	for i := 0; i < 2; i++ {
		if _, err := Query(context.Background(), "T | where a > 1 | extend b = a * 2", cat, fixedOpts()); err != nil {
			t.Fatal(err)
		}
	}
	if got := tab.Rows(); len(got) != 3 || got[0][0] != int64(1) {
		t.Fatalf("catalog table changed: %v", got)
	}
}

func TestStringBudget(t *testing.T) {
	opts := fixedOpts()
	opts.Budget.Bytes = 1 << 20
	_, err := Query(context.Background(), `range x from 1 to 1000 step 1 | extend s = strrep(strcat("abcdefg", x), 1000)`, nil, opts)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want ErrLimit, got %v", err)
	}
}

// TestConcurrentQueriesShareCatalog runs queries in parallel over one catalog
// (the emulator serves many requests from the same tables); run with -race.
func TestConcurrentQueriesShareCatalog(t *testing.T) {
	rows := make([][]any, 200)
	for i := range rows {
		rows[i] = []any{int64(i % 7), strings.Repeat("x", i%5)}
	}
	tab, err := FromRows("T", []Column{{"k", "long"}, {"s", "string"}}, rows)
	if err != nil {
		t.Fatal(err)
	}
	cat := MapCatalog{"T": tab}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 20; i++ {
				res, err := Query(context.Background(), "T | where k > 2 | join kind=inner (T | summarize c = count() by k) on k | top 5 by s", cat, fixedOpts())
				if err == nil && res.NumRows() != 5 {
					err = errors.New("wrong row count")
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
