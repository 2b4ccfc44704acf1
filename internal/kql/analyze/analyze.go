// Package analyze checks a parsed KQL script against a table schema: it
// resolves tables, tracks the columns flowing through each pipeline
// operator (project, extend, summarize, join, union, mv-expand, parse, ...),
// infers column types, checks built-in function names and arities, and
// suggests the closest name for unknown tables, columns and functions.
//
// When a row shape cannot be known statically (evaluate bag_unpack, a
// wildcard union, a plugin, an unnamed computed column) the analyzer marks
// it open and stops reporting unknown columns downstream: a false alarm
// on a valid query is worse than a missed typo. Explain describes a query
// step by step in plain English.
package analyze

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Options configures Analyze.
type Options struct {
	// Schema holds the known tables; nil means no table is known.
	Schema *schema.Schema
}

// Column is a column of a row type.
type Column struct {
	Name string
	Type string // KQL type, or "" when unknown
}

// RowType is the shape of a tabular result. Open means more columns than
// listed may exist (the analyzer could not know them).
type RowType struct {
	Columns []Column
	Open    bool
	// shared: Columns is a schema table's cached slice (see tableRow);
	// it must be copied before it is changed in place.
	shared bool
}

// Lookup finds a column by name.
func (r *RowType) Lookup(name string) (Column, bool) {
	if r == nil {
		return Column{}, false
	}
	for _, c := range r.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Names lists the column names.
func (r *RowType) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		out[i] = c.Name
	}
	return out
}

func (r *RowType) clone() *RowType {
	if r == nil {
		return &RowType{Open: true}
	}
	return &RowType{Columns: append([]Column(nil), r.Columns...), Open: r.Open}
}

// set adds a column or replaces the type of an existing one.
func (r *RowType) set(name, typ string) {
	for i, c := range r.Columns {
		if c.Name == name {
			r.own()
			r.Columns[i].Type = typ
			return
		}
	}
	r.Columns = append(r.Columns, Column{Name: name, Type: typ})
}

func (r *RowType) remove(name string) {
	for i, c := range r.Columns {
		if c.Name == name {
			r.own()
			r.Columns = append(r.Columns[:i], r.Columns[i+1:]...)
			return
		}
	}
}

// Result is the outcome of Analyze.
type Result struct {
	// Diagnostics are schema problems (Kind "schema").
	Diagnostics []syntax.Diagnostic
	// Tables lists the schema tables the query reads, sorted.
	Tables []string
	// Functions lists the schema's stored functions the query calls.
	Functions []string
	// Output is the row type of the last query statement, nil if none.
	Output *RowType
}

// Check parses src and analyzes it; syntax diagnostics come first.
func Check(src string, opts Options) (*syntax.Script, *Result) {
	script, diags := syntax.Parse(src)
	if syntax.HasErrors(diags) {
		return script, &Result{Diagnostics: diags}
	}
	res := Analyze(script, opts)
	res.Diagnostics = append(diags, res.Diagnostics...)
	return script, res
}

// Analyze checks a parsed script against the schema.
func Analyze(script *syntax.Script, opts Options) *Result {
	a := &analyzer{opts: opts, res: &Result{}}
	sc := newScope(nil)
	a.statements(script.Stmts, sc)
	if a.res.Output != nil {
		a.res.Output.own() // callers may change the result freely
	}
	sort.Strings(a.res.Tables)
	return a.res
}

// readsTable notes that the query reads table name (once; queries read few
// tables, so a scan is cheaper than a map).
func (a *analyzer) readsTable(name string) {
	for _, t := range a.res.Tables {
		if t == name {
			return
		}
	}
	a.res.Tables = append(a.res.Tables, name)
}

type analyzer struct {
	opts  Options
	res   *Result
	depth int
}

// entity kinds bound in a scope.
const (
	entScalar = iota
	entTabular
	entFunc
)

type entity struct {
	kind int
	typ  string   // scalar type
	row  *RowType // tabular row type, or function result when tabular
	fn   *syntax.FuncLit
}

type scope struct {
	vars   map[string]*entity
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]*entity{}, parent: parent} }

func (s *scope) lookup(name string) *entity {
	for ; s != nil; s = s.parent {
		if e, ok := s.vars[name]; ok {
			return e
		}
	}
	return nil
}

