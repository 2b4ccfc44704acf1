package syntax

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format prints a node as KQL text that Parse reads back into an
// equivalent tree. Literals keep their source spelling (Raw); nodes built
// by rewriting (zero Span, empty Raw) are printed from their values, and
// parentheses are added where operator precedence requires them.
// Comments are not preserved. Each pipeline operator starts a new line.
func Format(n Node) string {
	var f formatter
	f.node(n)
	return f.b.String()
}

type formatter struct {
	b strings.Builder
}

func (f *formatter) w(s ...string) {
	for _, x := range s {
		f.b.WriteString(x)
	}
}

func (f *formatter) node(n Node) {
	switch n := n.(type) {
	case nil:
	case *Script:
		for i, st := range n.Stmts {
			if i > 0 {
				f.w(";\n")
			}
			f.node(st)
		}
	case Stmt:
		f.stmt(n)
	case Operator:
		f.op(n)
	case Expr:
		f.expr(n, 0)
	case *SortKey:
		f.sortKey(n)
	case *Param:
		f.param(n)
	case *OpParam:
		f.opParams([]*OpParam{n})
	case *MvExpandItem:
		f.mvItems([]*MvExpandItem{n})
	case *TopNestedClause:
		f.topNestedClause(n)
	}
}

func (f *formatter) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		f.w("let ")
		f.ident(s.Name)
		f.w(" = ")
		f.expr(s.Value, 0)
	case *SetStmt:
		f.w("set ", s.Name.Name)
		if s.Value != nil {
			f.w(" = ")
			f.expr(s.Value, 0)
		}
	case *ExprStmt:
		f.expr(s.X, 0)
	case *CommandStmt:
		f.w(s.Text)
	}
}

// precedence levels (higher binds tighter).
const (
	precPipe = iota
	precOr
	precAnd
	precCmp
	precAdd
	precMul
	precUnary
	precPostfix
)

func binaryPrec(op string) int {
	switch op {
	case "or":
		return precOr
	case "and":
		return precAnd
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	}
	return precCmp
}

func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Pipeline:
		return precPipe
	case *Binary:
		return binaryPrec(e.Op)
	case *InExpr, *BetweenExpr:
		return precCmp
	case *Unary:
		return precUnary
	case *NamedExpr:
		return precPipe
	}
	return precPostfix
}

// expr prints e, parenthesised when it binds looser than min.
func (f *formatter) expr(e Expr, min int) {
	if e == nil {
		return
	}
	if exprPrec(e) < min {
		f.w("(")
		f.expr(e, 0)
		f.w(")")
		return
	}
	switch e := e.(type) {
	case *Ident:
		f.ident(e)
	case *Literal:
		f.w(literalText(e))
	case *DynamicLit:
		f.w("dynamic(")
		if e.Value == nil {
			f.w("null")
		} else {
			f.expr(e.Value, 0)
		}
		f.w(")")
	case *ArrayLit:
		f.w("[")
		f.list(e.Elems, 0)
		f.w("]")
	case *ObjectLit:
		f.w("{")
		for i, k := range e.Keys {
			if i > 0 {
				f.w(", ")
			}
			f.w(strconv.Quote(k), ": ")
			f.expr(e.Values[i], 0)
		}
		f.w("}")
	case *Binary:
		p := binaryPrec(e.Op)
		f.expr(e.Left, p)
		f.w(" ", e.Op, " ")
		f.expr(e.Right, p+1)
	case *Unary:
		f.w(e.Op)
		if _, ok := e.X.(*Unary); ok {
			f.w(" ")
		}
		f.expr(e.X, precUnary)
	case *InExpr:
		f.expr(e.X, precCmp+1)
		f.w(" ", e.Op, " (")
		f.list(e.List, 0)
		f.w(")")
	case *BetweenExpr:
		f.expr(e.X, precCmp+1)
		if e.Not {
			f.w(" !between (")
		} else {
			f.w(" between (")
		}
		f.expr(e.Low, precCmp+1)
		f.w(" .. ")
		f.expr(e.High, precCmp+1)
		f.w(")")
	default:
		f.expr2(e)
	}
}

func (f *formatter) expr2(e Expr) {
	switch e := e.(type) {
	case *Call:
		if e.Recv != nil {
			f.expr(e.Recv, precPostfix)
			f.w(".")
		}
		f.w(e.Name.Name)
		f.w("(")
		f.list(e.Args, 0)
		f.w(")")
	case *Member:
		f.expr(e.X, precPostfix)
		f.w(".")
		f.ident(e.Name)
	case *Index:
		f.expr(e.X, precPostfix)
		f.w("[")
		f.expr(e.Index, 0)
		f.w("]")
	case *Paren:
		f.w("(")
		f.expr(e.X, 0)
		f.w(")")
	case *ListExpr:
		f.w("(")
		f.list(e.Elems, 0)
		f.w(")")
	case *NamedExpr:
		f.names(e.Names)
		f.w(" = ")
		f.expr(e.Value, precOr)
	case *FuncLit:
		f.funcLit(e)
	case *ColumnDecl:
		f.columnDecl(e)
	case *Pipeline:
		f.pipeline(e)
	}
}

