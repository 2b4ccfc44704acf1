package analyze

import (
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func open() *RowType { return &RowType{Open: true} }

// tabular analyzes a tabular expression and returns its row type.
func (a *analyzer) tabular(e syntax.Expr, sc *scope) *RowType {
	switch e := e.(type) {
	case *syntax.Pipeline:
		var row *RowType
		ops := e.Ops
		if e.Source != nil {
			row = a.tabular(e.Source, sc)
		} else {
			row = &RowType{}
		}
		for _, op := range ops {
			row = a.operator(op, row, sc)
		}
		return row
	case *syntax.Paren:
		return a.tabular(e.X, sc)
	case *syntax.Ident:
		return a.tableRef(e, sc)
	case *syntax.Call:
		return a.tabularCall(e, sc)
	}
	a.scalar(e, nil, sc)
	return open()
}

func (a *analyzer) tableRef(id *syntax.Ident, sc *scope) *RowType {
	if ent := sc.lookup(id.Name); ent != nil {
		switch ent.kind {
		case entTabular:
			return ent.row.clone()
		case entFunc:
			if ent.row != nil {
				return ent.row.clone()
			}
		}
		return open()
	}
	if strings.Contains(id.Name, "*") {
		return open()
	}
	if t, ok := a.opts.Schema.Table(id.Name); ok {
		a.readsTable(t.Name)
		return tableRow(t)
	}
	cands := append(a.opts.Schema.TableNames(), sc.names(entTabular)...)
	cands = append(cands, sc.names(entFunc)...)
	a.unknown(id, "table", cands)
	return open()
}

func (a *analyzer) tabularCall(c *syntax.Call, sc *scope) *RowType {
	name := c.Name.Name
	switch name {
	case "materialize", "view":
		if len(c.Args) == 1 {
			return a.tabular(c.Args[0], sc)
		}
	case "table":
		if len(c.Args) == 1 {
			if l, ok := c.Args[0].(*syntax.Literal); ok {
				if s, ok := l.Value.(string); ok {
					return a.tableRef(&syntax.Ident{Span: l.Span, Name: s}, sc)
				}
			}
		}
		return open()
	}
	if ent := sc.lookup(name); ent != nil && ent.kind == entFunc {
		for _, arg := range c.Args {
			a.argument(arg, nil, sc)
		}
		a.checkUserArity(c, ent)
		if ent.row != nil {
			return ent.row.clone()
		}
		return open()
	}
	if params, ok := a.opts.Schema.Function(name); ok && c.Recv == nil {
		a.storedCall(c, params, sc)
		return open()
	}
	if c.Recv == nil {
		a.scalar(c, nil, sc)
	}
	return open()
}

// storedCall checks a call of a schema's stored function: at most as many
// positional arguments as parameters, named ones naming a parameter.
func (a *analyzer) storedCall(c *syntax.Call, params []string, sc *scope) {
	if !slices.Contains(a.res.Functions, c.Name.Name) {
		a.res.Functions = append(a.res.Functions, c.Name.Name)
	}
	positional := 0
	for _, arg := range c.Args {
		if n, ok := arg.(*syntax.NamedExpr); ok && len(n.Names) == 1 {
			if !slices.Contains(params, n.Names[0].Name) {
				a.errorf(n.Names[0], nil, "function %s has no parameter '%s' (parameters: %s)", c.Name.Name, n.Names[0].Name, strings.Join(params, ", "))
			}
		} else {
			positional++
		}
		a.argument(arg, nil, sc)
	}
	if positional > len(params) {
		a.errorf(c, nil, "function %s takes at most %d arguments, but %d were given", c.Name.Name, len(params), positional)
	}
}

// argument analyzes a call argument that may be tabular.
func (a *analyzer) argument(arg syntax.Expr, row *RowType, sc *scope) {
	if n, ok := arg.(*syntax.NamedExpr); ok {
		arg = n.Value
	}
	if _, ok := arg.(*syntax.Ident); !ok && a.isTabular(arg, sc) {
		a.tabular(arg, sc)
		return
	}
	if id, ok := arg.(*syntax.Ident); ok {
		if _, isCol := row.Lookup(id.Name); !isCol && sc.lookup(id.Name) == nil {
			if _, isTable := a.opts.Schema.Table(id.Name); isTable {
				a.readsTable(id.Name)
				return
			}
		}
	}
	a.scalar(arg, row, sc)
}

func (a *analyzer) checkUserArity(c *syntax.Call, ent *entity) {
	required := 0
	for _, p := range ent.fn.Params {
		if p.Default == nil {
			required++
		}
	}
	if len(c.Args) < required || len(c.Args) > len(ent.fn.Params) {
		a.errorf(c, nil, "function %s takes %d to %d arguments, but %d were given", c.Name.Name, required, len(ent.fn.Params), len(c.Args))
	}
}

// operator applies one tabular operator to the input row type.
func (a *analyzer) operator(op syntax.Operator, in *RowType, sc *scope) *RowType {
	switch o := op.(type) {
	case *syntax.WhereOp:
		a.scalar(o.Pred, in, sc)
		return in
	case *syntax.ProjectOp:
		return a.items(o.Items, in, &RowType{}, sc)
	case *syntax.ExtendOp:
		return a.items(o.Items, in, in.clone(), sc)
	case *syntax.SerializeOp:
		return a.items(o.Items, in, in.clone(), sc)
	case *syntax.SummarizeOp:
		out := &RowType{}
		a.groupBy(o.By, in, out, sc)
		aggs := a.items(o.Aggs, in, &RowType{}, sc)
		for _, c := range aggs.Columns {
			if _, dup := out.Lookup(c.Name); !dup {
				out.Columns = append(out.Columns, c)
			}
		}
		out.Open = out.Open || aggs.Open
		return out
	case *syntax.ProjectAwayOp:
		return a.projectAway(o.Cols, in, false)
	case *syntax.ProjectKeepOp:
		return a.projectAway(o.Cols, in, true)
	case *syntax.ProjectRenameOp:
		out := in.clone()
		for _, it := range o.Items {
			old := it.Value.(*syntax.Ident)
			c, ok := in.Lookup(old.Name)
			if !ok && !in.Open {
				a.unknown(old, "column", in.Names())
			}
			out.remove(old.Name)
			out.set(it.Names[0].Name, c.Type)
		}
		return out
	case *syntax.ProjectReorderOp:
		for _, k := range o.Cols {
			a.columnPattern(k.X.(*syntax.Ident), in)
		}
		return in
	case *syntax.CountOp:
		name := "Count"
		if o.As != nil {
			name = o.As.Name
		}
		return &RowType{Columns: []Column{{name, "long"}}}
	case *syntax.TakeOp:
		a.scalar(o.Count, nil, sc)
		return in
	case *syntax.SortOp:
		a.sortKeys(o.By, in, sc)
		return in
	case *syntax.TopOp:
		a.scalar(o.Count, nil, sc)
		a.sortKeys(o.By, in, sc)
		return in
	case *syntax.DistinctOp:
		if len(o.Cols) == 1 {
			if id, ok := o.Cols[0].(*syntax.Ident); ok && id.Name == "*" {
				return in
			}
		}
		return a.items(o.Cols, in, &RowType{}, sc)
	}
	return a.operator2(op, in, sc)
}

func (a *analyzer) sortKeys(ks []*syntax.SortKey, in *RowType, sc *scope) {
	for _, k := range ks {
		a.scalar(k.X, in, sc)
	}
}

// columnPattern checks a column name or wildcard against the row.
func (a *analyzer) columnPattern(id *syntax.Ident, in *RowType) []string {
	if strings.Contains(id.Name, "*") {
		var out []string
		for _, c := range in.Columns {
			if wildcardMatch(id.Name, c.Name) {
				out = append(out, c.Name)
			}
		}
		return out
	}
	if _, ok := in.Lookup(id.Name); !ok && !in.Open {
		a.unknown(id, "column", in.Names())
	}
	return []string{id.Name}
}

func (a *analyzer) projectAway(cols []syntax.Expr, in *RowType, keep bool) *RowType {
	matched := map[string]bool{}
	for _, c := range cols {
		for _, n := range a.columnPattern(c.(*syntax.Ident), in) {
			matched[n] = true
		}
	}
	out := &RowType{Open: in.Open}
	for _, c := range in.Columns {
		if matched[c.Name] == keep {
			out.Columns = append(out.Columns, c)
		}
	}
	return out
}

// wildcardMatch matches a name against a pattern with '*' wildcards.
func wildcardMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(name, p)
		}
		j := strings.Index(name, p)
		if j < 0 {
			return false
		}
		name = name[j+len(p):]
	}
	return true
}
