package engine

import (
	"fmt"
	"math/rand"
	"path"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// opWhere keeps the rows whose predicate is true (null counts as false).
func (r *runner) opWhere(pred syntax.Expr, t *Table, sc *scope) (*Table, error) {
	v, err := r.eval(pred, &env{t: t, sc: sc})
	if err != nil {
		return nil, err
	}
	if v.cst {
		if asBoolValue(v.get(0)).truthy() {
			return t, nil
		}
		return t.take(nil), nil
	}
	idx := make([]int32, 0, t.n/4+1)
	if v.k == kBool {
		for i, b := range v.i[:t.n] {
			if b != 0 && (v.null == nil || !v.null[i]) {
				idx = append(idx, int32(i))
			}
		}
	} else {
		for i := 0; i < t.n; i++ {
			if asBoolValue(v.get(i)).truthy() {
				idx = append(idx, int32(i))
			}
		}
	}
	if len(idx) == t.n {
		return t, nil
	}
	return t.take(idx), nil
}

// exprName derives an output column name for an unnamed expression, or "".
func exprName(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Ident:
		return x.Name
	case *syntax.Paren:
		return exprName(x.X)
	case *syntax.Member:
		if base := exprName(x.X); base != "" {
			return base + "_" + x.Name.Name
		}
	case *syntax.Index:
		base := exprName(x.X)
		if l, ok := x.Index.(*syntax.Literal); ok && l.Kind == syntax.LitString && base != "" {
			return base + "_" + l.Value.(string)
		}
		return base
	case *syntax.Call:
		switch strings.ToLower(x.Name.Name) {
		case "tostring", "toint", "tolong", "toreal", "todouble", "tobool", "todatetime", "totimespan", "toguid", "todynamic", "parse_json":
			if len(x.Args) == 1 {
				return exprName(x.Args[0])
			}
		}
	}
	return ""
}

