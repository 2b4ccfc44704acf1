package syntax

// op prints one tabular operator (without the leading '|').
func (f *formatter) op(o Operator) {
	switch o := o.(type) {
	case *WhereOp:
		f.w(kw(o.Keyword, "where"), " ")
		f.expr(o.Pred, 0)
	case *ProjectOp:
		f.w("project ")
		f.list(o.Items, 0)
	case *ProjectAwayOp:
		f.w("project-away ")
		f.list(o.Cols, 0)
	case *ProjectKeepOp:
		f.w("project-keep ")
		f.list(o.Cols, 0)
	case *ProjectRenameOp:
		f.w("project-rename ")
		for i, it := range o.Items {
			if i > 0 {
				f.w(", ")
			}
			f.expr(it, 0)
		}
	case *ProjectReorderOp:
		f.w("project-reorder ")
		f.sortKeys(o.Cols)
	case *ExtendOp:
		f.w("extend ")
		f.list(o.Items, 0)
	case *SummarizeOp:
		f.w("summarize")
		f.opParams(o.Params)
		if len(o.Aggs) > 0 {
			f.w(" ")
			f.list(o.Aggs, 0)
		}
		if len(o.By) > 0 {
			f.w(" by ")
			f.list(o.By, 0)
		}
	case *CountOp:
		f.w("count")
		if o.As != nil {
			f.w(" as ")
			f.ident(o.As)
		}
	case *TakeOp:
		f.w(kw(o.Keyword, "take"), " ")
		f.expr(o.Count, 0)
	case *SortOp:
		f.w(kw(o.Keyword, "sort"))
		f.opParams(o.Params)
		f.w(" by ")
		f.sortKeys(o.By)
	case *TopOp:
		f.w("top ")
		f.expr(o.Count, 0)
		f.w(" by ")
		f.sortKeys(o.By)
	case *TopNestedOp:
		for i, c := range o.Clauses {
			if i > 0 {
				f.w(", ")
			}
			f.topNestedClause(c)
		}
	case *DistinctOp:
		f.w("distinct")
		f.opParams(o.Params)
		f.w(" ")
		f.list(o.Cols, 0)
	case *JoinOp:
		f.w("join")
		f.opParams(o.Params)
		f.w(" ")
		f.tableExpr(o.Right)
		if len(o.On) > 0 {
			f.w(" on ")
			f.list(o.On, 0)
		}
	case *LookupOp:
		f.w("lookup")
		f.opParams(o.Params)
		f.w(" ")
		f.tableExpr(o.Right)
		f.w(" on ")
		f.list(o.On, 0)
	case *UnionOp:
		f.w("union")
		f.opParams(o.Params)
		f.w(" ")
		for i, t := range o.Tables {
			if i > 0 {
				f.w(", ")
			}
			f.tableExpr(t)
		}
	default:
		f.op2(o)
	}
}

func (f *formatter) op2(o Operator) {
	switch o := o.(type) {
	case *MvExpandOp:
		f.w(kw(o.Keyword, "mv-expand"))
		f.opParams(o.Params)
		f.w(" ")
		f.mvItems(o.Items)
		if o.Limit != nil {
			f.w(" limit ")
			f.expr(o.Limit, 0)
		}
	case *MvApplyOp:
		f.w("mv-apply")
		f.opParams(o.Params)
		f.w(" ")
		f.mvItems(o.Items)
		if o.Limit != nil {
			f.w(" limit ")
			f.expr(o.Limit, 0)
		}
		f.w(" on ")
		f.subPipeline(o.On)
	case *ParseOp:
		f.w(kw(o.Keyword, "parse"))
		f.opParams(o.Params)
		f.w(" ")
		f.expr(o.Source, precCmp)
		f.w(" with")
		for _, it := range o.Pattern {
			f.w(" ")
			f.expr(it, 0)
		}
	case *ParseKvOp:
		f.w("parse-kv ")
		f.expr(o.Source, precCmp)
		f.w(" as (")
		f.columnDecls(o.Columns)
		f.w(")")
		if len(o.With) > 0 {
			f.w(" with ")
			f.props(o.With)
		}
	case *MakeSeriesOp:
		f.makeSeries(o)
	case *EvaluateOp:
		f.w("evaluate")
		f.opParams(o.Params)
		f.w(" ")
		f.expr(o.Plugin, 0)
	case *RenderOp:
		f.w("render ", o.Chart)
		if len(o.With) > 0 {
			f.w(" with ")
			f.props(o.With)
		}
	case *SerializeOp:
		f.w("serialize")
		if len(o.Items) > 0 {
			f.w(" ")
			f.list(o.Items, 0)
		}
	case *AsOp:
		f.w("as")
		f.opParams(o.Params)
		f.w(" ")
		f.ident(o.As)
	case *InvokeOp:
		f.w("invoke ")
		f.expr(o.Call, 0)
	case *RangeOp:
		f.w("range ")
		f.ident(o.Col)
		f.w(" from ")
		f.expr(o.From, precCmp)
		f.w(" to ")
		f.expr(o.To, precCmp)
		f.w(" step ")
		f.expr(o.Step, precCmp)
	default:
		f.op3(o)
	}
}

