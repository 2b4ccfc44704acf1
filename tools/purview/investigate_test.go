package purview

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/source"
)

func tbl(cols []string, rows ...[]any) *source.Table {
	t := &source.Table{}
	for _, c := range cols {
		t.Columns = append(t.Columns, source.Column{Name: c, Type: "string"})
	}
	t.Rows = rows
	return t
}

// investigationTenant: one endpoint DLP alert to files.example, the upload
// row behind it, and an inbox rule forwarding to a personal mailbox.
func investigationTenant() (*fakeGraph, fakeKusto) {
	at := now.Add(-48 * time.Hour)
	f := &fakeGraph{
		alerts: []source.Alert{dlpAlert("a1", "Endpoint", "blockWithOverride", map[string]string{"userOverride": "true",
			"overrideJustification": "ok", "fileName": "cards.zip", "deviceName": "AC-LT-1", "targetDomain": "files.example"})},
		users:   map[string]source.User{"ann@acme.test": {ID: "11111111-2222-3333-4444-555555555555", UserPrincipalName: "ann@acme.test"}},
		devices: []source.ManagedDevice{{ID: "d1", DeviceName: "AC-LT-1", UserPrincipalName: "ann@acme.test"}},
		tables: map[string]*source.Table{
			"DeviceNetworkEvents": tbl([]string{"Timestamp", "DeviceName", "RemoteUrl", "RemoteIP", "InitiatingProcessFileName", "AdditionalFields"},
				[]any{at.Add(-time.Minute), "ac-lt-1.acme.test", "files.example", "192.0.2.1", "msedge.exe", map[string]any{"BytesSent": float64(1e6)}}),
		},
	}
	f.incidents = map[string]source.Incident{"7": {ID: "7", Alerts: f.alerts}}
	k := fakeKusto{tables: map[string]*source.Table{
		"OfficeActivity": tbl([]string{"TimeGenerated", "Operation", "OfficeWorkload", "SourceFileName", "OfficeObjectId", "Parameters"},
			[]any{at.Add(-time.Hour), "New-InboxRule", "Exchange", nil, `ann@acme.test\fwd`,
				`[{"Name":"Name","Value":"fwd"},{"Name":"ForwardTo","Value":"ann.private@gmail.com"}]`}),
	}}
	return f, k
}

func TestInvestigatePathsAndCitations(t *testing.T) {
	f, k := investigationTenant()
	res, err := SummarizeInvestigation(context.Background(), callWith(f, k), InvestigateParams{User: "ANN@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.User != "ann@acme.test" || len(res.DLPAlerts) != 1 || len(res.MissingSources) != 0 {
		t.Fatalf("investigation: %+v", res)
	}
	kinds := map[string]ExfilPath{}
	for _, p := range res.Paths {
		kinds[p.Kind+" "+p.Destination] = p
	}
	up, ok := kinds["personal_cloud_upload files.example"]
	if !ok || !slices.Contains(up.Alerts, "a1") || !slices.Contains(up.Queries, "Q3") || up.Events != 2 {
		t.Errorf("upload path: %+v (all %v)", up, kinds)
	}
	if fw, ok := kinds["mail_forwarding ann.private@gmail.com"]; !ok || !slices.Contains(fw.Queries, "Q6") {
		t.Errorf("forwarding path: %+v", kinds)
	}
	for i := 1; i < len(res.Narrative); i++ {
		if res.Narrative[i].Time.Before(res.Narrative[i-1].Time) {
			t.Errorf("narrative out of order")
		}
	}
	for _, q := range res.Queries {
		if rep := kqlcheck.Default().Validate(q.KQL); !rep.Valid || !rep.Safe || rep.Errors != 0 || q.Error != "" {
			t.Errorf("%s: %+v %s", q.Name, rep.Diagnostics, q.Error)
		}
	}
	mustCheck(t, f, res.Claims())
	if res.Citations.Dropped != 0 || !strings.Contains(res.Text(), "[query result Q3]") {
		t.Errorf("citations %+v\n%s", res.Citations, res.Text())
	}
	if testing.Verbose() {
		t.Log(res.Text())
	}
}

func TestInvestigateMissingSources(t *testing.T) {
	f, _ := investigationTenant()
	f.huntErr = errors.New("hunting: 503 Service Unavailable")
	res, err := SummarizeInvestigation(context.Background(), callWith(f, nil), InvestigateParams{CaseID: "7"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range res.MissingSources {
		names = append(names, m.Source)
	}
	if !slices.Contains(names, srcHunting) || !slices.Contains(names, srcSentinel) {
		t.Errorf("missing sources %v", names)
	}
	// The DLP alert still shows the upload path; nothing is made up from the failed queries.
	if len(res.Paths) != 1 || len(res.Paths[0].Queries) != 0 || res.User != "ann@acme.test" {
		t.Errorf("paths %+v", res.Paths)
	}
	mustCheck(t, f, res.Claims())
}

func TestInvestigateBadInput(t *testing.T) {
	f, k := investigationTenant()
	for _, p := range []InvestigateParams{{}, {User: `a"b@acme.test`}, {User: "ann@acme.test\n| take 1"}, {CaseID: "nope"}, {User: "bob@acme.test"}} {
		if _, err := SummarizeInvestigation(context.Background(), callWith(f, k), p); err == nil {
			t.Errorf("%+v: want an error", p)
		}
	}
}

func TestQueriesQuoteHostileValues(t *testing.T) {
	s := scope{upn: "ann@acme.test", objectID: `x" | union *`, devices: []string{`pc") or 1==1 //`, `a\b`},
		domains: []string{"files.example"}, from: now.Add(-time.Hour), to: now}
	for _, q := range buildQueries(s) {
		rep := kqlcheck.Default().Validate(q.kql)
		if !rep.Valid || !rep.Safe || rep.Errors != 0 {
			t.Errorf("%s: %+v\n%s", q.name, rep.Diagnostics, q.kql)
		}
		if len(rep.Tables) != 1 || rep.Tables[0] != q.table {
			t.Errorf("%s reads %v, want only %s", q.name, rep.Tables, q.table)
		}
	}
	if got := kqlString("a\"b\\c\nd"); got != `"a\"b\\cd"` {
		t.Errorf("kqlString: %s", got)
	}
}
