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
	ctx   context.Context
	cat   Catalog
	opts  Options
	cc    *callCtx
	ticks int
	depth int
	bytes int // string bytes computed so far (Options.MaxStringBytes)
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
	cc := &callCtx{
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
	return &runner{ctx: ctx, cat: cat, opts: opts, cc: cc}
}

// check returns the context's error; loops call it every few thousand rows.
func (r *runner) check() error {
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("engine: query stopped: %w", err)
	}
	return nil
}

// tick is check amortised over n units of work.
func (r *runner) tick(n int) error {
	r.ticks += n
	if r.ticks >= 1<<14 {
		r.ticks = 0
		return r.check()
	}
	return nil
}

// chargeString counts computed string (and array) bytes against MaxStringBytes.
func (r *runner) chargeString(n int) error {
	r.bytes += n
	if r.bytes > r.opts.MaxStringBytes {
		return fmt.Errorf("engine: the query computes more than %d bytes of strings: %w", r.opts.MaxStringBytes, ErrLimit)
	}
	return nil
}

// chargeValue charges a computed value's large strings and arrays.
func (r *runner) chargeValue(v value) error {
	switch {
	case v.k == kString && len(v.s) > 64:
		return r.chargeString(len(v.s))
	case v.k == kDynamic:
		if a, ok := v.d.([]any); ok && len(a) > 16 {
			return r.chargeString(16 * len(a))
		}
	}
	return nil
}

// limitTable enforces the intermediate size limits.
func (r *runner) limitTable(t *Table, what string) error {
	if t.n > r.opts.MaxIntermediateRows {
		return fmt.Errorf("engine: %s produced %d rows, more than the limit of %d: %w", what, t.n, r.opts.MaxIntermediateRows, ErrLimit)
	}
	if t.n*max(1, len(t.cols)) > r.opts.MaxCells {
		return fmt.Errorf("engine: %s produced %d cells, more than the limit of %d: %w", what, t.n*len(t.cols), r.opts.MaxCells, ErrLimit)
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
		if b := sc.lookup(x.Name.Name); b != nil && b.fn != nil {
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
