package synth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/tools"
)

// pagedInvoke answers the listing tools page by page from pages (tool →
// cursor → result; "" is the first page) and fails every other call.
func pagedInvoke(pages map[string]map[string]string) Invoke {
	return func(_ context.Context, _ tools.Call, tool string, args map[string]any) (json.RawMessage, error) {
		cur, _ := args["cursor"].(string)
		if p, ok := pages[tool][cur]; ok {
			if p == "" {
				return nil, errUpstream
			}
			return json.RawMessage(p), nil
		}
		return nil, errors.New("fake: no such source")
	}
}

func investigateWith(t *testing.T, inv Invoke, question string) Result {
	t.Helper()
	return investigateVia(t, inv, BuiltinWriter{}, testCall(), question, 10*time.Second)
}

// A page after the first that fails still leaves a ranking of the pages
// read, which says it covers only them.
func TestNoncompliantRanksPagesReadWhenALaterPageFails(t *testing.T) {
	res := investigateWith(t, pagedInvoke(map[string]map[string]string{toolListDevices: {
		"": `{"devices":[{"id":"d1","name":"OLD-1","lastSync":"2026-11-01T00:00:00Z"},{"id":"d2","name":"NEW-2","lastSync":"2026-11-19T00:00:00Z"}],
			"page":{"more":true,"cursor":"c2"}}`,
		"c2": "", // fails
	}}), "Which devices are noncompliant?")
	a := res.Answer
	if !strings.Contains(a, "the top 2 of 2") || strings.Index(a, "NEW-2") > strings.Index(a, "OLD-1") {
		t.Errorf("the first page's devices are not ranked newest first:\n%s", a)
	}
	if !strings.Contains(a, "the ranking covers only the first 2 noncompliant devices Graph returned") || !strings.Contains(a, "noncompliantDevicesRead: 2") {
		t.Errorf("the answer does not say the ranking covers only the devices read:\n%s", a)
	}
}

// Risky users are read page by page: a user on the second page is ranked.
func TestRiskyUsersReadEveryPage(t *testing.T) {
	res := investigateWith(t, pagedInvoke(map[string]map[string]string{toolRiskyUsers: {
		"": `{"users":[{"userPrincipalName":"low@contoso.com","riskLevel":"low","riskState":"atRisk","riskLastUpdatedDateTime":"2026-11-19T00:00:00Z"}],
			"page":{"more":true,"cursor":"c2"}}`,
		"c2": `{"users":[{"userPrincipalName":"high@contoso.com","riskLevel":"high","riskState":"atRisk","riskLastUpdatedDateTime":"2026-11-18T00:00:00Z"}],
			"page":{"more":false}}`,
	}}), "Find the top three users that are at risk and explain why they're at risk.")
	a := res.Answer
	if !strings.Contains(a, "high@contoso.com") || strings.Index(a, "high@contoso.com") > strings.Index(a, "low@contoso.com") {
		t.Errorf("the second page's high-risk user is not ranked first:\n%s", a)
	}
	if strings.Contains(a, "only the first") {
		t.Errorf("every page was read, yet the answer says it was cut:\n%s", a)
	}
}

// Incidents of the window are read page by page: an older high-severity
// incident on the second page outranks the first page's newer low one.
func TestIncidentsInWindowReadEveryPage(t *testing.T) {
	res := investigateWith(t, pagedInvoke(map[string]map[string]string{toolListIncidents: {
		"": `{"incidents":[{"id":"11","title":"Newer low","severity":"low","status":"active","created":"2026-11-19T10:00:00Z"}],
			"page":{"more":true,"cursor":"c2"}}`,
		"c2": `{"incidents":[{"id":"7","title":"Older high","severity":"high","status":"active","created":"2026-11-19T02:00:00Z"}],
			"page":{"more":false}}`,
	}}), "What happened yesterday?")
	a := res.Answer
	if !strings.Contains(a, "Older high") || strings.Index(a, "Older high") > strings.Index(a, "Newer low") {
		t.Errorf("the second page's high-severity incident is not ranked first:\n%s", a)
	}
	if strings.Contains(a, "incidents of the window were ranked") {
		t.Errorf("every page was read, yet the answer says it was cut:\n%s", a)
	}
}