// autoName returns "Column1", "Column2", ... (or print_0, ...) not yet used.
func autoName(used map[string]bool, prefix string, start int) string {
	for i := start; ; i++ {
		n := prefix + strconv.Itoa(i)
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

// opProject implements project (keep only the items), extend (add or
// replace columns) and print.
func (r *runner) opProject(items []syntax.Expr, t *Table, sc *scope, extend bool) (*Table, error) {
	work := t
	print := t.name == "" && len(t.cols) == 0 && t.n == 1 && !extend
	used := map[string]bool{}
	for _, c := range t.cols {
		used[c] = true
	}
	var outCols []string
	var outData []*vec
	computed := int64(0)
	for _, it := range items {
		var names []string
		expr := it
		if ne, ok := it.(*syntax.NamedExpr); ok {
			for _, n := range ne.Names {
				names = append(names, n.Name)
			}
			expr = ne.Value
		}
		if fn, call := r.multiCall(expr, sc); fn != nil {
			mNames, cols, err := r.evalMulti(fn, call, &env{t: work, sc: sc}, names, print)
			if err != nil {
				return nil, err
			}
			for j, name := range mNames {
				used[name] = true
				work = work.withColumn(name, cols[j])
				if !extend {
					outCols, outData = setCol(outCols, outData, name, cols[j])
				}
			}
			continue
		}
		if _, ref := expr.(*syntax.Ident); !ref {
			// refuse before computing the column the budget cannot hold
			computed++
			if err := r.m.needRows(map[bool]string{true: "extend", false: "project"}[extend], int64(work.n), computed, 8); err != nil {
				return nil, err
			}
		}
		v, err := r.eval(expr, &env{t: work, sc: sc})
		if err != nil {
			return nil, err
		}
		if len(names) > 1 {
			return nil, notSupported("tuple assignment outside summarize")
		}
		name := ""
		if len(names) == 1 {
			name = names[0]
		} else if name = exprName(expr); name == "" {
			if print {
				name = autoName(used, "print_", 0)
			} else {
				name = autoName(used, "Column", 1)
			}
		}
		used[name] = true
		v = resize(v, work.n)
		work = work.withColumn(name, v)
		if !extend {
			outCols, outData = setCol(outCols, outData, name, v)
		}
	}
	if extend {
		return work, nil
	}
	return newTable(t.name, outCols, outData, t.n), nil
}

// setCol replaces column name's data or appends the column.
func setCol(cols []string, data []*vec, name string, v *vec) ([]string, []*vec) {
	if j := indexOf(cols, name); j >= 0 {
		data[j] = v
		return cols, data
	}
	return append(cols, name), append(data, v)
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// colPatterns expands column names and wildcards against t's columns.
func colPatterns(cols []syntax.Expr, t *Table) ([]int, error) {
	var out []int
	for _, c := range cols {
		id, ok := c.(*syntax.Ident)
		if !ok {
			return nil, fmt.Errorf("engine: expected a column name, got %T", c)
		}
		if !strings.Contains(id.Name, "*") {
			j := t.colIndex(id.Name)
			if j < 0 {
				return nil, fmt.Errorf("engine: unknown column %q", id.Name)
			}
			out = append(out, j)
			continue
		}
		for j, name := range t.cols {
			if ok, _ := path.Match(id.Name, name); ok {
				out = append(out, j)
			}
		}
	}
	return out, nil
}

func opProjectAway(cols []syntax.Expr, t *Table, keep bool) (*Table, error) {
	sel, err := colPatterns(cols, t)
	if err != nil {
		return nil, err
	}
	mark := make([]bool, len(t.cols))
	for _, j := range sel {
		mark[j] = true
	}
	var names []string
	var data []*vec
	for j, c := range t.cols {
		if mark[j] == keep {
			names = append(names, c)
			data = append(data, t.data[j])
		}
	}
	return newTable(t.name, names, data, t.n), nil
}

func opRename(items []*syntax.NamedExpr, t *Table) (*Table, error) {
	names := append([]string(nil), t.cols...)
	for _, it := range items {
		id, ok := it.Value.(*syntax.Ident)
		if !ok || len(it.Names) != 1 {
			return nil, fmt.Errorf("engine: project-rename expects New = Old")
		}
		j := t.colIndex(id.Name)
		if j < 0 {
			return nil, fmt.Errorf("engine: unknown column %q", id.Name)
		}
		names[j] = it.Names[0].Name
	}
	return newTable(t.name, names, t.data, t.n), nil
}

func opReorder(keys []*syntax.SortKey, t *Table) (*Table, error) {
	var first []int
	seen := make([]bool, len(t.cols))
	for _, k := range keys {
		if k.Order != "" {
			return nil, notSupported("project-reorder with asc/desc")
		}
		sel, err := colPatterns([]syntax.Expr{k.X}, t)
		if err != nil {
			return nil, err
		}
		for _, j := range sel {
			if !seen[j] {
				seen[j] = true
				first = append(first, j)
			}
		}
	}
	for j := range t.cols {
		if !seen[j] {
			first = append(first, j)
		}
	}
	names := make([]string, len(first))
	data := make([]*vec, len(first))
	for i, j := range first {
		names[i], data[i] = t.cols[j], t.data[j]
	}
	return newTable(t.name, names, data, t.n), nil
}

// constInt evaluates a constant integer expression (take/top counts).
func (r *runner) constInt(e syntax.Expr, sc *scope, what string) (int, error) {
	v, err := r.eval(e, emptyEnv(sc))
	if err != nil {
		return 0, err
	}
	n, ok := iArg(v.get(0))
	if !ok || n < 0 {
		return 0, fmt.Errorf("engine: %s needs a non-negative number", what)
	}
	if n > int64(r.opts.MaxIntermediateRows) {
		n = int64(r.opts.MaxIntermediateRows)
	}
	return int(n), nil
}

func (r *runner) opTake(count syntax.Expr, t *Table, sc *scope) (*Table, error) {
	n, err := r.constInt(count, sc, "take")
	if err != nil {
		return nil, err
	}
	return t.slice(0, min(n, t.n)), nil
}

func (r *runner) opSample(count syntax.Expr, t *Table, sc *scope) (*Table, error) {
	n, err := r.constInt(count, sc, "sample")
	if err != nil {
		return nil, err
	}
	if n >= t.n {
		return t, nil
	}
	rng := rand.New(rand.NewSource(r.opts.Seed))
	perm := rng.Perm(t.n)[:n]
	idx := make([]int32, n)
	for i, p := range perm {
		idx[i] = int32(p)
	}
	return t.take(idx), nil
}

var dotnetTypes = map[kind]string{
	kBool: "System.Boolean", kInt: "System.Int32", kLong: "System.Int64", kReal: "System.Double",
	kString: "System.String", kDatetime: "System.DateTime", kTimespan: "System.TimeSpan",
	kGuid: "System.Guid", kDynamic: "System.Object", kNull: "System.Object",
}

func opGetSchema(t *Table) *Table {
	n := len(t.cols)
	names, ords, dt, ct := newBuilder(kString, n), newBuilder(kInt, n), newBuilder(kString, n), newBuilder(kString, n)
	for j, c := range t.cols {
		names.add(strV(c))
		ords.add(intV(int64(j)))
		dt.add(strV(dotnetTypes[t.data[j].k]))
		ct.add(strV(t.data[j].k.String()))
	}
	return newTable("", []string{"ColumnName", "ColumnOrdinal", "DataType", "ColumnType"},
		[]*vec{names.build(), ords.build(), dt.build(), ct.build()}, n)
}

func (r *runner) opRange(x *syntax.RangeOp, sc *scope) (*Table, error) {
	ev := emptyEnv(sc)
	get := func(e syntax.Expr) (value, error) {
		v, err := r.eval(e, ev)
		if err != nil {
			return value{}, err
		}
		return unwrapDyn(v.get(0)), nil
	}
	from, err := get(x.From)
	if err != nil {
		return nil, err
	}
	to, err := get(x.To)
	if err != nil {
		return nil, err
	}
	step, err := get(x.Step)
	if err != nil {
		return nil, err
	}
	if from.null || to.null || step.null {
		return nil, fmt.Errorf("engine: range bounds must not be null")
	}
	b := newBuilder(from.k, 0)
	cur := from
	fit := int(min(r.m.rowsFit(1, cellBytes(from.k)), int64(r.opts.MaxIntermediateRows)+1))
	for i := 0; ; i++ {
		c, ok := compare(cur, to)
		if !ok {
			return nil, fmt.Errorf("engine: range: cannot compare %s with %s", from.k, to.k)
		}
		sign := 1
		if z, _ := compare(step, zeroOf(step.k)); z < 0 {
			sign = -1
		} else if z == 0 {
			return nil, fmt.Errorf("engine: range step must not be zero")
		}
		if c*sign > 0 {
			break
		}
		if i >= r.opts.MaxIntermediateRows {
			return nil, tooLarge("range "+x.Col.Name, "rows in one table", int64(r.opts.MaxIntermediateRows))
		}
		if i >= fit {
			return nil, r.m.needRows("range "+x.Col.Name, int64(i)+1, 1, cellBytes(from.k))
		}
		if i&0x3fff == 0 {
			if err := r.tick(0x4000); err != nil {
				return nil, err
			}
		}
		b.add(cur)
		if cur, err = arith("+", cur, step); err != nil {
			return nil, fmt.Errorf("engine: range: %w", err)
		}
		if cur.null {
			break
		}
	}
	v := b.build()
	return newTable("", []string{x.Col.Name}, []*vec{v}, v.n), nil
}

func (r *runner) opDatatable(x *syntax.DataTableOp, sc *scope) (*Table, error) {
	nc := len(x.Columns)
	if nc == 0 {
		return nil, fmt.Errorf("engine: datatable needs columns")
	}
	if len(x.Values)%nc != 0 {
		return nil, fmt.Errorf("engine: datatable has %d values for %d columns", len(x.Values), nc)
	}
	names := make([]string, nc)
	bs := make([]*builder, nc)
	kinds := make([]kind, nc)
	for j, c := range x.Columns {
		k, ok := parseKind(c.Type)
		if !ok {
			return nil, fmt.Errorf("engine: datatable column %s: unknown type %q", c.Name.Name, c.Type)
		}
		names[j], kinds[j], bs[j] = c.Name.Name, k, newBuilder(k, len(x.Values)/nc)
	}
	ev := emptyEnv(sc)
	for i, e := range x.Values {
		j := i % nc
		var v value
		if kinds[j] == kDynamic {
			d, err := r.dynLiteral(e, sc)
			if err != nil {
				return nil, err
			}
			v = dynV(d)
		} else {
			vv, err := r.eval(e, ev)
			if err != nil {
				return nil, err
			}
			v = vv.get(0)
			if v.k != kinds[j] {
				c := convertTo(v, kinds[j])
				if c.null && !v.null {
					return nil, fmt.Errorf("engine: datatable column %s: %s is not a %s", names[j], toStringValue(v), kinds[j])
				}
				v = c
			}
		}
		bs[j].add(v)
	}
	data := make([]*vec, nc)
	for j, b := range bs {
		data[j] = b.build()
	}
	return newTable("", names, data, len(x.Values)/nc), nil
}
