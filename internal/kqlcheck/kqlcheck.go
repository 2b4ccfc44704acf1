// Package kqlcheck is the one KQL validator the server uses everywhere: the
// kql_validate tool, and the gate that Defender Advanced Hunting and Sentinel
// queries pass before they are sent. It merges the three checks of the KQL
// front end into one report:
//
//   - syntax (internal/kql/syntax): the query parses;
//   - schema (internal/kql/analyze): tables, columns and functions exist, with
//     did-you-mean fixes;
//   - guard (internal/kql/guard): the query is read-only and within limits,
//     and the capped text that would actually run.
//
// Validity follows the contract of kql_validate: a query is valid exactly
// when it has no syntax errors. Schema errors do not make a query invalid —
// a real workspace may have tables and columns (custom logs, new preview
// columns) that the built-in schema does not know — and they do not stop the
// gate for the same reason. Guard refusals make a query unsafe, and the gate
// refuses unsafe queries.
//
// The package does no I/O. The built-in schemas (BuiltinSchema, and
// TargetSchema per product) come from the table catalogue
// (internal/kql/catalog), built on first use, so a server that never
// validates a query never pays for it.
package kqlcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/guard"
	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Kinds and severities of diagnostics (the same values the front end uses).
const (
	KindSyntax = syntax.KindSyntax
	KindSchema = syntax.KindSchema
	KindGuard  = syntax.KindGuard

	SeverityError   = syntax.SeverityError
	SeverityWarning = syntax.SeverityWarning
)

// Checker validates KQL against one schema under one set of guard options.
// It is immutable and safe for concurrent use.
type Checker struct {
	schema *schema.Schema
	guard  guard.Options
}

// New returns a Checker. A nil schema turns the schema checks off (only
// syntax and guard diagnostics are reported). When opts.Schema is nil the
// guard uses s too (it needs the tables' time columns for a time-window cap).
func New(s *schema.Schema, opts guard.Options) *Checker {
	if opts.Schema == nil {
		opts.Schema = s
	}
	return &Checker{schema: s, guard: opts}
}

// Schema returns the schema the Checker validates against (nil when schema
// checks are off).
func (c *Checker) Schema() *schema.Schema { return c.schema }

// GuardOptions returns the guard options the Checker applies.
func (c *Checker) GuardOptions() guard.Options { return c.guard }

// Diagnostic is one problem in a query. Start and Length are byte offsets
// into the UTF-8 query text; Line and Column (1-based, Column counted in
// characters) locate Start for a person.
type Diagnostic struct {
	Message  string      `json:"message"`
	Start    int         `json:"start" jsonschema:"byte offset of the problem in the query"`
	Length   int         `json:"length" jsonschema:"length in bytes of the text the problem refers to"`
	Line     int         `json:"line" jsonschema:"1-based line of start"`
	Column   int         `json:"column" jsonschema:"1-based column (in characters) of start"`
	Severity string      `json:"severity" enum:"error,warning"`
	Kind     string      `json:"kind" enum:"syntax,schema,guard"`
	Fix      *syntax.Fix `json:"fix,omitempty" jsonschema:"a suggested edit: replace [start, start+length) with replacement"`
}

// Column is an output column of the query.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// Report is the outcome of Validate.
type Report struct {
	// Valid is true exactly when the query has no syntax errors.
	Valid bool `json:"valid"`
	// Safe is true when the read-only guard allows the query to run.
	Safe bool `json:"safe"`
	// Diagnostics are every problem found: errors first, each group by
	// position (syntax, then guard, then schema at the same position).
	Diagnostics []Diagnostic `json:"diagnostics"`
	// Errors and Warnings count Diagnostics by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Refusal is the guard's first refusal ("" when Safe).
	Refusal string `json:"refusal,omitempty"`
	// Guarded is the text that would run after the guard's caps ("" when
	// the query is invalid or refused).
	Guarded string `json:"guardedQuery,omitempty"`
	// Caps lists, in plain words, each cap the guard applied.
	Caps []string `json:"caps"`
	// FixedQuery is the query with every suggested fix applied ("" when no
	// diagnostic carries a fix).
	FixedQuery string `json:"fixedQuery,omitempty"`
	// Suggestions are advice that is not an error (e.g. a missing time filter).
	Suggestions []string `json:"suggestions"`
	// Tables are the known tables the query reads.
	Tables []string `json:"tables"`
	// Output is the result's columns as far as the analyzer can tell;
	// OutputOpen means more columns than listed may exist.
	Output     []Column `json:"output"`
	OutputOpen bool     `json:"outputOpen,omitempty"`
}

