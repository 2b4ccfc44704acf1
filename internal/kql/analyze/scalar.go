package analyze

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// items analyzes project/extend/summarize items and adds their columns
// to out.
func (a *analyzer) items(list []syntax.Expr, in, out *RowType, sc *scope) *RowType {
	for _, it := range list {
		if n, ok := it.(*syntax.NamedExpr); ok {
			typ := a.scalar(n.Value, in, sc)
			if c, ok := n.Value.(*syntax.Call); ok && isArgMax(c.Name.Name) && len(n.Names) == 1 {
				a.argMaxColumns(c, n.Names[0].Name, in, out)
				continue
			}
			if len(n.Names) > 1 {
				for _, id := range n.Names {
					out.set(id.Name, "")
				}
				continue
			}
			out.set(n.Names[0].Name, typ)
			continue
		}
		typ := a.scalar(it, in, sc)
		if c, ok := it.(*syntax.Call); ok && isArgMax(c.Name.Name) {
			a.argMaxColumns(c, "", in, out)
			continue
		}
		if name := exprName(it); name != "" {
			out.set(name, typ)
		} else {
			out.Open = true
		}
	}
	return out
}

func isArgMax(name string) bool {
	return name == "arg_max" || name == "arg_min" || name == "argmax" || name == "argmin"
}

// addUnique adds a column, suffixing 1, 2, ... when the name is taken.
func addUnique(out *RowType, name, typ string) {
	n := name
	for i := 1; ; i++ {
		if _, dup := out.Lookup(n); !dup {
			break
		}
		n = fmt.Sprintf("%s%d", name, i)
	}
	out.Columns = append(out.Columns, Column{Name: n, Type: typ})
}

// argMaxColumns adds the columns of arg_max/arg_min; first, when set,
// names the first (maximised) column.
func (a *analyzer) argMaxColumns(c *syntax.Call, first string, in, out *RowType) {
	for i, arg := range c.Args {
		if i == 0 && first != "" {
			addUnique(out, first, a.scalar(arg, in, nil))
			continue
		}
		switch x := arg.(type) {
		case *syntax.Ident:
			if x.Name == "*" {
				for _, col := range in.Columns {
					if _, dup := out.Lookup(col.Name); !dup {
						out.set(col.Name, col.Type)
					}
				}
				out.Open = out.Open || in.Open
				continue
			}
			col, _ := in.Lookup(x.Name)
			if first != "" {
				addUnique(out, x.Name, col.Type)
			} else {
				out.set(x.Name, col.Type)
			}
		case *syntax.NamedExpr:
			out.set(x.Names[0].Name, "")
		default:
			out.Open = true
		}
	}
}

// groupBy adds summarize/make-series by-columns to out.
func (a *analyzer) groupBy(by []syntax.Expr, in, out *RowType, sc *scope) {
	a.items(by, in, out, sc)
}

// typeNames are the scalar type names accepted by typeof(T).
var typeNames = map[string]bool{"string": true, "long": true, "int": true, "real": true,
	"double": true, "bool": true, "boolean": true, "datetime": true, "timespan": true,
	"guid": true, "dynamic": true, "decimal": true}

// aggPrefix is the default column-name prefix of aggregations.
var aggPrefix = map[string]string{
	"dcount": "dcount_", "sum": "sum_", "avg": "avg_", "min": "min_", "max": "max_",
	"make_set": "set_", "makeset": "set_", "make_list": "list_", "makelist": "list_",
	"make_bag": "bag_", "dcountif": "dcountif_", "sumif": "sumif_", "avgif": "avgif_",
	"any": "any_", "take_any": "", "stdev": "stdev_", "variance": "variance_",
	"maxif": "maxif_", "minif": "minif_", "make_set_if": "set_", "make_list_if": "list_",
}

// exprName is the column name KQL gives an unnamed expression, or ""
// when the analyzer does not know it.
func exprName(e syntax.Expr) string {
	switch e := e.(type) {
	case *syntax.Ident:
		if e.Name == "*" {
			return ""
		}
		return e.Name
	case *syntax.NamedExpr:
		return e.Names[0].Name
	case *syntax.Call:
		name := e.Name.Name
		switch name {
		case "count":
			return "count_"
		case "countif":
			return "countif_"
		case "bin", "bin_at", "floor":
			if len(e.Args) > 0 {
				return exprName(e.Args[0])
			}
		}
		if p, ok := aggPrefix[name]; ok && len(e.Args) > 0 {
			if id, ok := e.Args[0].(*syntax.Ident); ok {
				return p + id.Name
			}
		}
	}
	return ""
}

