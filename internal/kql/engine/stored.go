package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Function is a stored function: a Kusto database function or a Log
// Analytics workspace function (Sentinel's _GetWatchlist, the ASIM parsers).
// A query calls it by name like a table-returning function; its body reads
// the catalog's tables and never sees the calling query's let bindings.
// https://learn.microsoft.com/kusto/query/functions/user-defined-functions
type Function struct {
	Name string
	lit  *syntax.FuncLit
}

// ParseFunction parses a stored function's definition, written as in
// `.create function Name (params) { body }`: def is `(params) { body }`.
func ParseFunction(name, def string) (*Function, error) {
	script, diags := syntax.Parse("let " + name + " = " + def + ";\nprint 0")
	if syntax.HasErrors(diags) {
		return nil, fmt.Errorf("engine: stored function %s does not parse: %v", name, diags[0])
	}
	if len(script.Stmts) > 0 {
		if let, ok := script.Stmts[0].(*syntax.LetStmt); ok {
			if lit, ok := let.Value.(*syntax.FuncLit); ok {
				return &Function{Name: name, lit: lit}, nil
			}
		}
	}
	return nil, fmt.Errorf("engine: stored function %s: the definition must be (params) { body }", name)
}

// FunctionCatalog is a Catalog that also holds stored functions.
type FunctionCatalog interface {
	Catalog
	// Function returns the named stored function, or ok false.
	Function(name string) (*Function, bool)
}

// lookupFn finds what a called name refers to: a let binding, then a
// stored function of the catalog. Stored functions bind in a scope of
// their own and type-check their arguments (storedArg).
func (r *runner) lookupFn(name string, sc *scope) *binding {
	if b := sc.lookup(name); b != nil {
		return b
	}
	fc, ok := r.cat.(FunctionCatalog)
	if !ok {
		return nil
	}
	if b, ok := r.stored[name]; ok {
		return b // nil when the catalog has no such function
	}
	lname := strings.ToLower(name)
	if _, builtin := scalarFns()[lname]; builtin {
		return nil
	}
	if _, agg := aggSpecs()[lname]; agg {
		return nil
	}
	if r.stored == nil {
		r.stored = map[string]*binding{}
	}
	f, ok := fc.Function(name)
	if !ok || f == nil || f.lit == nil {
		r.stored[name] = nil
		return nil
	}
	b := &binding{fn: f.lit, fnScope: &scope{vars: map[string]*binding{}}, stored: name}
	r.stored[name] = b
	return b
}

// storedArg checks an argument of a stored function against its declared
// parameter type as Kusto does: the same type, a number widened to a wider
// number, or null; anything else is a semantic error naming the parameter.
// https://learn.microsoft.com/kusto/query/functions/user-defined-functions
func storedArg(fn string, p *syntax.Param, v *vec) (*vec, error) {
	want, ok := parseKind(p.Type)
	if !ok || v.k == want || v.k == kNull {
		return v, nil
	}
	widen := (v.k == kInt && (want == kLong || want == kReal)) || (v.k == kLong && want == kReal)
	if !widen {
		return nil, fmt.Errorf("engine: %s(): the argument for parameter '%s' must have the type %s, but it has the type %s",
			fn, p.Name.Name, want, v.k)
	}
	return v, nil
}

// namedArgs splits a call's arguments into positional ones and name=value
// ones (Kusto passes user-function arguments by name too).
func namedArgs(fn string, params []*syntax.Param, args []syntax.Expr) ([]syntax.Expr, map[string]syntax.Expr, error) {
	var pos []syntax.Expr
	var named map[string]syntax.Expr
	for _, a := range args {
		ne, ok := a.(*syntax.NamedExpr)
		if !ok || len(ne.Names) != 1 {
			if named != nil {
				return nil, nil, fmt.Errorf("engine: %s(): a positional argument follows a named one", fn)
			}
			pos = append(pos, a)
			continue
		}
		name := ne.Names[0].Name
		found := false
		for _, p := range params {
			found = found || p.Name.Name == name
		}
		if !found {
			var names []string
			for _, p := range params {
				names = append(names, p.Name.Name)
			}
			return nil, nil, fmt.Errorf("engine: %s(): no parameter named '%s' (parameters: %s)", fn, name, strings.Join(names, ", "))
		}
		if named == nil {
			named = map[string]syntax.Expr{}
		}
		if _, dup := named[name]; dup {
			return nil, nil, fmt.Errorf("engine: %s(): parameter '%s' given twice", fn, name)
		}
		named[name] = ne.Value
	}
	return pos, named, nil
}
