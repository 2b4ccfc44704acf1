package nl2kql

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// demoClock is the clock the contoso demo data is generated at.
var demoClock = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// The contoso demo data, loaded once for the package's tests (which only
// read it).
var (
	demoOnce sync.Once
	demoData *fixtures.Tenant
	demoErr  error
)

// demoTenant is the contoso demo data at demoClock.
func demoTenant(t *testing.T) *fixtures.Tenant {
	t.Helper()
	demoOnce.Do(func() { demoData, demoErr = fixtures.Load("contoso", demoClock) })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoData
}

// runDemo generates q for target and runs it on the contoso demo data.
func runDemo(t *testing.T, q, target string) (*Result, *fixtures.Table, *fixtures.Tenant) {
	t.Helper()
	res, err := New(Options{}).Generate(context.Background(), Request{Question: q, Target: target})
	if err != nil || !res.Valid {
		t.Fatalf("%q: %v %+v", q, err, res)
	}
	demo := demoTenant(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tb, err := (&fixtures.EngineRunner{}).Run(ctx, demo, demo.WorkspaceID, res.Query)
	if err != nil {
		t.Fatalf("%q: %v\n%s", q, err, res.Query)
	}
	return res, tb, demo
}

// rows returns a demo table's rows keyed by column.
func rows(demo *fixtures.Tenant, table string) []map[string]any {
	tb := demo.Tables[table]
	var out []map[string]any
	for _, r := range tb.Rows {
		m := map[string]any{}
		for i, c := range tb.Columns {
			m[c.Name] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func TestUsageSumsQuantityPerDataType(t *testing.T) {
	res, tb, demo := runDemo(t, "Which data types ingested the most data in the last 30 days?", "sentinel")
	if !strings.Contains(res.Query, "sum(Quantity) by DataType") || strings.Contains(res.Query, "by Type") {
		t.Fatalf("query:\n%s", res.Query)
	}
	// The top DataType by a direct sum of the raw rows' Quantity.
	mb := map[string]float64{}
	for _, r := range rows(demo, "Usage") {
		if at, _ := r["TimeGenerated"].(time.Time); at.After(demoClock.Add(-30 * 24 * time.Hour)) {
			q, _ := r["Quantity"].(float64)
			mb[r["DataType"].(string)] += q
		}
	}
	best := ""
	for k, v := range mb {
		if best == "" || v > mb[best] {
			best = k
		}
	}
	if len(tb.Rows) == 0 || tb.Rows[0][0] != best {
		t.Errorf("first row %v, want %s (direct sum)", tb.Rows, best)
	}
}

func TestWebProxyGroupsByTheSourceUser(t *testing.T) {
	res, tb, demo := runDemo(t, "Which users made the most web proxy requests in the last 7 days?", "sentinel")
	if !strings.Contains(res.Query, "User = coalesce(SrcUsername, SrcUserId)") || !strings.Contains(res.Query, "by User") {
		t.Fatalf("query:\n%s", res.Query)
	}
	if len(tb.Rows) == 0 || tb.Rows[0][0] == "" {
		t.Fatalf("no named user in %v", tb.Rows)
	}
	top := tb.Rows[0][0]
	// A workspace whose source logs only SrcUserId: the same query still
	// ranks users, by their ids, instead of one empty key.
	web := demo.Tables["ASimWebSessionLogs"]
	name, id := web.Col("SrcUsername"), web.Col("SrcUserId")
	idOnly := &fixtures.Table{Name: web.Name, Columns: web.Columns}
	for _, r := range web.Rows {
		r = slices.Clone(r)
		r[name], r[id] = "", r[name]
		idOnly.Rows = append(idOnly.Rows, r)
	}
	other := *demo
	other.Tables = maps.Clone(demo.Tables)
	other.Tables[web.Name] = idOnly
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := (&fixtures.EngineRunner{}).Run(ctx, &other, other.WorkspaceID, res.Query)
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Query)
	}
	if len(got.Rows) == 0 || got.Rows[0][0] != top {
		t.Errorf("SrcUserId only: top rows %v, want %v first", got.Rows, top)
	}
}

func TestWatchlistQuestionReturnsCurrentItems(t *testing.T) {
	res, tb, demo := runDemo(t, "Who is on the terminated employees watchlist?", "sentinel")
	// Current items by a direct read of the raw records: the latest record
	// of each item, unless it says Delete.
	latest := map[string]map[string]any{}
	for _, r := range rows(demo, "Watchlist") {
		if r["WatchlistAlias"] != "TerminatedEmployees" || r["_DTItemType"] != "watchlist-item" {
			continue
		}
		id := r["_DTItemId"].(string)
		if o, ok := latest[id]; !ok || r["_DTTimestamp"].(time.Time).After(o["_DTTimestamp"].(time.Time)) {
			latest[id] = r
		}
	}
	want := map[string]bool{}
	for _, r := range latest {
		if r["_DTItemStatus"] != "Delete" {
			want[r["SearchKey"].(string)] = true
		}
	}
	if len(want) == 0 || len(tb.Rows) != len(want) {
		t.Fatalf("rows %v, want the items %v\n%s", tb.Rows, want, res.Query)
	}
	for _, r := range tb.Rows {
		if !want[r[0].(string)] {
			t.Errorf("row %v is not a current item (%v)", r, want)
		}
	}
	if !strings.Contains(strings.Join(res.Assumptions, " "), "_GetWatchlist") {
		t.Errorf("assumptions %v", res.Assumptions)
	}
	res, tb, _ = runDemo(t, "Which watchlists do we have?", "sentinel")
	if !strings.Contains(res.Query, `_DTItemType =~ "watchlist"`) || len(tb.Rows) < 4 {
		t.Errorf("watchlists: %v\n%s", tb.Rows, res.Query)
	}
}

func TestVMInsightsQuestionReadsVMConnection(t *testing.T) {
	res, _, _ := runDemo(t, "Which VMs had the most outbound connections in VM insights?", "")
	if res.Tables[0] != "VMConnection" || !strings.Contains(res.Query, `Direction == "outbound"`) || res.Product != "sentinel" {
		t.Errorf("product %s tables %v:\n%s", res.Product, res.Tables, res.Query)
	}
	res, tb, _ := runDemo(t, "Which processes run on our servers according to VM insights?", "")
	if res.Tables[0] != "VMProcess" || !strings.Contains(res.Query, "ExecutableName") || len(tb.Rows) == 0 {
		t.Errorf("tables %v rows %d:\n%s", res.Tables, len(tb.Rows), res.Query)
	}
}

func TestNeverQuestionsSearchTheRetention(t *testing.T) {
	for _, c := range []struct{ q, target, span string }{
		{"Which devices have never run PowerShell?", "defender", "30d"},
		{"Which users have never signed in?", "sentinel", "90d"},
		{"Has any device ever connected to 203.0.113.7?", "defender", "30d"},
		{"Which devices have never run PowerShell in the last 3 days?", "defender", "3d"},
	} {
		res, err := New(Options{}).Generate(context.Background(), Request{Question: c.q, Target: c.target})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Query, "ago("+c.span+")") || strings.Contains(res.Query, "ago(7d)") {
			t.Errorf("%q: want ago(%s):\n%s", c.q, c.span, res.Query)
		}
		said := strings.Join(res.Assumptions, " ")
		if c.span != "3d" && !strings.Contains(said, "searched the last "+c.span) {
			t.Errorf("%q: the window is not stated: %v", c.q, res.Assumptions)
		}
	}
}
