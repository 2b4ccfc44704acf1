package analyze

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// TestStoredFunctions: a schema's stored functions (Sentinel's
// _GetWatchlist, the ASIM parsers) are tabular, take positional and named
// arguments, and refuse parameter names they do not have; without them in
// the schema the name is an unknown function.
func TestStoredFunctions(t *testing.T) {
	s := testSchema(t)
	s.AddFunction("_GetWatchlist", []string{"watchlistAlias"})
	s.AddFunction("_Im_WebSession", []string{"starttime", "endtime", "eventresult"})
	ok := []string{
		`_GetWatchlist('VIPUsers') | project SearchKey`,
		`_Im_WebSession(starttime=ago(1d), eventresult='Success') | summarize count() by SrcIpAddr`,
		`DeviceLogonEvents | where AccountName in (_GetWatchlist('VIPUsers') | project SearchKey)`,
		`DeviceLogonEvents | join kind=inner (_Im_WebSession(ago(1d))) on $left.AccountName == $right.SrcUsername`,
	}
	for _, q := range ok {
		_, res := Check(q, Options{Schema: s})
		if syntax.HasErrors(res.Diagnostics) || len(res.Functions) != 1 || !strings.Contains(q, res.Functions[0]+"(") {
			t.Errorf("%s: %v, functions %v", q, res.Diagnostics, res.Functions)
		}
	}
	bad := map[string]string{
		`_Im_WebSession(src_ip=dynamic(['10.']))`: "function _Im_WebSession has no parameter 'src_ip' (parameters: starttime, endtime, eventresult)",
		`_GetWatchlist('a', 'b')`:                 "function _GetWatchlist takes at most 1 arguments, but 2 were given",
	}
	for q, want := range bad {
		_, res := Check(q, Options{Schema: s})
		if len(res.Diagnostics) == 0 || !strings.Contains(res.Diagnostics[0].Message, want) {
			t.Errorf("%s: %v, want %q", q, res.Diagnostics, want)
		}
	}
	if _, res := Check(`_GetWatchlist('VIPUsers')`, Options{Schema: testSchema(t)}); len(res.Diagnostics) == 0 ||
		!strings.Contains(res.Diagnostics[0].Message, "unknown function '_GetWatchlist'") {
		t.Errorf("without the function: %v", res.Diagnostics)
	}
}
