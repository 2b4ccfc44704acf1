package syntax

import "reflect"

// Inspect walks the tree rooted at n in depth-first order, calling f for
// each node; when f returns false the node's children are skipped.
// Nil children are not visited.
func Inspect(n Node, f func(Node) bool) {
	if isNil(n) || !f(n) {
		return
	}
	EachChild(n, func(c Node) { Inspect(c, f) })
}

func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Children returns the direct child nodes of n in source order.
// EachChild visits the same nodes without building a slice.
func Children(n Node) []Node {
	var out []Node
	EachChild(n, func(c Node) { out = append(out, c) })
	return out
}

// visitor calls f for each non-nil node it is given; it lets EachChild walk
// a node's fields without allocating.
type visitor struct{ f func(Node) }

func (v visitor) add(xs ...Node) {
	for _, x := range xs {
		if !isNil(x) {
			v.f(x)
		}
	}
}

func (v visitor) exprs(xs []Expr) {
	for _, x := range xs {
		v.add(x)
	}
}

// each visits every element of xs (nil ones are skipped).
func each[T Node](v visitor, xs []T) {
	for _, x := range xs {
		v.add(x)
	}
}

// EachChild calls f for each non-nil direct child of n, in source order,
// the nodes Children returns.
func EachChild(n Node, f func(Node)) {
	v := visitor{f: f}
	switch n := n.(type) {
	case *Script:
		for _, s := range n.Stmts {
			v.add(s)
		}
	case *LetStmt:
		v.add(n.Name, n.Value)
	case *SetStmt:
		v.add(n.Name, n.Value)
	case *ExprStmt:
		v.add(n.X)
	case *DynamicLit:
		v.add(n.Value)
	case *ArrayLit:
		v.exprs(n.Elems)
	case *ObjectLit:
		v.exprs(n.Values)
	case *Binary:
		v.add(n.Left, n.Right)
	case *Unary:
		v.add(n.X)
	case *InExpr:
		v.add(n.X)
		v.exprs(n.List)
	case *BetweenExpr:
		v.add(n.X, n.Low, n.High)
	case *Call:
		v.add(n.Recv, n.Name)
		v.exprs(n.Args)
	case *Member:
		v.add(n.X, n.Name)
	case *Index:
		v.add(n.X, n.Index)
	case *Paren:
		v.add(n.X)
	case *ListExpr:
		v.exprs(n.Elems)
	case *NamedExpr:
		for _, id := range n.Names {
			v.add(id)
		}
		v.add(n.Value)
	case *FuncLit:
		for _, p := range n.Params {
			v.add(p)
		}
		for _, s := range n.Body {
			v.add(s)
		}
	case *Param:
		v.add(n.Name, n.Default)
	case *ColumnDecl:
		v.add(n.Name)
	case *Pipeline:
		v.add(n.Source)
		for _, o := range n.Ops {
			v.add(o)
		}
	case *SortKey:
		v.add(n.X)
	case *OpParam:
		v.add(n.Value)
	case *MvExpandItem:
		v.add(n.X)
	case *TopNestedClause:
		v.add(n.Count, n.Of, n.Others)
		if n.By != nil {
			v.add(n.By)
		}
	case Operator:
		opChildren(n, v)
	}
}
