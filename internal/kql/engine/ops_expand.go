package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// expandItem is one evaluated mv-expand column.
type expandItem struct {
	name string
	v    *vec
	to   kind
}

func (r *runner) expandItems(params []*syntax.OpParam, items []*syntax.MvExpandItem, t *Table, sc *scope) ([]expandItem, bool, string, error) {
	bagArray, idxCol := false, ""
	for _, p := range params {
		switch strings.ToLower(p.Name) {
		case "bagexpansion", "kind":
			bagArray = strings.EqualFold(paramText(p), "array")
		case "with_itemindex":
			idxCol = paramText(p)
		}
	}
	out := make([]expandItem, 0, len(items))
	for _, it := range items {
		expr, name := it.X, ""
		if ne, ok := expr.(*syntax.NamedExpr); ok {
			expr, name = ne.Value, ne.Names[0].Name
		}
		if name == "" {
			name = exprName(expr)
		}
		if name == "" {
			return nil, false, "", fmt.Errorf("engine: mv-expand needs a column name for %T", expr)
		}
		v, err := r.eval(expr, &env{t: t, sc: sc})
		if err != nil {
			return nil, false, "", err
		}
		to := kDynamic
		if it.Type != "" {
			k, ok := parseKind(it.Type)
			if !ok {
				return nil, false, "", fmt.Errorf("engine: mv-expand: unknown type %q", it.Type)
			}
			to = k
		}
		out = append(out, expandItem{name: name, v: resize(v, t.n), to: to})
	}
	return out, bagArray, idxCol, nil
}

// elements lists the values one cell expands into; ok false means "no rows"
// (an empty array or bag); a null or scalar expands to itself.
func elements(v value, bagArray bool) []any {
	if v.null {
		return []any{nil}
	}
	if v.k != kDynamic {
		return []any{toDyn(v)}
	}
	switch d := v.d.(type) {
	case []any:
		return d
	case map[string]any:
		out := make([]any, 0, len(d))
		for _, k := range sortedKeys(d) {
			if bagArray {
				out = append(out, []any{k, d[k]})
			} else {
				out = append(out, map[string]any{k: d[k]})
			}
		}
		return out
	}
	return []any{v.d}
}

func (r *runner) opMvExpand(params []*syntax.OpParam, items []*syntax.MvExpandItem, limitE syntax.Expr, t *Table, sc *scope) (*Table, error) {
	its, bagArray, idxCol, err := r.expandItems(params, items, t, sc)
	if err != nil {
		return nil, err
	}
	limit := r.opts.MaxIntermediateRows
	if limitE != nil {
		if limit, err = r.constInt(limitE, sc, "mv-expand limit"); err != nil {
			return nil, err
		}
	}
	var src []int32
	builders := make([]*builder, len(its))
	for j, it := range its {
		builders[j] = newBuilder(it.to, t.n)
	}
	idx := newBuilder(kLong, t.n)
	cols := int64(len(t.cols) + len(its) + 1)
	fit := int(r.m.rowsFit(cols, 16))
	for i := 0; i < t.n; i++ {
		if err := r.tick(1); err != nil {
			return nil, err
		}
		lists := make([][]any, len(its))
		m := 0
		for j, it := range its {
			lists[j] = elements(it.v.get(i), bagArray)
			m = max(m, len(lists[j]))
		}
		m = min(m, limit)
		if len(src)+m > fit {
			return nil, r.m.needRows("mv-expand", int64(len(src)+m), cols, 16)
		}
		if err := r.tick(m); err != nil {
			return nil, err
		}
		for e := 0; e < m; e++ {
			src = append(src, int32(i))
			for j, it := range its {
				var x any
				if e < len(lists[j]) {
					x = lists[j][e]
				}
				cell := dynV(x)
				if it.to != kDynamic {
					cell = convertTo(cell, it.to)
				}
				builders[j].add(cell)
			}
			idx.add(longV(int64(e)))
		}
		if len(src) > r.opts.MaxIntermediateRows {
			return nil, tooLarge("mv-expand", "rows in one table", int64(r.opts.MaxIntermediateRows))
		}
	}
	out := t.take(src)
	for j, it := range its {
		out = out.withColumn(it.name, builders[j].build())
	}
	if idxCol != "" {
		out = out.withColumn(idxCol, idx.build())
	}
	return out, nil
}

