package syntax

// Operator is a tabular operator: one stage of a *Pipeline.
type Operator interface {
	Node
	opNode()
	// Name returns the operator keyword as written canonically
	// ("where", "project-away", "mv-expand", ...).
	Name() string
}

// WhereOp is `where Pred` (Keyword "where" or "filter").
type WhereOp struct {
	Span
	Keyword string
	Pred    Expr
}

// ProjectOp is `project Items` where each item is an Expr or *NamedExpr.
type ProjectOp struct {
	Span
	Items []Expr
}

// ProjectAwayOp is `project-away Cols` (Cols are *Ident, possibly wildcards).
type ProjectAwayOp struct {
	Span
	Cols []Expr
}

// ProjectKeepOp is `project-keep Cols` (Cols are *Ident, possibly wildcards).
type ProjectKeepOp struct {
	Span
	Cols []Expr
}

// ProjectRenameOp is `project-rename New = Old, ...`.
type ProjectRenameOp struct {
	Span
	Items []*NamedExpr
}

// ProjectReorderOp is `project-reorder Cols` (each a *SortKey whose X is an
// *Ident, possibly a wildcard; Order is "" unless asc/desc/granny-asc... given).
type ProjectReorderOp struct {
	Span
	Cols []*SortKey
}

// ExtendOp is `extend Items` where each item is an Expr or *NamedExpr.
type ExtendOp struct {
	Span
	Items []Expr
}

// SummarizeOp is `summarize [Params] Aggs [by By]`. Aggs and By items are
// Exprs or *NamedExpr; Params holds hints such as hint.shufflekey=x.
type SummarizeOp struct {
	Span
	Params []*OpParam
	Aggs   []Expr
	By     []Expr
}

// CountOp is `count [as Name]`.
type CountOp struct {
	Span
	As *Ident
}

// TakeOp is `take N` / `limit N` (Keyword says which).
type TakeOp struct {
	Span
	Keyword string
	Count   Expr
}

// SortKey is one ordering term: X [asc|desc] [nulls first|last].
// Order is "", "asc" or "desc"; Nulls is "", "first" or "last".
type SortKey struct {
	Span
	X     Expr
	Order string
	Nulls string
}

// SortOp is `sort by Keys` / `order by Keys` (Keyword says which).
type SortOp struct {
	Span
	Keyword string
	Params  []*OpParam
	By      []*SortKey
}

// TopOp is `top Count by Key`.
type TopOp struct {
	Span
	Count Expr
	By    []*SortKey
}

// TopNestedClause is one level of top-nested:
// `[Count] of Of [with others = Others] by By [asc|desc]`.
type TopNestedClause struct {
	Span
	Count  Expr // may be nil
	Of     Expr // *Ident or *NamedExpr
	Others Expr // may be nil
	By     *SortKey
}

// TopNestedOp is `top-nested clause, clause, ...`.
type TopNestedOp struct {
	Span
	Clauses []*TopNestedClause
}

// DistinctOp is `distinct Cols` (an *Ident "*" for all columns).
type DistinctOp struct {
	Span
	Params []*OpParam
	Cols   []Expr
}

// JoinOp is `join [kind=K] [hints] Right on Conds`. Kind is the lower-case
// kind or "" (which means innerunique). Params holds every option including
// kind. On items are *Ident for `on Col` and *Binary "==" between
// $left.X and $right.Y members, or "and"-joined such comparisons.
type JoinOp struct {
	Span
	Kind   string
	Params []*OpParam
	Right  Expr
	On     []Expr
}

// LookupOp is `lookup [kind=leftouter|inner] Right on Conds`.
type LookupOp struct {
	Span
	Kind   string
	Params []*OpParam
	Right  Expr
	On     []Expr
}

// UnionOp is `union [options] Tables`. Tables are Exprs: *Ident (possibly
// wildcards such as Device*), *Paren/*Pipeline subqueries, *Call.
type UnionOp struct {
	Span
	Params []*OpParam
	Tables []Expr
}

// MvExpandItem is one expanded column `X [to typeof(T)]`; X may be a
// *NamedExpr.
type MvExpandItem struct {
	Span
	X    Expr
	Type string // "" unless `to typeof(T)` is given
}

