package engine

import (
	"context"
	"fmt"
	"math/rand"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// runner is the state of one query execution.
type runner struct {
	ctx    context.Context
	cat    Catalog
	opts   Options
	cc     *callCtx
	m      *meter // the query's budget and what it has spent
	depth  int
	stored map[string]*binding // stored functions called so far
}

// scope is a let-binding environment; lookups walk to the parent.
type scope struct {
	parent *scope
	vars   map[string]*binding
}

// binding is what a name in a scope refers to. Tabular lets are evaluated
// lazily on first use and cached (a let that is never used is never run).
type binding struct {
	scalar  *vec            // scalar let or scalar function parameter
	table   *Table          // evaluated tabular value
	expr    syntax.Expr     // unevaluated tabular let
	fn      *syntax.FuncLit // user function / lambda
	fnScope *scope          // where fn was defined
	defined *scope          // scope expr is evaluated in
	stored  string          // a stored function's name (FunctionCatalog)
}

func (s *scope) lookup(name string) *binding {
	for c := s; c != nil; c = c.parent {
		if b, ok := c.vars[name]; ok {
			return b
		}
	}
	return nil
}

func (s *scope) child() *scope { return &scope{parent: s, vars: map[string]*binding{}} }

func newRunner(ctx context.Context, cat Catalog, opts Options) *runner {
	opts = opts.withDefaults()
	rng := rand.New(rand.NewSource(opts.Seed))
	m := newMeter(ctx, opts.Budget)
	cc := &callCtx{
		m:      m,
		now:    timeToTicks(opts.Clock().UTC()),
		re:     newRegexCache(opts.MaxRegexBytes),
		rand:   rng.Float64,
		limits: &opts,
	}
	cc.newID = func() string {
		var b [16]byte
		rng.Read(b[:])
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	if cat == nil {
		cat = MapCatalog{}
	}
	return &runner{ctx: ctx, cat: cat, opts: opts, cc: cc, m: m}
}

// check returns the context's error (a deadline gives "too slow: …").
func (r *runner) check() error { return r.m.check() }

// tick counts n units of work against Budget.Steps, polling the context
// every few thousand units.
func (r *runner) tick(n int) error { return r.m.step(n) }

// chargeString counts computed string (and array) bytes against Budget.Bytes.
func (r *runner) chargeString(n int) error {
	return r.m.addBytes("the strings and arrays the query computes", int64(n))
}

// chargeValue charges a computed string or dynamic value (its header and
// payload) against Budget.Bytes.
func (r *runner) chargeValue(v value) error {
	var n int64
	switch v.k {
	case kString:
		n = 16 + int64(len(v.s))
	case kDynamic:
		n = 16 + shallowSize(v.d)
	default:
		return nil
	}
	if r.m.bytes += n; r.m.bytes > r.m.b.Bytes {
		return tooLarge("the strings and arrays the query computes", "bytes", r.m.b.Bytes)
	}
	return nil
}

// limitTable enforces the intermediate size limits.
func (r *runner) limitTable(t *Table, what string) error {
	if t.n > r.opts.MaxIntermediateRows {
		return tooLarge(what, "rows in one table", int64(r.opts.MaxIntermediateRows))
	}
	if t.n*max(1, len(t.cols)) > r.opts.MaxCells {
		return tooLarge(what, "cells in one table", int64(r.opts.MaxCells))
	}
	return nil
}

// env is the context an expression is evaluated in: the current table's
// rows, the let scope and, inside summarize, the aggregate substitutions.
type env struct {
	t    *Table
	sc   *scope
	aggs map[syntax.Expr]string
}

func (e *env) n() int { return e.t.n }

// emptyEnv is a one-row, no-column context for scalar lets and print.
func emptyEnv(sc *scope) *env {
	return &env{t: &Table{n: 1}, sc: sc}
}

// execScript runs the statements and returns the last query's table.
func (r *runner) execScript(s *syntax.Script, sc *scope) (*Table, error) {
	var last *Table
	for _, st := range s.Stmts {
		switch x := st.(type) {
		case *syntax.LetStmt:
			if err := r.bindLet(x, sc); err != nil {
				return nil, err
			}
		case *syntax.SetStmt:
			// query options (e.g. set query_now) do not change this engine's results
		case *syntax.ExprStmt:
			t, err := r.evalTabular(x.X, sc)
			if err != nil {
				return nil, err
			}
			last = t
		case *syntax.CommandStmt:
			return nil, notSupported("control commands (%s)", firstWord(x.Text))
		default:
			return nil, notSupported("statement %T", st)
		}
	}
	if last == nil {
		return nil, fmt.Errorf("engine: the script has no query statement")
	}
	return last, nil
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return s
	}
	return f[0]
}

// bindLet adds a let statement's binding to sc.
func (r *runner) bindLet(l *syntax.LetStmt, sc *scope) error {
	name := l.Name.Name
	switch v := l.Value.(type) {
	case *syntax.FuncLit:
		sc.vars[name] = &binding{fn: v, fnScope: sc}
		return nil
	}
	if r.isTabular(l.Value, sc) {
		sc.vars[name] = &binding{expr: l.Value, defined: sc}
		return nil
	}
	vec, err := r.eval(l.Value, emptyEnv(sc))
	if err != nil {
		return fmt.Errorf("let %s: %w", name, err)
	}
	sc.vars[name] = &binding{scalar: constVec(vec.get(0), 1)}
	return nil
}

// isTabular guesses whether e denotes a table (as opposed to a scalar).
func (r *runner) isTabular(e syntax.Expr, sc *scope) bool {
	switch x := e.(type) {
	case *syntax.Pipeline:
		return true
	case *syntax.Paren:
		return r.isTabular(x.X, sc)
	case *syntax.Ident:
		if b := sc.lookup(x.Name); b != nil {
			return b.table != nil || b.expr != nil
		}
		_, ok := r.cat.Table(x.Name)
		return ok || strings.Contains(x.Name, "*")
	case *syntax.Call:
		name := strings.ToLower(x.Name.Name)
		switch name {
		case "materialize", "view", "table", "database", "cluster":
			return true
		}
		if b := r.lookupFn(x.Name.Name, sc); b != nil && b.fn != nil {
			return r.fnIsTabular(b)
		}
	case *syntax.Member:
		if c, ok := x.X.(*syntax.Call); ok && strings.EqualFold(c.Name.Name, "database") {
			return true
		}
	}
	return false
}

func (r *runner) fnIsTabular(b *binding) bool {
	body := b.fn.Body
	if len(body) == 0 {
		return false
	}
	es, ok := body[len(body)-1].(*syntax.ExprStmt)
	if !ok {
		return false
	}
	sc := b.fnScope.child()
	for _, p := range b.fn.Params {
		if strings.HasPrefix(strings.TrimSpace(p.Type), "(") {
			sc.vars[p.Name.Name] = &binding{table: &Table{}}
		} else {
			sc.vars[p.Name.Name] = &binding{scalar: nullVec(kNull, 1)}
		}
	}
	for _, st := range body[:len(body)-1] {
		if l, ok := st.(*syntax.LetStmt); ok {
			if f, isFn := l.Value.(*syntax.FuncLit); isFn {
				sc.vars[l.Name.Name] = &binding{fn: f, fnScope: sc}
			} else if r.isTabular(l.Value, sc) {
				sc.vars[l.Name.Name] = &binding{expr: l.Value, defined: sc}
			} else {
				sc.vars[l.Name.Name] = &binding{scalar: nullVec(kNull, 1)}
			}
		}
	}
	return r.isTabular(es.X, sc)
}