// opMvApply expands per input row, runs the sub-query over that row's
// expansion, and appends the results (each joined with the row's other columns).
func (r *runner) opMvApply(x *syntax.MvApplyOp, t *Table, sc *scope) (*Table, error) {
	var parts []*Table
	for i := 0; i < t.n; i++ {
		sub, err := r.mvApplyRows(x, t, i, i+1, sc)
		if err != nil {
			return nil, err
		}
		if sub.n > 0 {
			parts = append(parts, sub)
		}
	}
	if len(parts) == 0 {
		// no row produced output: run the sub-query once on nothing for the schema
		return r.mvApplyRows(x, t, 0, 0, sc)
	}
	return r.unionTables(parts, make([]string, len(parts)), "")
}

// mvApplyRows runs the mv-apply sub-query over the expansion of rows
// [lo, hi) and restores the input columns the sub-query dropped.
func (r *runner) mvApplyRows(x *syntax.MvApplyOp, t *Table, lo, hi int, sc *scope) (*Table, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	exp, err := r.opMvExpand(x.Params, x.Items, x.Limit, t.slice(lo, hi), sc)
	if err != nil {
		return nil, err
	}
	sub, err := r.runPipeline(x.On, sc, exp)
	if err != nil {
		return nil, err
	}
	for j, c := range t.cols {
		if sub.colIndex(c) >= 0 {
			continue
		}
		if hi > lo {
			sub = sub.withColumn(c, constVec(t.data[j].get(lo), sub.n).materialize())
		} else {
			sub = sub.withColumn(c, nullVec(t.data[j].k, 0).materialize())
		}
	}
	return sub, nil
}

// opParse implements parse / parse-where for the simple, relaxed and regex kinds.
func (r *runner) opParse(x *syntax.ParseOp, t *Table, sc *scope) (*Table, error) {
	kindName, flags := "simple", ""
	for _, p := range x.Params {
		switch strings.ToLower(p.Name) {
		case "kind":
			kindName = strings.ToLower(paramText(p))
		case "flags":
			flags = paramText(p)
		}
	}
	if kindName != "simple" && kindName != "regex" && kindName != "relaxed" {
		return nil, notSupported("parse kind=%s", kindName)
	}
	pattern, cols, kinds, err := parsePattern(x.Pattern, kindName == "regex")
	if err != nil {
		return nil, err
	}
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's', 'U':
			prefix += string(f)
		}
	}
	if prefix != "" {
		pattern = "(?" + prefix + ")" + pattern
	}
	re, err := r.cc.re.get(pattern)
	if err != nil {
		return nil, fmt.Errorf("engine: parse: %w", err)
	}
	src, err := r.eval(x.Source, &env{t: t, sc: sc})
	if err != nil {
		return nil, err
	}
	builders := make([]*builder, len(cols))
	for j := range cols {
		builders[j] = newBuilder(kinds[j], t.n)
	}
	keep := make([]int32, 0, t.n)
	for i := 0; i < t.n; i++ {
		if err := r.tick(1); err != nil {
			return nil, err
		}
		s := sArg(src.get(i))
		m := re.FindStringSubmatch(s)
		vals := make([]value, len(cols))
		ok := m != nil
		for j := range cols {
			vals[j] = nullOf(kinds[j])
			if m == nil {
				continue
			}
			v := convertTo(strV(m[j+1]), kinds[j])
			if v.null && kinds[j] != kString && kindName != "relaxed" {
				ok = false
			}
			vals[j] = v
		}
		if !ok && kindName != "relaxed" {
			for j := range vals {
				vals[j] = nullOf(kinds[j])
			}
		}
		if x.Keyword == "parse-where" && !ok {
			continue
		}
		keep = append(keep, int32(i))
		for j, v := range vals {
			builders[j].add(v)
		}
	}
	out := t
	if len(keep) != t.n {
		out = t.take(keep)
	}
	for j, c := range cols {
		out = out.withColumn(c, builders[j].build())
	}
	return out, nil
}

