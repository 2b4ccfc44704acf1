package engine

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
	"github.com/secmcp/secmcp/internal/markdown"
)

// ErrUnknownTable is wrapped when a query names a table that is neither in
// the catalog nor bound by let/as.
var ErrUnknownTable = errors.New("unknown table")

// ErrExternalData is returned for externaldata: the sandbox never fetches.
var ErrExternalData = errors.New("externaldata is refused: the sandbox never fetches external data")

// evalTabular evaluates an expression that must produce a table.
func (r *runner) evalTabular(e syntax.Expr, sc *scope) (*Table, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	switch x := e.(type) {
	case *syntax.Pipeline:
		return r.runPipeline(x, sc, nil)
	case *syntax.Paren:
		return r.evalTabular(x.X, sc)
	case *syntax.Ident:
		return r.resolveTable(x.Name, sc)
	case *syntax.Call:
		return r.tabularCall(x, sc)
	case *syntax.Member:
		if c, ok := x.X.(*syntax.Call); ok && strings.EqualFold(c.Name.Name, "database") {
			return r.resolveTable(x.Name.Name, sc)
		}
		return nil, notSupported("cross-service table reference")
	}
	return nil, fmt.Errorf("engine: expected a tabular expression (a table name, or range, datatable, print, union ...) at byte offset %d, got %s", e.Pos().Start, scalarKind(e))
}

// scalarKind names, for an error message, an expression that is not
// tabular (never a Go type name). An obfuscated string's text is withheld.
func scalarKind(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Literal:
		if x.Obfuscated {
			return "an obfuscated string literal"
		}
		return fmt.Sprintf("the %s literal %s", x.Kind, markdown.Clip(x.Raw, 40))
	case *syntax.DynamicLit, *syntax.ArrayLit, *syntax.ObjectLit:
		return "a dynamic literal"
	}
	return "a scalar expression"
}

func (r *runner) tabularCall(x *syntax.Call, sc *scope) (*Table, error) {
	name := x.Name.Name
	if b := r.lookupFn(name, sc); b != nil && b.fn != nil {
		return r.callUserTabular(b, x.Args, sc, nil)
	}
	switch strings.ToLower(name) {
	case "materialize", "view":
		if len(x.Args) != 1 {
			return nil, fmt.Errorf("engine: %s() takes one tabular argument", name)
		}
		return r.evalTabular(x.Args[0], sc)
	case "table":
		if len(x.Args) < 1 {
			return nil, fmt.Errorf("engine: table() needs a table name")
		}
		v, err := r.eval(x.Args[0], emptyEnv(sc))
		if err != nil {
			return nil, err
		}
		return r.resolveTable(toStringValue(v.get(0)), sc)
	case "cluster", "database":
		return nil, notSupported("cross-cluster or cross-database references")
	}
	if _, scalar := scalarFns()[strings.ToLower(name)]; !scalar {
		if _, ok := r.cat.(FunctionCatalog); ok {
			// Neither a let, a stored function nor a built-in: Kusto's
			// "does not refer to any known function", an unknown name.
			return nil, fmt.Errorf("engine: unknown function %s(): %w", name, ErrUnknownTable)
		}
	}
	return nil, fmt.Errorf("engine: %s() is not a tabular function", name)
}

// resolveTable finds a let/as binding, then a catalog table; a name with
// '*' is a union of all matching catalog tables.
func (r *runner) resolveTable(name string, sc *scope) (*Table, error) {
	if b := sc.lookup(name); b != nil {
		switch {
		case b.table != nil:
			return b.table, nil
		case b.expr != nil:
			expr := b.expr
			b.expr = nil // guards against self-reference while evaluating
			t, err := r.evalTabular(expr, b.defined)
			if err != nil {
				b.expr = expr
				return nil, err
			}
			b.table = t
			return t, nil
		case b.fn != nil && len(b.fn.Params) == 0:
			return r.callUserTabular(b, nil, sc, nil)
		case b.scalar != nil:
			return nil, fmt.Errorf("engine: %s is a scalar, not a table", name)
		}
		return nil, fmt.Errorf("engine: %s refers to itself", name)
	}
	if strings.Contains(name, "*") {
		ts, names := r.matchTables(name)
		if len(ts) == 0 {
			return nil, fmt.Errorf("engine: no table matches %q: %w", name, ErrUnknownTable)
		}
		return r.unionTables(ts, names, "")
	}
	if t, ok := r.cat.Table(name); ok {
		return t, nil
	}
	return nil, fmt.Errorf("engine: table %q: %w", name, ErrUnknownTable)
}

func (r *runner) matchTables(pattern string) ([]*Table, []string) {
	var ts []*Table
	var names []string
	for _, n := range r.cat.TableNames() {
		if ok, _ := path.Match(pattern, n); ok {
			if t, found := r.cat.Table(n); found {
				ts = append(ts, t)
				names = append(names, n)
			}
		}
	}
	return ts, names
}