// MvExpandOp is `mv-expand [options] Items [limit N]` (Keyword "mv-expand"
// or the legacy "mvexpand").
type MvExpandOp struct {
	Span
	Keyword string
	Params  []*OpParam
	Items   []*MvExpandItem
	Limit   Expr
}

// MvApplyOp is `mv-apply [options] Items [limit N] on (SubQuery)`. The
// sub-query's Pipeline has a nil Source (the expanded rows are its input).
type MvApplyOp struct {
	Span
	Params []*OpParam
	Items  []*MvExpandItem
	Limit  Expr
	On     *Pipeline
}

// ParseOp is `parse [kind=simple|regex|relaxed [flags=...]] Source with
// Pattern` (Keyword "parse" or "parse-where"). Pattern items are *Literal
// strings, *ColumnDecl captures and *Ident "*" wildcards, in source order.
type ParseOp struct {
	Span
	Keyword string
	Params  []*OpParam
	Source  Expr
	Pattern []Expr
}

// ParseKvOp is `parse-kv Source as (Cols) [with (options)]`.
type ParseKvOp struct {
	Span
	Source  Expr
	Columns []*ColumnDecl
	With    []*NamedExpr
}

// MakeSeriesOp is `make-series [options] Aggs on Axis [from F] [to T] step S
// [by By]` or with `in range(F, T, S)`. Aggs items may be *NamedExpr and
// carry a default in Defaults (parallel, nil when absent).
type MakeSeriesOp struct {
	Span
	Params   []*OpParam
	Aggs     []Expr
	Defaults []Expr
	On       Expr
	From     Expr
	To       Expr
	Step     Expr
	By       []Expr
}

// EvaluateOp is `evaluate [options] Plugin(args)`.
type EvaluateOp struct {
	Span
	Params []*OpParam
	Plugin *Call
}

// RenderOp is `render Chart [with (Props)]`.
type RenderOp struct {
	Span
	Chart string
	With  []*NamedExpr
}

// SerializeOp is `serialize [Items]`.
type SerializeOp struct {
	Span
	Items []Expr
}

// AsOp is `as [hint.materialized=true] Name`.
type AsOp struct {
	Span
	Params []*OpParam
	As     *Ident
}

// InvokeOp is `invoke Func(args)`.
type InvokeOp struct {
	Span
	Call *Call
}

// RangeOp is `range Col from From to To step Step`.
type RangeOp struct {
	Span
	Col  *Ident
	From Expr
	To   Expr
	Step Expr
}

// DataTableOp is `datatable (Cols) [Values]`; Values are row-major.
type DataTableOp struct {
	Span
	Columns []*ColumnDecl
	Values  []Expr
}

// PrintOp is `print Items`.
type PrintOp struct {
	Span
	Items []Expr
}

// SearchOp is `search [options] [in (Tables)] Pred`.
type SearchOp struct {
	Span
	Params []*OpParam
	Tables []Expr
	Pred   Expr
}

// FindOp is `find [options] [in (Tables)] where Pred [project ...]`.
// Project holds the project/project-smart list (nil if omitted).
type FindOp struct {
	Span
	Params  []*OpParam
	Tables  []Expr
	Pred    Expr
	Project []Expr
}

// ExternalDataOp is `externaldata (Cols) [URIs] [with (Props)]`.
type ExternalDataOp struct {
	Span
	Columns []*ColumnDecl
	URIs    []Expr
	With    []*NamedExpr
}

// GetSchemaOp is `getschema`.
type GetSchemaOp struct {
	Span
}

// SampleOp is `sample N`.
type SampleOp struct {
	Span
	Count Expr
}

// SampleDistinctOp is `sample-distinct N of Col`.
type SampleDistinctOp struct {
	Span
	Count Expr
	Of    Expr
}

// FacetOp is `facet by Cols [with (SubQuery)]`.
type FacetOp struct {
	Span
	By   []Expr
	With *Pipeline
}

// ForkOp is `fork (SubQuery) (SubQuery) ...`; each branch may be named
// `name = (SubQuery)`.
type ForkOp struct {
	Span
	Branches []*Pipeline
	Names    []string // parallel to Branches; "" when unnamed
}

// PartitionOp is `partition [options] by Col (SubQuery)` or
// `partition ... by Col { SubQuery }`.
type PartitionOp struct {
	Span
	Params []*OpParam
	By     Expr
	Body   Expr
}

