package kqlcheck

import (
	"strings"
	"testing"
)

// TestWorkspaceFunctionsPerTarget: Sentinel's workspace functions validate
// for a Sentinel target and are unknown to Advanced Hunting.
func TestWorkspaceFunctionsPerTarget(t *testing.T) {
	q := `_GetWatchlist('VIPUsers') | join kind=inner (_Im_WebSession(starttime=ago(1d), eventresult='Failure')) on $left.SearchKey == $right.SrcUsername`
	sentinel, _ := ForTarget("sentinel")
	if r := sentinel.Validate(q); r.Errors != 0 || !r.Safe {
		t.Errorf("sentinel: %+v", r.Diagnostics)
	}
	defender, _ := ForTarget("defender")
	r := defender.Validate(q)
	if r.Errors == 0 || !strings.Contains(r.Diagnostics[0].Message, "unknown function '_GetWatchlist'") {
		t.Errorf("defender: %+v", r.Diagnostics)
	}
	if r := sentinel.Validate(`_Im_WebSession(since=ago(1d))`); r.Errors == 0 || !strings.Contains(r.Diagnostics[0].Message, "no parameter 'since'") {
		t.Errorf("unknown parameter: %+v", r.Diagnostics)
	}
}
