package syntax

import "reflect"

// Inspect walks the tree rooted at n in depth-first order, calling f for
// each node; when f returns false the node's children are skipped.
// Nil children are not visited.
func Inspect(n Node, f func(Node) bool) {
	if isNil(n) || !f(n) {
		return
	}
	for _, c := range Children(n) {
		Inspect(c, f)
	}
}

func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Children returns the direct child nodes of n in source order.
func Children(n Node) []Node {
	var out []Node
	add := func(xs ...Node) {
		for _, x := range xs {
			if !isNil(x) {
				out = append(out, x)
			}
		}
	}
	addExprs := func(xs []Expr) {
		for _, x := range xs {
			add(x)
		}
	}
	switch n := n.(type) {
	case *Script:
		for _, s := range n.Stmts {
			add(s)
		}
	case *LetStmt:
		add(n.Name, n.Value)
	case *SetStmt:
		add(n.Name, n.Value)
	case *ExprStmt:
		add(n.X)
	case *DynamicLit:
		add(n.Value)
	case *ArrayLit:
		addExprs(n.Elems)
	case *ObjectLit:
		addExprs(n.Values)
	case *Binary:
		add(n.Left, n.Right)
	case *Unary:
		add(n.X)
	case *InExpr:
		add(n.X)
		addExprs(n.List)
	case *BetweenExpr:
		add(n.X, n.Low, n.High)
	case *Call:
		add(n.Recv, n.Name)
		addExprs(n.Args)
	case *Member:
		add(n.X, n.Name)
	case *Index:
		add(n.X, n.Index)
	case *Paren:
		add(n.X)
	case *ListExpr:
		addExprs(n.Elems)
	case *NamedExpr:
		for _, id := range n.Names {
			add(id)
		}
		add(n.Value)
	case *FuncLit:
		for _, p := range n.Params {
			add(p)
		}
		for _, s := range n.Body {
			add(s)
		}
	case *Param:
		add(n.Name, n.Default)
	case *ColumnDecl:
		add(n.Name)
	case *Pipeline:
		add(n.Source)
		for _, o := range n.Ops {
			add(o)
		}
	case *SortKey:
		add(n.X)
	case *OpParam:
		add(n.Value)
	case *MvExpandItem:
		add(n.X)
	case *TopNestedClause:
		add(n.Count, n.Of, n.Others)
		if n.By != nil {
			add(n.By)
		}
	case Operator:
		opChildren(n, add, addExprs)
	}
	return out
}