// parsePattern builds the regular expression of a parse pattern.
func parsePattern(items []syntax.Expr, isRegex bool) (string, []string, []kind, error) {
	var b strings.Builder
	b.WriteString("^")
	var cols []string
	var kinds []kind
	for i, it := range items {
		last := i == len(items)-1
		switch x := it.(type) {
		case *syntax.Literal:
			s, _ := x.Value.(string)
			if isRegex {
				b.WriteString(s)
			} else {
				b.WriteString(regexpQuote(s))
			}
		case *syntax.Ident:
			if x.Name != "*" {
				cols, kinds = append(cols, x.Name), append(kinds, kString)
				b.WriteString(captureFor(kString, last))
				continue
			}
			if last {
				b.WriteString(".*")
			} else {
				b.WriteString(".*?")
			}
		case *syntax.ColumnDecl:
			k := kString
			if x.Type != "" {
				var ok bool
				if k, ok = parseKind(x.Type); !ok {
					return "", nil, nil, fmt.Errorf("engine: parse: unknown type %q", x.Type)
				}
			}
			cols, kinds = append(cols, x.Name.Name), append(kinds, k)
			b.WriteString(captureFor(k, last))
		default:
			return "", nil, nil, fmt.Errorf("engine: parse: unexpected pattern element %T", it)
		}
	}
	return b.String(), cols, kinds, nil
}

func captureFor(k kind, last bool) string {
	switch k {
	case kInt, kLong:
		return `(-?\d+)`
	case kReal:
		return `(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`
	}
	if last {
		return "(.*)"
	}
	return "(.*?)"
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// opParseKv implements parse-kv with pair/kv delimiters and quotes.
func (r *runner) opParseKv(x *syntax.ParseKvOp, t *Table, sc *scope) (*Table, error) {
	pairDelim, kvDelim, quote := " ", "=", ""
	for _, w := range x.With {
		v, err := r.eval(w.Value, emptyEnv(sc))
		if err != nil {
			return nil, err
		}
		s := toStringValue(v.get(0))
		switch strings.ToLower(w.Names[0].Name) {
		case "pair_delimiter":
			pairDelim = s
		case "kv_delimiter":
			kvDelim = s
		case "quote":
			quote = s
		case "regex":
			return nil, notSupported("parse-kv with regex")
		}
	}
	src, err := r.eval(x.Source, &env{t: t, sc: sc})
	if err != nil {
		return nil, err
	}
	builders := make([]*builder, len(x.Columns))
	kinds := make([]kind, len(x.Columns))
	for j, c := range x.Columns {
		k := kString
		if c.Type != "" {
			var ok bool
			if k, ok = parseKind(c.Type); !ok {
				return nil, fmt.Errorf("engine: parse-kv: unknown type %q", c.Type)
			}
		}
		kinds[j], builders[j] = k, newBuilder(k, t.n)
	}
	for i := 0; i < t.n; i++ {
		kv := map[string]string{}
		for _, pair := range strings.Split(sArg(src.get(i)), pairDelim) {
			k, v, ok := strings.Cut(pair, kvDelim)
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if quote != "" {
				k, v = strings.Trim(k, quote), strings.Trim(v, quote)
			}
			if _, dup := kv[k]; !dup {
				kv[k] = v
			}
		}
		for j, c := range x.Columns {
			s, ok := kv[c.Name.Name]
			if !ok {
				builders[j].add(nullOf(kinds[j]))
				continue
			}
			builders[j].add(convertTo(strV(s), kinds[j]))
		}
	}
	out := t
	for j, c := range x.Columns {
		out = out.withColumn(c.Name.Name, builders[j].build())
	}
	return out, nil
}