// runPipeline runs Source | Op | Op ...; input feeds a pipeline whose Source
// is nil (mv-apply sub-queries).
func (r *runner) runPipeline(p *syntax.Pipeline, sc *scope, input *Table) (*Table, error) {
	t := input
	if p.Source != nil {
		var err error
		if t, err = r.evalTabular(p.Source, sc); err != nil {
			return nil, err
		}
	}
	for _, op := range p.Ops {
		if err := r.check(); err != nil {
			return nil, err
		}
		out, err := r.applyOp(op, t, sc)
		if err != nil {
			return nil, err
		}
		if err := r.limitTable(out, op.Name()); err != nil {
			return nil, err
		}
		if err := r.chargeTable(op.Name(), t, out); err != nil {
			return nil, err
		}
		t = out
	}
	if t == nil {
		return nil, fmt.Errorf("engine: empty pipeline")
	}
	return t, nil
}

// sourceOps may start a pipeline (they take no input table).
func isSourceOp(op syntax.Operator) bool {
	switch op.(type) {
	case *syntax.UnionOp, *syntax.RangeOp, *syntax.PrintOp, *syntax.DataTableOp,
		*syntax.SearchOp, *syntax.FindOp, *syntax.ExternalDataOp, *syntax.EvaluateOp:
		return true
	}
	return false
}

func (r *runner) applyOp(op syntax.Operator, t *Table, sc *scope) (*Table, error) {
	if t == nil && !isSourceOp(op) {
		return nil, fmt.Errorf("engine: %s needs an input table", op.Name())
	}
	switch x := op.(type) {
	case *syntax.WhereOp:
		return r.opWhere(x.Pred, t, sc)
	case *syntax.ProjectOp:
		return r.opProject(x.Items, t, sc, false)
	case *syntax.ExtendOp:
		return r.opProject(x.Items, t, sc, true)
	case *syntax.ProjectAwayOp:
		return opProjectAway(x.Cols, t, false)
	case *syntax.ProjectKeepOp:
		return opProjectAway(x.Cols, t, true)
	case *syntax.ProjectRenameOp:
		return opRename(x.Items, t)
	case *syntax.ProjectReorderOp:
		return opReorder(x.Cols, t)
	case *syntax.TakeOp:
		return r.opTake(x.Count, t, sc)
	case *syntax.CountOp:
		name := "Count"
		if x.As != nil {
			name = x.As.Name
		}
		return newTable("", []string{name}, []*vec{constVec(longV(int64(t.n)), 1).materialize()}, 1), nil
	case *syntax.SortOp:
		return r.opSort(x.By, t, sc)
	case *syntax.TopOp:
		return r.opTop(x.Count, x.By, t, sc)
	case *syntax.DistinctOp:
		return r.opDistinct(x.Cols, t, sc)
	case *syntax.SummarizeOp:
		return r.opSummarize(x, t, sc)
	case *syntax.SerializeOp:
		if len(x.Items) == 0 {
			return t, nil
		}
		return r.opProject(x.Items, t, sc, true)
	case *syntax.RenderOp:
		out := *t
		out.render = x.Chart
		return &out, nil
	case *syntax.AsOp:
		sc.vars[x.As.Name] = &binding{table: t}
		return t, nil
	case *syntax.GetSchemaOp:
		return opGetSchema(t), nil
	case *syntax.SampleOp:
		return r.opSample(x.Count, t, sc)
	case *syntax.InvokeOp:
		return r.opInvoke(x, t, sc)
	case *syntax.ExternalDataOp:
		return nil, ErrExternalData
	}
	return r.applyOp2(op, t, sc)
}

func (r *runner) applyOp2(op syntax.Operator, t *Table, sc *scope) (*Table, error) {
	switch x := op.(type) {
	case *syntax.JoinOp:
		return r.opJoin(x, t, sc)
	case *syntax.LookupOp:
		return r.opLookup(x, t, sc)
	case *syntax.UnionOp:
		return r.opUnion(x, t, sc)
	case *syntax.RangeOp:
		return r.opRange(x, sc)
	case *syntax.PrintOp:
		return r.opProject(x.Items, &Table{n: 1}, sc, false)
	case *syntax.DataTableOp:
		return r.opDatatable(x, sc)
	case *syntax.MvExpandOp:
		return r.opMvExpand(x.Params, x.Items, x.Limit, t, sc)
	case *syntax.MvApplyOp:
		return r.opMvApply(x, t, sc)
	case *syntax.ParseOp:
		return r.opParse(x, t, sc)
	case *syntax.ParseKvOp:
		return r.opParseKv(x, t, sc)
	case *syntax.EvaluateOp:
		return r.opEvaluate(x, t, sc)
	case *syntax.SearchOp:
		return r.opSearch(x, t, sc)
	case *syntax.FindOp:
		return r.opFind(x, t, sc)
	case *syntax.MakeSeriesOp:
		return r.opMakeSeries(x, t, sc)
	case *syntax.TopNestedOp:
		return r.opTopNested(x, t, sc)
	}
	return nil, notSupported("operator %s", op.Name())
}

func (r *runner) opInvoke(x *syntax.InvokeOp, t *Table, sc *scope) (*Table, error) {
	b := sc.lookup(x.Call.Name.Name)
	if b == nil || b.fn == nil {
		return nil, notSupported("invoke of %s (only let-defined functions)", x.Call.Name.Name)
	}
	return r.callUserTabular(b, x.Call.Args, sc, t)
}