// scalar analyzes a scalar expression against the row (nil: no columns)
// and returns its type ("" when unknown).
func (a *analyzer) scalar(e syntax.Expr, row *RowType, sc *scope) string {
	a.depth++
	defer func() { a.depth-- }()
	if a.depth > 400 {
		return ""
	}
	switch e := e.(type) {
	case nil:
		return ""
	case *syntax.Literal:
		if e.Kind == syntax.LitNull {
			return e.Type
		}
		return e.Kind.String()
	case *syntax.DynamicLit, *syntax.ArrayLit, *syntax.ObjectLit:
		return "dynamic"
	case *syntax.Ident:
		return a.identType(e, row, sc)
	case *syntax.Binary:
		return a.binaryType(e, row, sc)
	case *syntax.Unary:
		return a.scalar(e.X, row, sc)
	case *syntax.InExpr:
		a.scalar(e.X, row, sc)
		for _, x := range e.List {
			a.argument(x, row, sc)
		}
		return "bool"
	case *syntax.BetweenExpr:
		a.scalar(e.X, row, sc)
		a.scalar(e.Low, row, sc)
		a.scalar(e.High, row, sc)
		return "bool"
	case *syntax.Call:
		return a.call(e, row, sc)
	case *syntax.Member:
		a.scalar(e.X, row, sc)
		return "dynamic"
	case *syntax.Index:
		a.scalar(e.X, row, sc)
		a.scalar(e.Index, row, sc)
		return "dynamic"
	case *syntax.Paren:
		if a.isTabular(e.X, sc) {
			a.tabular(e.X, sc)
			return ""
		}
		return a.scalar(e.X, row, sc)
	case *syntax.ListExpr:
		for _, x := range e.Elems {
			a.scalar(x, row, sc)
		}
		return "dynamic"
	case *syntax.NamedExpr:
		return a.scalar(e.Value, row, sc)
	case *syntax.Pipeline:
		a.tabular(e, sc)
		return ""
	}
	return ""
}

func (a *analyzer) identType(id *syntax.Ident, row *RowType, sc *scope) string {
	if c, ok := row.Lookup(id.Name); ok {
		return c.Type
	}
	if ent := sc.lookup(id.Name); ent != nil {
		if ent.kind == entScalar {
			return ent.typ
		}
		return "dynamic"
	}
	if id.Name == "*" || strings.HasPrefix(id.Name, "$") || (row != nil && row.Open) {
		return ""
	}
	if _, ok := a.opts.Schema.Table(id.Name); ok {
		a.readsTable(id.Name)
		return "dynamic"
	}
	cands := append(row.Names(), sc.names(entScalar)...)
	what := "column or variable"
	if row == nil {
		what = "variable"
	}
	a.unknown(id, what, cands)
	return ""
}

func (a *analyzer) binaryType(e *syntax.Binary, row *RowType, sc *scope) string {
	l := a.scalar(e.Left, row, sc)
	r := a.scalar(e.Right, row, sc)
	switch e.Op {
	case "+", "-", "*", "/", "%":
		switch {
		case l == "datetime" && r == "datetime" && e.Op == "-":
			return "timespan"
		case l == "datetime" || r == "datetime":
			return "datetime"
		case l == "timespan" || r == "timespan":
			return "timespan"
		case l == "real" || r == "real":
			return "real"
		case l == "long" || r == "long":
			return "long"
		}
		return l
	}
	return "bool"
}

// call checks a function call and returns its result type.
func (a *analyzer) call(c *syntax.Call, row *RowType, sc *scope) string {
	name := c.Name.Name
	if c.Recv != nil {
		a.scalar(c.Recv, row, sc)
		return ""
	}
	switch name {
	case "toscalar":
		for _, arg := range c.Args {
			a.argument(arg, row, sc)
		}
		return ""
	case "typeof":
		if len(c.Args) == 1 {
			if id, ok := c.Args[0].(*syntax.Ident); ok && typeNames[id.Name] {
				return "string"
			}
		}
	case "column_ifexists":
		if len(c.Args) == 2 {
			return a.scalar(c.Args[1], row, sc)
		}
	}
	if ent := sc.lookup(name); ent != nil && ent.kind == entFunc {
		for _, arg := range c.Args {
			a.argument(arg, row, sc)
		}
		a.checkUserArity(c, ent)
		return ""
	}
	fn, ok := builtins()[name]
	if !ok {
		a.unknownFunc(c)
		for _, arg := range c.Args {
			a.argument(arg, row, sc)
		}
		return ""
	}
	types := make([]string, len(c.Args))
	for i, arg := range c.Args {
		if id, ok := arg.(*syntax.Ident); ok && id.Name == "*" {
			continue
		}
		types[i] = a.scalar(arg, row, sc)
	}
	if len(c.Args) < fn.Min || (fn.Max >= 0 && len(c.Args) > fn.Max) {
		a.errorf(c, nil, "%s", arityMessage(fn, len(c.Args)))
	}
	if fn.SameAsArg >= 0 {
		if fn.SameAsArg < len(types) {
			return types[fn.SameAsArg]
		}
		return ""
	}
	return fn.Result
}

func arityMessage(fn *Function, got int) string {
	switch {
	case fn.Max < 0:
		return fmt.Sprintf("function %s takes at least %d arguments, but %d were given", fn.Name, fn.Min, got)
	case fn.Min == fn.Max:
		return fmt.Sprintf("function %s takes %d arguments, but %d were given", fn.Name, fn.Min, got)
	}
	return fmt.Sprintf("function %s takes %d to %d arguments, but %d were given", fn.Name, fn.Min, fn.Max, got)
}

func (a *analyzer) unknownFunc(c *syntax.Call) {
	names := make([]string, 0, len(builtins()))
	for n := range builtins() {
		names = append(names, n)
	}
	sort.Strings(names)
	a.unknown(c.Name, "function", names)
}