// names lists the bound names of the given kind (for suggestions).
func (s *scope) names(kind int) []string {
	var out []string
	for ; s != nil; s = s.parent {
		for n, e := range s.vars {
			if e.kind == kind {
				out = append(out, n)
			}
		}
	}
	return out
}

func (a *analyzer) errorf(n syntax.Node, fix *syntax.Fix, format string, args ...any) {
	sp := n.Pos()
	a.res.Diagnostics = append(a.res.Diagnostics, syntax.Diagnostic{
		Message: fmt.Sprintf(format, args...), Start: sp.Start, Length: max(0, sp.End-sp.Start),
		Severity: syntax.SeverityError, Kind: syntax.KindSchema, Fix: fix})
}

// unknown reports an unknown name with a did-you-mean suggestion.
func (a *analyzer) unknown(id *syntax.Ident, what string, candidates []string) {
	msg := fmt.Sprintf("unknown %s '%s'", what, id.Name)
	var fix *syntax.Fix
	if s := syntax.Closest(id.Name, candidates); s != "" {
		msg += fmt.Sprintf("; did you mean '%s'?", s)
		fix = &syntax.Fix{Title: "replace with " + s, Start: id.Start, Length: id.End - id.Start, Replacement: s}
	}
	a.errorf(id, fix, "%s", msg)
}

func (a *analyzer) statements(stmts []syntax.Stmt, sc *scope) *RowType {
	var last *RowType
	for _, st := range stmts {
		switch st := st.(type) {
		case *syntax.LetStmt:
			sc.vars[st.Name.Name] = a.letValue(st.Value, sc)
		case *syntax.ExprStmt:
			if _, isName := st.X.(*syntax.Ident); isName || a.isTabular(st.X, sc) {
				last = a.tabular(st.X, sc)
				a.res.Output = last
			} else {
				a.scalar(st.X, nil, sc)
			}
		}
	}
	return last
}

func (a *analyzer) letValue(v syntax.Expr, sc *scope) *entity {
	if f, ok := v.(*syntax.FuncLit); ok {
		return a.funcEntity(f, sc)
	}
	if a.isTabular(v, sc) {
		return &entity{kind: entTabular, row: a.tabular(v, sc)}
	}
	return &entity{kind: entScalar, typ: a.scalar(v, nil, sc)}
}

// funcEntity analyzes a function body once with its parameters bound.
func (a *analyzer) funcEntity(f *syntax.FuncLit, sc *scope) *entity {
	inner := newScope(sc)
	for _, p := range f.Params {
		if strings.HasPrefix(p.Type, "(") {
			row := &RowType{Open: true} // callers may pass wider tables
			for _, c := range p.Columns {
				row.Columns = append(row.Columns, Column{Name: c.Name.Name, Type: c.Type})
			}
			inner.vars[p.Name.Name] = &entity{kind: entTabular, row: row}
			continue
		}
		inner.vars[p.Name.Name] = &entity{kind: entScalar, typ: p.Type}
		if p.Default != nil {
			a.scalar(p.Default, nil, sc)
		}
	}
	ent := &entity{kind: entFunc, fn: f}
	a.depth++
	if a.depth < 50 {
		ent.row = a.statements(f.Body, inner)
	}
	a.depth--
	return ent
}

// isTabular guesses whether an expression denotes a table.
func (a *analyzer) isTabular(e syntax.Expr, sc *scope) bool {
	switch e := e.(type) {
	case *syntax.Pipeline:
		return true
	case *syntax.Paren:
		return a.isTabular(e.X, sc)
	case *syntax.Ident:
		if ent := sc.lookup(e.Name); ent != nil {
			return ent.kind == entTabular || (ent.kind == entFunc && ent.row != nil)
		}
		_, ok := a.opts.Schema.Table(e.Name)
		return ok
	case *syntax.Call:
		if e.Recv != nil {
			return true
		}
		switch e.Name.Name {
		case "materialize", "view", "table", "external_table", "cluster", "database", "workspace", "app":
			return true
		}
		if ent := sc.lookup(e.Name.Name); ent != nil && ent.kind == entFunc {
			return ent.row != nil
		}
		_, stored := a.opts.Schema.Function(e.Name.Name)
		return stored
	case *syntax.Member:
		return a.isTabular(e.X, sc)
	}
	return false
}