func (f *formatter) op3(o Operator) {
	switch o := o.(type) {
	case *DataTableOp:
		f.w("datatable(")
		f.columnDecls(o.Columns)
		f.w(") [")
		f.list(o.Values, 0)
		f.w("]")
	case *PrintOp:
		f.w("print")
		if len(o.Items) > 0 {
			f.w(" ")
			f.list(o.Items, 0)
		}
	case *SearchOp:
		f.w("search")
		f.opParams(o.Params)
		f.inTables(o.Tables)
		f.w(" ")
		f.expr(o.Pred, 0)
	case *FindOp:
		f.w("find")
		f.opParams(o.Params)
		f.inTables(o.Tables)
		f.w(" where ")
		f.expr(o.Pred, 0)
		if o.Project != nil {
			f.w(" project ")
			f.list(o.Project, 0)
		}
	case *ExternalDataOp:
		f.w("externaldata(")
		f.columnDecls(o.Columns)
		f.w(") [")
		f.list(o.URIs, 0)
		f.w("]")
		if len(o.With) > 0 {
			f.w(" with ")
			f.props(o.With)
		}
	case *GetSchemaOp:
		f.w("getschema")
	case *ConsumeOp:
		f.w("consume")
	case *SampleOp:
		f.w("sample ")
		f.expr(o.Count, 0)
	case *SampleDistinctOp:
		f.w("sample-distinct ")
		f.expr(o.Count, 0)
		f.w(" of ")
		f.expr(o.Of, 0)
	case *FacetOp:
		f.w("facet by ")
		f.list(o.By, 0)
		if o.With != nil {
			f.w(" with ")
			f.subPipeline(o.With)
		}
	case *ForkOp:
		f.w("fork")
		for i, b := range o.Branches {
			f.w(" ")
			if i < len(o.Names) && o.Names[i] != "" {
				f.w(o.Names[i], " = ")
			}
			f.subPipeline(b)
		}
	case *PartitionOp:
		f.w("partition")
		f.opParams(o.Params)
		f.w(" by ")
		f.expr(o.By, 0)
		f.w(" ")
		if sub, ok := o.Body.(*Pipeline); ok && sub.Source == nil {
			f.subPipeline(sub)
		} else {
			f.tableExpr(o.Body)
		}
	}
}

func kw(k, def string) string {
	if k == "" {
		return def
	}
	return k
}

// tableExpr prints a join/union operand, parenthesising pipelines.
func (f *formatter) tableExpr(e Expr) {
	if _, ok := e.(*Pipeline); ok {
		f.w("(")
		f.expr(e, 0)
		f.w(")")
		return
	}
	f.expr(e, precPostfix)
}

func (f *formatter) opParams(ps []*OpParam) {
	for _, p := range ps {
		f.w(" ", p.Name, "=")
		f.expr(p.Value, precPostfix)
	}
}

func (f *formatter) sortKey(k *SortKey) {
	f.expr(k.X, 0)
	if k.Order != "" {
		f.w(" ", k.Order)
	}
	if k.Nulls != "" {
		f.w(" nulls ", k.Nulls)
	}
}

func (f *formatter) sortKeys(ks []*SortKey) {
	for i, k := range ks {
		if i > 0 {
			f.w(", ")
		}
		f.sortKey(k)
	}
}

func (f *formatter) topNestedClause(c *TopNestedClause) {
	f.w("top-nested ")
	if c.Count != nil {
		f.expr(c.Count, 0)
		f.w(" ")
	}
	f.w("of ")
	f.expr(c.Of, 0)
	if c.Others != nil {
		f.w(" with others = ")
		f.expr(c.Others, 0)
	}
	f.w(" by ")
	f.sortKey(c.By)
}

func (f *formatter) mvItems(items []*MvExpandItem) {
	for i, it := range items {
		if i > 0 {
			f.w(", ")
		}
		f.expr(it.X, 0)
		if it.Type != "" {
			f.w(" to typeof(", it.Type, ")")
		}
	}
}

func (f *formatter) columnDecls(cs []*ColumnDecl) {
	for i, c := range cs {
		if i > 0 {
			f.w(", ")
		}
		f.columnDecl(c)
	}
}

func (f *formatter) props(ps []*NamedExpr) {
	f.w("(")
	for i, p := range ps {
		if i > 0 {
			f.w(", ")
		}
		f.expr(p, 0)
	}
	f.w(")")
}

func (f *formatter) inTables(ts []Expr) {
	if len(ts) == 0 {
		return
	}
	f.w(" in (")
	for i, t := range ts {
		if i > 0 {
			f.w(", ")
		}
		f.tableExpr(t)
	}
	f.w(")")
}

func (f *formatter) makeSeries(o *MakeSeriesOp) {
	f.w("make-series")
	f.opParams(o.Params)
	f.w(" ")
	for i, a := range o.Aggs {
		if i > 0 {
			f.w(", ")
		}
		f.expr(a, 0)
		if i < len(o.Defaults) && o.Defaults[i] != nil {
			f.w(" default = ")
			f.expr(o.Defaults[i], precCmp)
		}
	}
	f.w(" on ")
	f.expr(o.On, precAdd)
	if o.From != nil {
		f.w(" from ")
		f.expr(o.From, precCmp)
	}
	if o.To != nil {
		f.w(" to ")
		f.expr(o.To, precCmp)
	}
	f.w(" step ")
	f.expr(o.Step, precCmp)
	if len(o.By) > 0 {
		f.w(" by ")
		f.list(o.By, 0)
	}
}
