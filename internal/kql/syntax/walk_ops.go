package syntax

func opChildren(o Operator, v visitor) {
	switch o := o.(type) {
	case *WhereOp:
		v.add(o.Pred)
	case *ProjectOp:
		v.exprs(o.Items)
	case *ProjectAwayOp:
		v.exprs(o.Cols)
	case *ProjectKeepOp:
		v.exprs(o.Cols)
	case *ProjectRenameOp:
		each(v, o.Items)
	case *ProjectReorderOp:
		each(v, o.Cols)
	case *ExtendOp:
		v.exprs(o.Items)
	case *SummarizeOp:
		each(v, o.Params)
		v.exprs(o.Aggs)
		v.exprs(o.By)
	case *CountOp:
		v.add(o.As)
	case *TakeOp:
		v.add(o.Count)
	case *SortOp:
		each(v, o.Params)
		each(v, o.By)
	case *TopOp:
		v.add(o.Count)
		each(v, o.By)
	case *TopNestedOp:
		for _, c := range o.Clauses {
			v.add(c)
		}
	case *DistinctOp:
		each(v, o.Params)
		v.exprs(o.Cols)
	case *JoinOp:
		each(v, o.Params)
		v.add(o.Right)
		v.exprs(o.On)
	case *LookupOp:
		each(v, o.Params)
		v.add(o.Right)
		v.exprs(o.On)
	case *UnionOp:
		each(v, o.Params)
		v.exprs(o.Tables)
	case *MvExpandOp:
		each(v, o.Params)
		each(v, o.Items)
		v.add(o.Limit)
	case *MvApplyOp:
		each(v, o.Params)
		each(v, o.Items)
		v.add(o.Limit)
		if o.On != nil {
			v.add(o.On)
		}
	case *ParseOp:
		each(v, o.Params)
		v.add(o.Source)
		v.exprs(o.Pattern)
	case *ParseKvOp:
		v.add(o.Source)
		each(v, o.Columns)
		each(v, o.With)
	case *MakeSeriesOp:
		each(v, o.Params)
		v.exprs(o.Aggs)
		v.exprs(o.Defaults)
		v.add(o.On, o.From, o.To, o.Step)
		v.exprs(o.By)
	default:
		opChildren2(o, v)
	}
}

func opChildren2(o Operator, v visitor) {
	switch o := o.(type) {
	case *EvaluateOp:
		each(v, o.Params)
		if o.Plugin != nil {
			v.add(o.Plugin)
		}
	case *RenderOp:
		each(v, o.With)
	case *SerializeOp:
		v.exprs(o.Items)
	case *AsOp:
		each(v, o.Params)
		v.add(o.As)
	case *InvokeOp:
		if o.Call != nil {
			v.add(o.Call)
		}
	case *RangeOp:
		v.add(o.Col, o.From, o.To, o.Step)
	case *DataTableOp:
		each(v, o.Columns)
		v.exprs(o.Values)
	case *PrintOp:
		v.exprs(o.Items)
	case *SearchOp:
		each(v, o.Params)
		v.exprs(o.Tables)
		v.add(o.Pred)
	case *FindOp:
		each(v, o.Params)
		v.exprs(o.Tables)
		v.add(o.Pred)
		v.exprs(o.Project)
	case *ExternalDataOp:
		each(v, o.Columns)
		v.exprs(o.URIs)
		each(v, o.With)
	case *SampleOp:
		v.add(o.Count)
	case *SampleDistinctOp:
		v.add(o.Count, o.Of)
	case *FacetOp:
		v.exprs(o.By)
		if o.With != nil {
			v.add(o.With)
		}
	case *ForkOp:
		for _, b := range o.Branches {
			v.add(b)
		}
	case *PartitionOp:
		each(v, o.Params)
		v.add(o.By, o.Body)
	}
}
