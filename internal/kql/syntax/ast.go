// Package syntax is the KQL (Kusto Query Language) front end: a lexer, a
// recursive-descent parser producing a typed syntax tree, and a printer
// (Format) that turns a tree back into KQL.
//
// The tree is deliberately concrete enough to print back faithfully yet
// simple enough for an executor to walk: tabular and scalar expressions share
// the Expr interface because KQL mixes them freely (toscalar(T | count),
// x in (T | project y), join (T | where ...)). A tabular pipeline is a
// *Pipeline whose Source is the first expression and whose Ops are the
// operators after each '|'.
//
// Every node embeds Span, the half-open byte range [Start, End) of the
// source text it was parsed from. Nodes built by tree rewriting (see package
// guard) carry a zero Span.
//
// The library does no I/O and never panics on hostile input: Parse returns
// diagnostics instead, and limits nesting depth and input size.
package syntax

// Span is the half-open byte range [Start, End) of a node in the source.
type Span struct {
	Start int // byte offset of the first byte
	End   int // byte offset just past the last byte
}

// Pos returns the span itself; it makes every node satisfy Node.
func (s Span) Pos() Span { return s }

// Node is any syntax tree node.
type Node interface {
	Pos() Span
}

// Script is a whole query text: statements separated by ';'.
// Typically zero or more let/set statements followed by one query
// (an *ExprStmt holding a *Pipeline).
type Script struct {
	Span
	Stmts []Stmt
}

// Stmt is a statement of a script or of a function body.
type Stmt interface {
	Node
	stmtNode()
}

// LetStmt is `let Name = Value`. Value is any expression: a scalar, a
// tabular expression (*Pipeline, *Ident naming a table, a materialize(...)
// *Call) or a *FuncLit for user functions and lambdas.
type LetStmt struct {
	Span
	Name  *Ident
	Value Expr
}

// SetStmt is a query option `set Name [= Value]` (Value may be nil).
type SetStmt struct {
	Span
	Name  *Ident
	Value Expr
}

// ExprStmt is an expression used as a statement; the query statement of a
// script is an ExprStmt whose X is usually a *Pipeline.
type ExprStmt struct {
	Span
	X Expr
}

// CommandStmt is a control command (text starting with '.', e.g. `.show
// tables`). The parser does not interpret it; Text is its raw source up to
// the end of the script. The guard refuses it.
type CommandStmt struct {
	Span
	Text string
}

func (*LetStmt) stmtNode()     {}
func (*SetStmt) stmtNode()     {}
func (*ExprStmt) stmtNode()    {}
func (*CommandStmt) stmtNode() {}

// Expr is a scalar or tabular expression.
type Expr interface {
	Node
	exprNode()
}

// Ident is a name: a column, table, variable, function or option name.
// Quoted is true for the bracketed forms ['name'] and ["name"]; Name is
// always the unquoted text. Name may contain '*' where a wildcard is allowed
// (union Device*, project-away Col*, distinct *). $left and $right are Idents
// named "$left" and "$right".
type Ident struct {
	Span
	Name   string
	Quoted bool
}

// LitKind is the kind of a scalar literal.
type LitKind int

// Literal kinds.
const (
	LitString   LitKind = iota // Value is string (decoded)
	LitLong                    // Value is int64
	LitInt                     // int(...) literal; Value is int64
	LitReal                    // Value is float64 (real(nan), real(+inf) allowed)
	LitDecimal                 // decimal(...) literal; Value is string (the digits)
	LitBool                    // Value is bool
	LitDateTime                // Value is string: the text between the parens, unquoted
	LitTimespan                // Value is int64 ticks (100 ns units)
	LitGUID                    // Value is string
	LitNull                    // typed null such as long(null); Type says which
)

// String names the kind like KQL's type names.
func (k LitKind) String() string {
	switch k {
	case LitString:
		return "string"
	case LitLong:
		return "long"
	case LitInt:
		return "int"
	case LitReal:
		return "real"
	case LitDecimal:
		return "decimal"
	case LitBool:
		return "bool"
	case LitDateTime:
		return "datetime"
	case LitTimespan:
		return "timespan"
	case LitGUID:
		return "guid"
	case LitNull:
		return "null"
	}
	return "unknown"
}

// Literal is a scalar constant. Raw is the exact source text (for strings,
// all adjacent pieces including quotes, so Format can reproduce obfuscated
// h"..." strings); Value is the decoded value (see LitKind). For LitNull,
// Type names the type ("long", "datetime", ...). Obfuscated is true for
// h"..." strings, whose value must be kept out of logs.
type Literal struct {
	Span
	Kind       LitKind
	Raw        string
	Value      any
	Type       string
	Obfuscated bool
}

// DynamicLit is dynamic(...): Value is an *ArrayLit, *ObjectLit, a
// *Literal, or nil for dynamic(null).
type DynamicLit struct {
	Span
	Value Expr
}

// ArrayLit is a JSON-like array inside dynamic(...).
type ArrayLit struct {
	Span
	Elems []Expr
}

// ObjectLit is a JSON-like property bag inside dynamic(...); Keys and
// Values are parallel and keep source order.
type ObjectLit struct {
	Span
	Keys   []string
	Values []Expr
}