// ConsumeOp is `consume`.
type ConsumeOp struct {
	Span
}

// Name methods.
func (*WhereOp) Name() string          { return "where" }
func (*ProjectOp) Name() string        { return "project" }
func (*ProjectAwayOp) Name() string    { return "project-away" }
func (*ProjectKeepOp) Name() string    { return "project-keep" }
func (*ProjectRenameOp) Name() string  { return "project-rename" }
func (*ProjectReorderOp) Name() string { return "project-reorder" }
func (*ExtendOp) Name() string         { return "extend" }
func (*SummarizeOp) Name() string      { return "summarize" }
func (*CountOp) Name() string          { return "count" }
func (*TakeOp) Name() string           { return "take" }
func (*SortOp) Name() string           { return "sort" }
func (*TopOp) Name() string            { return "top" }
func (*TopNestedOp) Name() string      { return "top-nested" }
func (*DistinctOp) Name() string       { return "distinct" }
func (*JoinOp) Name() string           { return "join" }
func (*LookupOp) Name() string         { return "lookup" }
func (*UnionOp) Name() string          { return "union" }
func (*MvExpandOp) Name() string       { return "mv-expand" }
func (*MvApplyOp) Name() string        { return "mv-apply" }
func (*ParseOp) Name() string          { return "parse" }
func (*ParseKvOp) Name() string        { return "parse-kv" }
func (*MakeSeriesOp) Name() string     { return "make-series" }
func (*EvaluateOp) Name() string       { return "evaluate" }
func (*RenderOp) Name() string         { return "render" }
func (*SerializeOp) Name() string      { return "serialize" }
func (*AsOp) Name() string             { return "as" }
func (*InvokeOp) Name() string         { return "invoke" }
func (*RangeOp) Name() string          { return "range" }
func (*DataTableOp) Name() string      { return "datatable" }
func (*PrintOp) Name() string          { return "print" }
func (*SearchOp) Name() string         { return "search" }
func (*FindOp) Name() string           { return "find" }
func (*ExternalDataOp) Name() string   { return "externaldata" }
func (*GetSchemaOp) Name() string      { return "getschema" }
func (*SampleOp) Name() string         { return "sample" }
func (*SampleDistinctOp) Name() string { return "sample-distinct" }
func (*FacetOp) Name() string          { return "facet" }
func (*ForkOp) Name() string           { return "fork" }
func (*PartitionOp) Name() string      { return "partition" }
func (*ConsumeOp) Name() string        { return "consume" }

func (*WhereOp) opNode()          {}
func (*ProjectOp) opNode()        {}
func (*ProjectAwayOp) opNode()    {}
func (*ProjectKeepOp) opNode()    {}
func (*ProjectRenameOp) opNode()  {}
func (*ProjectReorderOp) opNode() {}
func (*ExtendOp) opNode()         {}
func (*SummarizeOp) opNode()      {}
func (*CountOp) opNode()          {}
func (*TakeOp) opNode()           {}
func (*SortOp) opNode()           {}
func (*TopOp) opNode()            {}
func (*TopNestedOp) opNode()      {}
func (*DistinctOp) opNode()       {}
func (*JoinOp) opNode()           {}
func (*LookupOp) opNode()         {}
func (*UnionOp) opNode()          {}
func (*MvExpandOp) opNode()       {}
func (*MvApplyOp) opNode()        {}
func (*ParseOp) opNode()          {}
func (*ParseKvOp) opNode()        {}
func (*MakeSeriesOp) opNode()     {}
func (*EvaluateOp) opNode()       {}
func (*RenderOp) opNode()         {}
func (*SerializeOp) opNode()      {}
func (*AsOp) opNode()             {}
func (*InvokeOp) opNode()         {}
func (*RangeOp) opNode()          {}
func (*DataTableOp) opNode()      {}
func (*PrintOp) opNode()          {}
func (*SearchOp) opNode()         {}
func (*FindOp) opNode()           {}
func (*ExternalDataOp) opNode()   {}
func (*GetSchemaOp) opNode()      {}
func (*SampleOp) opNode()         {}
func (*SampleDistinctOp) opNode() {}
func (*FacetOp) opNode()          {}
func (*ForkOp) opNode()           {}
func (*PartitionOp) opNode()      {}
func (*ConsumeOp) opNode()        {}
