package analyze

import (
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func (a *analyzer) operator2(op syntax.Operator, in *RowType, sc *scope) *RowType {
	switch o := op.(type) {
	case *syntax.JoinOp:
		right := a.tabular(o.Right, sc)
		a.joinOn(o.On, in, right, sc)
		return joinRow(o.Kind, in, right)
	case *syntax.LookupOp:
		right := a.tabular(o.Right, sc)
		a.joinOn(o.On, in, right, sc)
		out := in.clone()
		keys := map[string]bool{}
		for _, k := range o.On {
			if id, ok := k.(*syntax.Ident); ok {
				keys[id.Name] = true
			}
		}
		for _, c := range right.Columns {
			if !keys[c.Name] {
				out.set(c.Name, c.Type)
			}
		}
		out.Open = out.Open || right.Open
		return out
	case *syntax.UnionOp:
		return a.union(o, in, sc)
	case *syntax.MvExpandOp:
		return a.mvExpand(o.Params, o.Items, in, sc)
	case *syntax.MvApplyOp:
		row := a.mvExpand(o.Params, o.Items, in, sc)
		for _, sub := range o.On.Ops {
			row = a.operator(sub, row, sc)
		}
		return row
	case *syntax.ParseOp:
		a.scalar(o.Source, in, sc)
		out := in.clone()
		for _, p := range o.Pattern {
			if cd, ok := p.(*syntax.ColumnDecl); ok {
				out.set(cd.Name.Name, typeOr(cd.Type, "string"))
			}
		}
		return out
	case *syntax.ParseKvOp:
		a.scalar(o.Source, in, sc)
		out := in.clone()
		for _, cd := range o.Columns {
			out.set(cd.Name.Name, typeOr(cd.Type, "string"))
		}
		return out
	case *syntax.MakeSeriesOp:
		out := &RowType{}
		a.groupBy(o.By, in, out, sc)
		aggs := a.items(o.Aggs, in, &RowType{}, sc)
		for _, c := range aggs.Columns {
			out.set(c.Name, "dynamic")
		}
		a.scalar(o.On, in, sc)
		if name := exprName(o.On); name != "" {
			out.set(name, "dynamic")
		}
		for _, x := range []syntax.Expr{o.From, o.To, o.Step} {
			a.scalar(x, nil, sc)
		}
		out.Open = out.Open || aggs.Open
		return out
	}
	return a.operator3(op, in, sc)
}

func (a *analyzer) operator3(op syntax.Operator, in *RowType, sc *scope) *RowType {
	switch o := op.(type) {
	case *syntax.EvaluateOp:
		a.evaluate(o.Plugin, in, sc)
		return open()
	case *syntax.InvokeOp:
		if ent := sc.lookup(o.Call.Name.Name); ent != nil && ent.kind == entFunc {
			for _, arg := range o.Call.Args {
				a.argument(arg, in, sc)
			}
			if ent.row != nil {
				return ent.row.clone()
			}
		}
		return open()
	case *syntax.AsOp:
		sc.vars[o.As.Name] = &entity{kind: entTabular, row: in}
		return in
	case *syntax.RangeOp:
		for _, x := range []syntax.Expr{o.From, o.To, o.Step} {
			a.scalar(x, nil, sc)
		}
		return &RowType{Columns: []Column{{o.Col.Name, typeOr(a.scalar(o.From, nil, sc), "long")}}}
	case *syntax.DataTableOp:
		return declared(o.Columns)
	case *syntax.ExternalDataOp:
		return declared(o.Columns)
	case *syntax.PrintOp:
		out := &RowType{}
		for i, it := range o.Items {
			typ := a.scalar(it, nil, sc)
			if n, ok := it.(*syntax.NamedExpr); ok {
				out.set(n.Names[0].Name, typ)
			} else {
				out.set("print_"+strconv.Itoa(i), typ)
			}
		}
		return out
	case *syntax.GetSchemaOp:
		return &RowType{Columns: []Column{{"ColumnName", "string"}, {"ColumnOrdinal", "int"},
			{"DataType", "string"}, {"ColumnType", "string"}}}
	case *syntax.SampleDistinctOp:
		a.scalar(o.Count, nil, sc)
		return a.items([]syntax.Expr{o.Of}, in, &RowType{}, sc)
	case *syntax.PartitionOp:
		if sub, ok := o.Body.(*syntax.Pipeline); ok && sub.Source == nil {
			row := in
			for _, s := range sub.Ops {
				row = a.operator(s, row, sc)
			}
			return row
		}
		return open()
	case *syntax.RenderOp, *syntax.SampleOp, *syntax.ConsumeOp:
		return in
	}
	// search, find, top-nested, facet, fork: output shape not tracked.
	return open()
}

func typeOr(t, def string) string {
	if t == "" {
		return def
	}
	return t
}

func declared(cols []*syntax.ColumnDecl) *RowType {
	out := &RowType{}
	for _, c := range cols {
		out.set(c.Name.Name, c.Type)
	}
	return out
}

// joinRow builds the output of a join of the given kind.
func joinRow(kind string, left, right *RowType) *RowType {
	switch kind {
	case "leftsemi", "leftanti", "anti", "leftantisemi":
		return left.clone()
	case "rightsemi", "rightanti", "rightantisemi":
		return right.clone()
	}
	out := left.clone()
	for _, c := range right.Columns {
		name := c.Name
		for i := 1; ; i++ {
			if _, dup := out.Lookup(name); !dup {
				break
			}
			name = c.Name + strconv.Itoa(i)
		}
		out.Columns = append(out.Columns, Column{Name: name, Type: c.Type})
	}
	out.Open = left.Open || right.Open
	return out
}

// joinOn checks join keys: `Col` must exist on both sides; $left.X and
// $right.Y on their side.
func (a *analyzer) joinOn(on []syntax.Expr, left, right *RowType, sc *scope) {
	var check func(e syntax.Expr)
	check = func(e syntax.Expr) {
		switch e := e.(type) {
		case *syntax.Ident:
			var types []string
			for _, side := range []*RowType{left, right} {
				c, ok := side.Lookup(e.Name)
				if !ok && !side.Open {
					a.unknown(e, "join column", side.Names())
					return
				}
				types = append(types, c.Type)
			}
			if types[0] != "" && types[1] != "" && types[0] != types[1] {
				a.errorf(e, nil, "join column '%s' is %s on the left but %s on the right; convert one side (e.g. with tostring())", e.Name, types[0], types[1])
			}
		case *syntax.Binary:
			check(e.Left)
			check(e.Right)
		case *syntax.Member:
			if x, ok := e.X.(*syntax.Ident); ok && (x.Name == "$left" || x.Name == "$right") {
				side := left
				if x.Name == "$right" {
					side = right
				}
				if _, ok := side.Lookup(e.Name.Name); !ok && !side.Open {
					a.unknown(e.Name, "column", side.Names())
				}
				return
			}
			a.scalar(e, left, sc)
		case *syntax.Paren:
			check(e.X)
		default:
			a.scalar(e, left, sc)
		}
	}
	for _, e := range on {
		check(e)
	}
}

func (a *analyzer) union(o *syntax.UnionOp, in *RowType, sc *scope) *RowType {
	var rows []*RowType
	if in != nil && (len(in.Columns) > 0 || in.Open) {
		rows = append(rows, in)
	}
	for _, t := range o.Tables {
		rows = append(rows, a.tabular(t, sc))
	}
	out := &RowType{}
	if name := paramIdent(o.Params, "withsource"); name != "" {
		out.set(name, "string")
	}
	for _, r := range rows {
		out.Open = out.Open || r.Open
		for _, c := range r.Columns {
			if prev, ok := out.Lookup(c.Name); ok && prev.Type != c.Type {
				out.set(c.Name, "dynamic")
				continue
			}
			out.set(c.Name, c.Type)
		}
	}
	return out
}

func paramIdent(ps []*syntax.OpParam, name string) string {
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			if id, ok := p.Value.(*syntax.Ident); ok {
				return id.Name
			}
		}
	}
	return ""
}

func (a *analyzer) mvExpand(ps []*syntax.OpParam, items []*syntax.MvExpandItem, in *RowType, sc *scope) *RowType {
	out := in.clone()
	for _, it := range items {
		a.scalar(it.X, in, sc)
		name := exprName(it.X)
		if name == "" {
			out.Open = true
			continue
		}
		out.set(name, typeOr(it.Type, "dynamic"))
	}
	if idx := paramIdent(ps, "with_itemindex"); idx != "" {
		out.set(idx, "long")
	}
	return out
}

func (a *analyzer) evaluate(c *syntax.Call, in *RowType, sc *scope) {
	name := c.Name.Name
	if !plugins[name] {
		if ent := sc.lookup(name); ent == nil {
			a.unknown(c.Name, "plugin", keys(plugins))
		}
	}
	for _, arg := range c.Args {
		a.argument(arg, in, sc)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