// Binary is a binary operation. Op is the canonical lower-case operator
// text: "or", "and", "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "+", "-",
// "*", "/", "%", and the string operators "has", "!has", "has_cs",
// "!has_cs", "hasprefix", "!hasprefix", "hasprefix_cs", "hassuffix", ...,
// "contains", "!contains", "contains_cs", "!contains_cs", "startswith",
// "!startswith", "startswith_cs", "endswith", "!endswith", "endswith_cs",
// "like"/"notlike" variants, and "matches regex". "<>" is normalised to "!=".
type Binary struct {
	Span
	Op    string
	OpPos int // byte offset of the operator
	Left  Expr
	Right Expr
}

// Unary is a prefix "-" or "+".
type Unary struct {
	Span
	Op string
	X  Expr
}

// InExpr is `X Op (List...)` for the set operators "in", "!in", "in~",
// "!in~", "has_any", "has_all", "has_any_cs"... List holds the elements;
// a single tabular element (a *Pipeline, or an *Ident naming a table or
// let variable, or a dynamic array) is also possible.
type InExpr struct {
	Span
	Op   string
	X    Expr
	List []Expr
}

// BetweenExpr is `X between (Low .. High)` or `X !between (...)`.
type BetweenExpr struct {
	Span
	Not  bool
	X    Expr
	Low  Expr
	High Expr
}

// Call is a function call Name(Args...). Recv is non-nil for the method
// forms cluster("c").database("d") (Recv is the expression before the dot).
// Args may contain *NamedExpr for named arguments and *Ident "*" for
// count(*)-style arguments.
type Call struct {
	Span
	Recv Expr
	Name *Ident
	Args []Expr
}

// Member is dotted access X.Name (e.g. parse_json(x).Host, $left.DeviceId,
// database("d").Table).
type Member struct {
	Span
	X    Expr
	Name *Ident
}

// Index is X[Index] (a[0], a['key'], a[-1]).
type Index struct {
	Span
	X     Expr
	Index Expr
}

// Paren is a parenthesised expression (kept for faithful printing).
type Paren struct {
	Span
	X Expr
}

// ListExpr is a parenthesised comma list of two or more expressions, such as
// the tuple on the left of `(a, b) = f(x)` or a list in a datatable.
type ListExpr struct {
	Span
	Elems []Expr
}

// NamedExpr is `Name = Value` as used in project/extend/summarize items,
// named call arguments and operator options. Names has more than one
// element for tuple assignments `(a, b) = f(x)`.
type NamedExpr struct {
	Span
	Names []*Ident
	Value Expr
}

// Param is a function parameter `Name: Type [= Default]`. Type is the type
// text: a scalar type name ("string", "long", "dynamic", ...) or a tabular
// schema "(*)" or "(Col:string, ...)".
type Param struct {
	Span
	Name    *Ident
	Type    string
	Columns []*ColumnDecl // set for tabular parameters with a schema
	Default Expr
}

// FuncLit is a user function or lambda body: `[view] (params) { stmts }`.
// Body holds the let statements and the final expression statement.
type FuncLit struct {
	Span
	View   bool
	Params []*Param
	Body   []Stmt
}

// ColumnDecl is `Name:Type` as in datatable, externaldata and parse. It is
// an Expr only so that it can appear in ParseOp.Pattern.
// Type is empty when omitted.
type ColumnDecl struct {
	Span
	Name *Ident
	Type string
}

// Pipeline is a tabular expression `Source | Op | Op ...`. Source is the
// first expression (an *Ident naming a table or variable, a *Call such as
// materialize(x) or a function returning a table, a *Paren, ...). When the
// pipeline begins with a source operator (union, range, print, datatable,
// search, find, externaldata, evaluate) or is a sub-pipeline applied to an
// implicit input (mv-apply ... on (...), fork, partition, facet), Source is
// nil and Ops[0] is that operator.
type Pipeline struct {
	Span
	Source Expr
	Ops    []Operator
}

// OpParam is an operator option `Name=Value` before an operator's main
// arguments: kind=inner, hint.strategy=shuffle, withsource=T, isfuzzy=true,
// bagexpansion=array, with_itemindex=i, decodeblocks=true ...
// Value is an *Ident for bare words and a *Literal for constants.
type OpParam struct {
	Span
	Name  string
	Value Expr
}

func (*Ident) exprNode()       {}
func (*Literal) exprNode()     {}
func (*DynamicLit) exprNode()  {}
func (*ArrayLit) exprNode()    {}
func (*ObjectLit) exprNode()   {}
func (*Binary) exprNode()      {}
func (*Unary) exprNode()       {}
func (*InExpr) exprNode()      {}
func (*BetweenExpr) exprNode() {}
func (*Call) exprNode()        {}
func (*Member) exprNode()      {}
func (*Index) exprNode()       {}
func (*Paren) exprNode()       {}
func (*ListExpr) exprNode()    {}
func (*NamedExpr) exprNode()   {}
func (*FuncLit) exprNode()     {}
func (*Pipeline) exprNode()    {}
func (*ColumnDecl) exprNode()  {}
