package guard

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func longLit(n int64) *syntax.Literal {
	return &syntax.Literal{Kind: syntax.LitLong, Value: n}
}

// literalCount returns the value of a constant row count.
func literalCount(e syntax.Expr) (int64, bool) {
	l, ok := e.(*syntax.Literal)
	if !ok || (l.Kind != syntax.LitLong && l.Kind != syntax.LitInt) {
		return 0, false
	}
	n, ok := l.Value.(int64)
	return n, ok
}

// capRows makes every query statement end with a take of at most rows
// (before any trailing render), tightening an existing take/top.
func capRows(res *Result, script *syntax.Script, rows int64) {
	for _, st := range script.Stmts {
		es, ok := st.(*syntax.ExprStmt)
		if !ok {
			continue
		}
		pl, ok := es.X.(*syntax.Pipeline)
		if !ok {
			switch es.X.(type) {
			case *syntax.Ident, *syntax.Call, *syntax.Paren, *syntax.Member:
			default:
				continue // a scalar expression statement returns one value
			}
			pl = &syntax.Pipeline{Span: es.X.Pos(), Source: es.X}
			es.X = pl
		}
		capPipeline(res, pl, rows)
	}
}

func capPipeline(res *Result, pl *syntax.Pipeline, rows int64) {
	idx := len(pl.Ops)
	for idx > 0 {
		if _, isRender := pl.Ops[idx-1].(*syntax.RenderOp); !isRender {
			break
		}
		idx--
	}
	if idx > 0 {
		switch last := pl.Ops[idx-1].(type) {
		case *syntax.CountOp:
			return
		case *syntax.TakeOp:
			if n, ok := literalCount(last.Count); ok {
				if n > rows {
					res.note(last, fmt.Sprintf("result rows capped: %s %d tightened to %d", last.Keyword, n, rows))
					last.Count = longLit(rows)
				}
				return
			}
		case *syntax.TopOp:
			if n, ok := literalCount(last.Count); ok {
				if n > rows {
					res.note(last, fmt.Sprintf("result rows capped: top %d tightened to top %d", n, rows))
					last.Count = longLit(rows)
				}
				return
			}
		}
	}
	take := &syntax.TakeOp{Keyword: "take", Count: longLit(rows)}
	ops := make([]syntax.Operator, 0, len(pl.Ops)+1)
	ops = append(ops, pl.Ops[:idx]...)
	ops = append(ops, take)
	pl.Ops = append(ops, pl.Ops[idx:]...)
	res.note(pl, fmt.Sprintf("result rows capped: appended 'take %d' (at most %d rows are returned)", rows, rows))
}

// windowRewriter injects time filters on schema tables.
type windowRewriter struct {
	res      *Result
	opts     Options
	bound    map[string]bool           // let/parameter names that shadow tables
	injected map[*syntax.Pipeline]bool // pipelines built or already filtered
	noted    map[string]bool           // tables already mentioned in Caps
}

func capWindow(res *Result, script *syntax.Script, opts Options) {
	w := &windowRewriter{res: res, opts: opts, bound: map[string]bool{},
		injected: map[*syntax.Pipeline]bool{}, noted: map[string]bool{}}
	syntax.Inspect(script, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.LetStmt:
			w.bound[n.Name.Name] = true
		case *syntax.Param:
			w.bound[n.Name.Name] = true
		}
		return true
	})
	syntax.Inspect(script, w.visit)
}

// timeColumn returns the time column of a table reference, or "".
func (w *windowRewriter) timeColumn(e syntax.Expr) (*syntax.Ident, string) {
	id, ok := e.(*syntax.Ident)
	if !ok || w.bound[id.Name] {
		return nil, ""
	}
	if strings.Contains(id.Name, "*") {
		if !w.noted[id.Name] {
			w.noted[id.Name] = true
			w.res.note(id, fmt.Sprintf("time window not enforced on wildcard table reference %s; name the tables explicitly", id.Name))
		}
		return nil, ""
	}
	t, ok := w.opts.Schema.Table(id.Name)
	if !ok {
		return nil, ""
	}
	col := t.TimeColumn()
	if col == "" {
		return nil, ""
	}
	return id, col
}

func (w *windowRewriter) filter(id *syntax.Ident, col string) *syntax.WhereOp {
	span := syntax.TimespanText(w.opts.MaxWindow)
	if !w.noted[id.Name] {
		w.noted[id.Name] = true
		w.res.note(id, fmt.Sprintf("time window capped: %s is read only for the last %s (added 'where %s > ago(%s)')", id.Name, span, col, span))
	}
	return &syntax.WhereOp{Keyword: "where", Pred: &syntax.Binary{Op: ">",
		Left: &syntax.Ident{Name: col},
		Right: &syntax.Call{Name: &syntax.Ident{Name: "ago"},
			Args: []syntax.Expr{&syntax.Literal{Kind: syntax.LitTimespan, Value: w.opts.MaxWindow}}}}}
}

// wrap returns a filtered pipeline for a table reference, or nil.
func (w *windowRewriter) wrap(e syntax.Expr) *syntax.Pipeline {
	id, col := w.timeColumn(e)
	if id == nil {
		return nil
	}
	pl := &syntax.Pipeline{Span: id.Span, Source: id, Ops: []syntax.Operator{w.filter(id, col)}}
	w.injected[pl] = true
	return pl
}

// wrapParen is wrap for positions that need parentheses (join, union).
func (w *windowRewriter) wrapParen(e syntax.Expr) syntax.Expr {
	if pl := w.wrap(e); pl != nil {
		return &syntax.Paren{Span: pl.Span, X: pl}
	}
	return e
}

func (w *windowRewriter) wrapPlain(e syntax.Expr) syntax.Expr {
	if pl := w.wrap(e); pl != nil {
		return pl
	}
	return e
}

func (w *windowRewriter) visit(n syntax.Node) bool {
	switch n := n.(type) {
	case *syntax.Pipeline:
		if w.injected[n] {
			return true
		}
		w.injected[n] = true
		if id, col := w.timeColumn(n.Source); id != nil {
			n.Ops = append([]syntax.Operator{w.filter(id, col)}, n.Ops...)
		}
	case *syntax.LetStmt:
		n.Value = w.wrapPlain(n.Value)
	case *syntax.ExprStmt:
		n.X = w.wrapPlain(n.X)
	case *syntax.Paren:
		n.X = w.wrapPlain(n.X)
	case *syntax.JoinOp:
		n.Right = w.wrapParen(n.Right)
	case *syntax.LookupOp:
		n.Right = w.wrapParen(n.Right)
	case *syntax.UnionOp:
		w.wrapAll(n.Tables)
	case *syntax.SearchOp:
		w.wrapAll(n.Tables)
	case *syntax.FindOp:
		w.wrapAll(n.Tables)
	case *syntax.InExpr:
		for i, x := range n.List {
			n.List[i] = w.wrapPlain(x)
		}
	case *syntax.Call:
		switch n.Name.Name {
		case "materialize", "toscalar", "view":
			for i, x := range n.Args {
				n.Args[i] = w.wrapParen(x)
			}
		}
	}
	return true
}

func (w *windowRewriter) wrapAll(xs []syntax.Expr) {
	for i, x := range xs {
		xs[i] = w.wrapParen(x)
	}
}
