package syntax

func opChildren(o Operator, add func(...Node), addExprs func([]Expr)) {
	add2 := func(xs ...Node) { add(xs...) }
	params := func(ps []*OpParam) {
		for _, p := range ps {
			add2(p)
		}
	}
	keys := func(ks []*SortKey) {
		for _, k := range ks {
			add2(k)
		}
	}
	items := func(is []*MvExpandItem) {
		for _, it := range is {
			add2(it)
		}
	}
	cols := func(cs []*ColumnDecl) {
		for _, c := range cs {
			add2(c)
		}
	}
	named := func(ns []*NamedExpr) {
		for _, n := range ns {
			add2(n)
		}
	}
	switch o := o.(type) {
	case *WhereOp:
		add(o.Pred)
	case *ProjectOp:
		addExprs(o.Items)
	case *ProjectAwayOp:
		addExprs(o.Cols)
	case *ProjectKeepOp:
		addExprs(o.Cols)
	case *ProjectRenameOp:
		named(o.Items)
	case *ProjectReorderOp:
		keys(o.Cols)
	case *ExtendOp:
		addExprs(o.Items)
	case *SummarizeOp:
		params(o.Params)
		addExprs(o.Aggs)
		addExprs(o.By)
	case *CountOp:
		add(o.As)
	case *TakeOp:
		add(o.Count)
	case *SortOp:
		params(o.Params)
		keys(o.By)
	case *TopOp:
		add(o.Count)
		keys(o.By)
	case *TopNestedOp:
		for _, c := range o.Clauses {
			add2(c)
		}
	case *DistinctOp:
		params(o.Params)
		addExprs(o.Cols)
	case *JoinOp:
		params(o.Params)
		add(o.Right)
		addExprs(o.On)
	case *LookupOp:
		params(o.Params)
		add(o.Right)
		addExprs(o.On)
	case *UnionOp:
		params(o.Params)
		addExprs(o.Tables)
	case *MvExpandOp:
		params(o.Params)
		items(o.Items)
		add(o.Limit)
	case *MvApplyOp:
		params(o.Params)
		items(o.Items)
		add(o.Limit)
		if o.On != nil {
			add(o.On)
		}
	case *ParseOp:
		params(o.Params)
		add(o.Source)
		addExprs(o.Pattern)
	case *ParseKvOp:
		add(o.Source)
		cols(o.Columns)
		named(o.With)
	case *MakeSeriesOp:
		params(o.Params)
		addExprs(o.Aggs)
		addExprs(o.Defaults)
		add(o.On, o.From, o.To, o.Step)
		addExprs(o.By)
	default:
		opChildren2(o, add, addExprs, params, cols, named)
	}
}

func opChildren2(o Operator, add func(...Node), addExprs func([]Expr),
	params func([]*OpParam), cols func([]*ColumnDecl), named func([]*NamedExpr)) {
	switch o := o.(type) {
	case *EvaluateOp:
		params(o.Params)
		if o.Plugin != nil {
			add(o.Plugin)
		}
	case *RenderOp:
		named(o.With)
	case *SerializeOp:
		addExprs(o.Items)
	case *AsOp:
		params(o.Params)
		add(o.As)
	case *InvokeOp:
		if o.Call != nil {
			add(o.Call)
		}
	case *RangeOp:
		add(o.Col, o.From, o.To, o.Step)
	case *DataTableOp:
		cols(o.Columns)
		addExprs(o.Values)
	case *PrintOp:
		addExprs(o.Items)
	case *SearchOp:
		params(o.Params)
		addExprs(o.Tables)
		add(o.Pred)
	case *FindOp:
		params(o.Params)
		addExprs(o.Tables)
		add(o.Pred)
		addExprs(o.Project)
	case *ExternalDataOp:
		cols(o.Columns)
		addExprs(o.URIs)
		named(o.With)
	case *SampleOp:
		add(o.Count)
	case *SampleDistinctOp:
		add(o.Count, o.Of)
	case *FacetOp:
		addExprs(o.By)
		if o.With != nil {
			add(o.With)
		}
	case *ForkOp:
		for _, b := range o.Branches {
			add(b)
		}
	case *PartitionOp:
		params(o.Params)
		add(o.By, o.Body)
	}
}
