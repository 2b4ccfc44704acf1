package synth

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	for in, want := range map[string][]string{
		"A is 1 [E1]. B is 2 [E2].":                           {"A is 1 [E1].", "B is 2 [E2]."},
		"Policy U.S. Financial Data matched [E1]. Next [E2]":  {"Policy U.S. Financial Data matched [E1].", "Next [E2]"},
		"Fact one. [E1] Fact two. [E2]":                       {"Fact one. [E1]", "Fact two. [E2]"},
		`Title "A. B. C" seen [E1].`:                          {`Title "A. B. C" seen [E1].`},
		"Ran `cmd.exe /c echo. Done` on X [E1]. Then Y [E2].": {"Ran `cmd.exe /c echo. Done` on X [E1].", "Then Y [E2]."},
		"From 192.0.2.42. The end":                            {"From 192.0.2.42.", "The end"},
		"e.g. This stays":                                     {"e.g. This stays"},
	} {
		if got := splitSentences(in); !reflect.DeepEqual(got, want) {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestVerifyRules(t *testing.T) {
	set := NewSet()
	set.Add("secmcp://contoso/incidents/1", KindIncident, "0", "incident 1", "t", "incident",
		map[string]any{"id": "1", "alertCount": 3, "users": []string{"a@contoso.com", "b@contoso.com"}, "first": "2026-11-16T05:00:00Z",
			"note": "2 network indicator(s) seen"})
	set.Add("secmcp://contoso/alerts/x", KindAlert, "1", "alert x", "t", "alert", map[string]any{"ip": "192.0.2.1", "host": "ct-lt-1037.contoso.com"})
	if err := set.Finalize(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line    string
		keep    bool
		problem string
	}{
		{"The incident has 3 alerts [E1].", true, ""},
		{"The incident has 4 alerts [E1].", false, ProblemWrongCount},
		{"2 users are affected: a@contoso.com and b@contoso.com [E1].", true, ""},
		{"a@contoso.com signed in from 192.0.2.1 [E1].", false, ProblemMissingFacts},
		{"a@contoso.com signed in from 192.0.2.1 [E1, E2].", true, ""},
		{"CT-LT-1037 raised it at 2026-11-16T05:00:00Z [E2][E1].", true, ""},
		{"It is bad [E7].", false, ProblemUnknownCitation},
		{"It looks bad.", true, ""},
		{"It came from 192.0.2.1.", false, ProblemNoCitation},
		{`The analysis says "2 network indicator(s) seen" [E1].`, true, ""},
		{"## Host 203.0.113.5", false, ProblemUnattributed},
		{"## Host 192.0.2.1", true, ""},
		{"- Listed: 2026-11-16T05:00:00Z [E1]", true, ""},
	} {
		out, rep, err := Verify(context.Background(), tc.line, set)
		if err != nil {
			t.Fatal(err)
		}
		kept := strings.TrimSpace(out) != ""
		if kept != tc.keep {
			t.Errorf("%q: kept %v, want %v (%+v)", tc.line, kept, tc.keep, rep.Removed)
			continue
		}
		if !tc.keep && (len(rep.Removed) != 1 || rep.Removed[0].Problem != tc.problem) {
			t.Errorf("%q: removed %+v, want problem %s", tc.line, rep.Removed, tc.problem)
		}
	}
}

// TestVerifyKeepsGoodSentencesOfALine: only the bad sentence of a line goes.
func TestVerifyKeepsGoodSentencesOfALine(t *testing.T) {
	set := NewSet()
	set.Add("secmcp://contoso/incidents/1", KindIncident, "0", "incident 1", "t", "incident", map[string]any{"ip": "192.0.2.1"})
	_ = set.Finalize()
	out, rep, _ := Verify(context.Background(), "- Seen 192.0.2.1 [E1]. Also 192.0.2.99 [E1]. Done.", set)
	if out != "- Seen 192.0.2.1 [E1]. Done." || rep.Unsupported != 1 || rep.Supported != 1 {
		t.Errorf("out %q, %+v", out, rep)
	}
}