func (f *formatter) names(ids []*Ident) {
	if len(ids) == 1 {
		f.ident(ids[0])
		return
	}
	f.w("(")
	for i, id := range ids {
		if i > 0 {
			f.w(", ")
		}
		f.ident(id)
	}
	f.w(")")
}

func (f *formatter) list(xs []Expr, min int) {
	for i, x := range xs {
		if i > 0 {
			f.w(", ")
		}
		f.expr(x, min)
	}
}

func (f *formatter) funcLit(e *FuncLit) {
	if e.View {
		f.w("view ")
	}
	f.w("(")
	for i, p := range e.Params {
		if i > 0 {
			f.w(", ")
		}
		f.param(p)
	}
	f.w(") {\n")
	for i, st := range e.Body {
		if i > 0 {
			f.w(";\n")
		}
		f.stmt(st)
	}
	f.w("\n}")
}

func (f *formatter) param(p *Param) {
	f.ident(p.Name)
	f.w(":")
	f.w(p.Type)
	if p.Default != nil {
		f.w(" = ")
		f.expr(p.Default, precOr)
	}
}

func (f *formatter) columnDecl(c *ColumnDecl) {
	f.ident(c.Name)
	if c.Type != "" {
		f.w(":", c.Type)
	}
}

func (f *formatter) pipeline(p *Pipeline) {
	ops := p.Ops
	if p.Source != nil {
		f.expr(p.Source, precPostfix)
	} else if len(ops) > 0 {
		f.op(ops[0])
		ops = ops[1:]
	}
	for _, o := range ops {
		f.w("\n| ")
		f.op(o)
	}
}

// subPipeline prints an implicit-input pipeline in parentheses.
func (f *formatter) subPipeline(p *Pipeline) {
	f.w("(")
	for i, o := range p.Ops {
		if i > 0 {
			f.w(" | ")
		}
		f.op(o)
	}
	f.w(")")
}

// ident prints a name, bracket-quoting it when it is not a plain name.
func (f *formatter) ident(id *Ident) {
	if id == nil {
		return
	}
	if !id.Quoted && isPlainName(id.Name) {
		f.w(id.Name)
		return
	}
	f.w("['", escapeSingle(id.Name), "']")
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '*' || r == '_' || (r == '$' && i == 0):
		case r >= '0' && r <= '9':
		case r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z'):
		default:
			return false
		}
	}
	return !reservedWords[s]
}

// reservedWords must be bracket-quoted when used as names.
var reservedWords = map[string]bool{
	"and": true, "or": true, "by": true, "on": true, "in": true, "between": true,
	"has": true, "contains": true, "true": true, "false": true, "let": true,
	"with": true, "of": true, "to": true, "from": true, "step": true, "asc": true,
	"desc": true, "nulls": true, "kind": true, "datatable": true, "dynamic": true,
	"print": true, "union": true, "range": true, "set": true, "view": true,
}

func escapeSingle(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return r.Replace(s)
}

// literalText returns the source spelling of a literal or builds one.
func literalText(l *Literal) string {
	if l.Raw != "" {
		return l.Raw
	}
	switch l.Kind {
	case LitString:
		s, _ := l.Value.(string)
		return "'" + escapeSingle(s) + "'"
	case LitLong, LitInt:
		n, _ := l.Value.(int64)
		if l.Kind == LitInt {
			return "int(" + strconv.FormatInt(n, 10) + ")"
		}
		return strconv.FormatInt(n, 10)
	case LitReal:
		v, _ := l.Value.(float64)
		switch {
		case math.IsNaN(v):
			return "real(nan)"
		case math.IsInf(v, 1):
			return "real(+inf)"
		case math.IsInf(v, -1):
			return "real(-inf)"
		}
		return "real(" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
	case LitBool:
		if b, _ := l.Value.(bool); b {
			return "true"
		}
		return "false"
	case LitDateTime:
		return fmt.Sprintf("datetime(%v)", l.Value)
	case LitTimespan:
		n, _ := l.Value.(int64)
		return TimespanText(n)
	case LitGUID:
		return fmt.Sprintf("guid(%v)", l.Value)
	case LitDecimal:
		return fmt.Sprintf("decimal(%v)", l.Value)
	case LitNull:
		return l.Type + "(null)"
	}
	return "''"
}

// TimespanText spells ticks (100 ns) as a KQL timespan literal: 7d, 2h,
// 30m, 10s, 100ms, or timespan(...) ticks when no unit divides evenly.
func TimespanText(ticks int64) string {
	units := []struct {
		s string
		n int64
	}{{"d", 864000000000}, {"h", 36000000000}, {"m", 600000000}, {"s", 10000000}, {"ms", 10000}, {"microsecond", 10}}
	if ticks == 0 {
		return "0s"
	}
	for _, u := range units {
		if ticks%u.n == 0 {
			if ticks < 0 {
				return "timespan(-" + strconv.FormatInt(-ticks/u.n, 10) + u.s + ")"
			}
			return strconv.FormatInt(ticks/u.n, 10) + u.s
		}
	}
	if ticks < 0 {
		return "timespan(-" + strconv.FormatInt(-ticks, 10) + "tick)"
	}
	return strconv.FormatInt(ticks, 10) + "tick"
}
