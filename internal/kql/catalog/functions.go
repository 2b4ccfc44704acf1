package catalog

import (
	"fmt"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Function is a function every Sentinel workspace has (Sentinel deploys it
// into the Log Analytics workspace); Advanced Hunting has none of them.
type Function struct {
	Name string
	// Params is the parameter list as Kusto declares it.
	Params string
	// Reads is the table the function reads.
	Reads string
	// Doc is the function's reference page.
	Doc   string
	About string
}

// workspaceFunctions are the standard Sentinel workspace functions the
// catalogue knows. The demo workspaces define them over their tables
// (fixtures/demo/watchlists.go).
var workspaceFunctions = []Function{
	{Name: "_GetWatchlist", Params: "(watchlistAlias:string)", Reads: "Watchlist",
		Doc:   "https://learn.microsoft.com/azure/sentinel/watchlists-queries",
		About: "The current items of the watchlist with that alias: SearchKey, WatchlistItem and one column per item column; no rows for an unknown alias."},
	{Name: "_Im_WebSession", Reads: "ASimWebSessionLogs",
		Params: "(starttime:datetime=datetime(null), endtime:datetime=datetime(null), srcipaddr_has_any_prefix:dynamic=dynamic([]), " +
			"ipaddr_has_any_prefix:dynamic=dynamic([]), url_has_any:dynamic=dynamic([]), httpuseragent_has_any:dynamic=dynamic([]), " +
			"eventresultdetails_in:dynamic=dynamic([]), eventresult:string='*', pack:bool=false)",
		Doc:   "https://learn.microsoft.com/azure/sentinel/normalization-schema-web",
		About: "ASIM Web Session filtering parser: web sessions of every source in the normalized schema, filtered by its parameters."},
}

// WorkspaceFunction returns the standard Sentinel workspace function of
// that name (names are case-sensitive, as in Kusto).
func WorkspaceFunction(name string) (Function, bool) {
	for _, f := range workspaceFunctions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// WorkspaceFunctions lists the standard Sentinel workspace functions.
func WorkspaceFunctions() []Function {
	return append([]Function(nil), workspaceFunctions...)
}

// paramNames parses Params into the parameter names.
func (f Function) paramNames() ([]string, error) {
	script, diags := syntax.Parse("let f = " + f.Params + " { print 0 };\nprint 0")
	if !syntax.HasErrors(diags) && len(script.Stmts) > 0 {
		if let, ok := script.Stmts[0].(*syntax.LetStmt); ok {
			if lit, ok := let.Value.(*syntax.FuncLit); ok {
				names := make([]string, len(lit.Params))
				for i, p := range lit.Params {
					names[i] = p.Name.Name
				}
				return names, nil
			}
		}
	}
	return nil, fmt.Errorf("catalog: function %s: parameters %s do not parse", f.Name, f.Params)
}