// Validate runs every check on query and merges the results.
func (c *Checker) Validate(query string) Report {
	rep := Report{Diagnostics: []Diagnostic{}, Caps: []string{}, Suggestions: []string{}, Tables: []string{}, Output: []Column{}}
	// One parse serves the analyzer and the guard; the guard rewrites the
	// tree, so everything that reads it runs first.
	script, parsed := syntax.Parse(query)
	diags := append([]syntax.Diagnostic(nil), parsed...)
	if c.schema != nil && !syntax.HasErrors(parsed) {
		res := analyze.Analyze(script, analyze.Options{Schema: c.schema})
		diags = append(diags, res.Diagnostics...)
		rep.Tables = append(rep.Tables, res.Tables...)
		if res.Output != nil {
			for _, col := range res.Output.Columns {
				rep.Output = append(rep.Output, Column(col))
			}
			rep.OutputOpen = res.Output.Open
		}
	}
	rep.Valid = !hasKind(diags, KindSyntax, SeverityError)
	diags = append(diags, deprecatedTables(script, rep.Tables)...)
	var advice []string
	if rep.Valid && script != nil {
		advice = timeFilterAdvice(script, rep.Tables, c.schema)
	}
	diags = append(diags, c.hiddenDiagnostics(query, diags)...)
	g := guard.CheckParsed(query, script, parsed, c.guard)
	for _, d := range g.Diagnostics {
		if d.Kind == KindGuard {
			diags = append(diags, d)
		}
	}
	rep.Safe = g.Allowed()
	rep.Refusal = g.Refusal()
	if rep.Safe {
		rep.Guarded = g.Query
		rep.Caps = append(rep.Caps, g.Caps...)
	}
	sort.SliceStable(diags, func(i, j int) bool {
		if ei, ej := diags[i].Severity == SeverityError, diags[j].Severity == SeverityError; ei != ej {
			return ei
		}
		if diags[i].Start != diags[j].Start {
			return diags[i].Start < diags[j].Start
		}
		return kindRank[diags[i].Kind] < kindRank[diags[j].Kind]
	})
	for _, d := range diags {
		rep.Diagnostics = append(rep.Diagnostics, locate(query, d))
		if d.Severity == SeverityError {
			rep.Errors++
		} else {
			rep.Warnings++
		}
	}
	rep.FixedQuery = applyFixes(query, diags)
	rep.Suggestions = append(rep.Suggestions, advice...)
	return rep
}

// Gate returns nil when query may be sent upstream, or an error of one
// sentence naming the first syntax error or guard refusal and its position.
// Schema problems do not stop the gate (see the package doc).
func (c *Checker) Gate(query string) error {
	g := guard.Check(query, c.guard)
	if g.Allowed() {
		return nil
	}
	var first *syntax.Diagnostic
	n := 0
	for i, d := range g.Diagnostics {
		if d.Severity != SeverityError {
			continue
		}
		if first == nil {
			first = &g.Diagnostics[i]
		}
		n++
	}
	return &GateError{Diagnostic: locate(query, *first), More: n - 1}
}

// GateError is the error Gate returns: the first blocking diagnostic and how
// many more there are.
type GateError struct {
	Diagnostic Diagnostic
	More       int
	schema     bool
}

func (e *GateError) Error() string {
	d := e.Diagnostic
	what := "KQL syntax error"
	if e.schema {
		what = "KQL schema error"
	}
	if d.Kind == KindGuard {
		what = "query refused by the read-only guard"
	}
	more := ""
	if e.More > 0 {
		more = fmt.Sprintf(" (and %d more problem(s); check the query with kql_validate)", e.More)
	} else if d.Kind == KindSyntax {
		more = " (check the query with kql_validate)"
	}
	return fmt.Sprintf("%s at line %d, column %d: %s%s", what, d.Line, d.Column, strings.TrimRight(d.Message, "."), more)
}

// kindRank orders diagnostics at the same position: a syntax error explains
// the rest, and a guard refusal matters more than a schema complaint about
// the same construct.
var kindRank = map[string]int{KindSyntax: 0, KindGuard: 1, KindSchema: 2}

func hasKind(ds []syntax.Diagnostic, kind, severity string) bool {
	for _, d := range ds {
		if d.Kind == kind && d.Severity == severity {
			return true
		}
	}
	return false
}

// Preflight is the check run before a query is sent to a tenant: the Gate
// (syntax and the read-only guard), then the analyzer's schema findings that
// are almost certainly mistakes — a name with a close "did you mean" match
// in a known table or among the built-in functions. A name with no close
// match passes, because a live workspace can have custom tables and columns
// newer than the built-in schema; kql_validate still reports those.
func (c *Checker) Preflight(query string) error {
	if err := c.Gate(query); err != nil {
		return err
	}
	rep := c.Validate(query)
	for _, d := range rep.Diagnostics {
		if d.Kind == KindSchema && d.Severity == SeverityError && strings.Contains(d.Message, "did you mean") {
			return &GateError{Diagnostic: d, More: 0, schema: true}
		}
	}
	return nil
}

// Prepare is Preflight plus the guard's rewrite: it returns the query to
// send — the tree rewritten with the row and time-window caps and printed
// back to KQL — and one sentence per cap applied.
func (c *Checker) Prepare(query string) (string, []string, error) {
	if err := c.Preflight(query); err != nil {
		return "", nil, err
	}
	g := guard.Check(query, c.guard)
	if !g.Allowed() || g.Query == "" {
		return query, nil, nil
	}
	return g.Query, g.Caps, nil
}
