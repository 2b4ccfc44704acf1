package syntax

import (
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics or hangs, that diagnostics lie
// inside the input, and that accepted queries survive Format round trips.
// Run: go test ./internal/kql/syntax -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"T | where a == 1", "let x = 1; print x", `datatable(a:string)["x"]`,
		"T | join kind=inner (U) on $left.a == $right.b", "T | parse x with * 'a' b:long",
		`T | extend d = dynamic({"a":[1,2]}), t = datetime(2024-01-01), s = 1d`,
		"T | summarize arg_max(Timestamp, *) by bin(Timestamp, 1h) | render timechart",
		"let f = (a:string, b:long = 3) { T | take b }; f('x')", "union T*, (U | take 1)",
		"T | mv-apply x = arr on (summarize sum(x))", ".show tables", "h@'secret' ```multi\nline```",
		"T | where x in~ ('a', 'b') and y !between (1 .. 2) and z matches regex @'\\d'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, diags := Parse(src)
		if s == nil {
			t.Fatal("nil script")
		}
		for _, d := range diags {
			if d.Start < 0 || d.Start+d.Length > len(src) {
				t.Fatalf("diagnostic out of range: %+v (len %d)", d, len(src))
			}
		}
		if HasErrors(diags) {
			return
		}
		text := Format(s)
		if _, d2 := Parse(text); HasErrors(d2) {
			t.Fatalf("formatted text does not parse: %q → %q: %v", src, text, d2)
		}
	})
}

func TestDeepNestingIsBounded(t *testing.T) {
	for _, src := range []string{
		"print " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000),
		"print " + strings.Repeat("-", 100000) + "1",
		"print " + strings.Repeat("f(", 50000),
		"print dynamic(" + strings.Repeat("[", 50000) + ")",
		"T" + strings.Repeat(" | where (x in (U", 5000),
	} {
		start := time.Now()
		_, d := Parse(src)
		if !HasErrors(d) {
			t.Errorf("deeply nested input accepted")
		}
		if !strings.Contains(d[0].Message, "nested too deeply") && !strings.Contains(d[0].Message, "expected") {
			t.Errorf("message = %q", d[0].Message)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("parse took %v", time.Since(start))
		}
	}
}

func TestHugeInputsRefused(t *testing.T) {
	_, d := Parse(strings.Repeat("a", MaxQueryBytes+1))
	if !HasErrors(d) || !strings.Contains(d[0].Message, "the limit is") {
		t.Fatalf("diags = %v", d)
	}
	_, d = Parse("print '" + strings.Repeat("a", MaxLiteralBytes+10) + "'")
	if !HasErrors(d) || !strings.Contains(d[0].Message, "longer than") {
		t.Fatalf("diags = %v", d)
	}
}

func TestErrorMessages(t *testing.T) {
	cases := map[string]string{
		"T | extend x = strcat('a', 'b'; T":  "expected ')' to close the call to strcat opened at 21, found ';'",
		"T | wher x == 1":                    "'wher' is not a tabular operator; did you mean 'where'?",
		"T | where x == 'abc":                "string literal is not terminated",
		"T | join (U) Col":                   "expected 'on' and the join condition",
		"T | extend t = datetime(2024-01-01": "expected ')' to close datetime(...) opened at 23",
		"T | where x in 1":                   "expected '(' and a list after 'in'",
	}
	for src, want := range cases {
		_, d := Parse(src)
		if !HasErrors(d) || !strings.Contains(d[0].Message, want) {
			t.Errorf("%q: diags %v, want %q", src, d, want)
		}
	}
}
