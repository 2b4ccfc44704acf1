package integration

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/synth"
)

// workspaceCases are questions about data only a Sentinel workspace holds
// (the web proxy, ingestion, watchlists, VM insights) and a "never"
// question, each with what a right answer holds computed from the demo's
// raw rows here: the user column the proxy fills, Usage's Quantity summed
// per DataType, a watchlist's current items (deleted ones left out), VM
// insights' (outbound) records per computer, and the devices without a
// PowerShell process over Advanced Hunting's 30 days.
func workspaceCases(d demoData) []askCase {
	day := 24 * time.Hour
	outbound := func(row map[string]any) bool { return row["Direction"] == "outbound" }
	proxy := d.tableTop("ASimWebSessionLogs", "SrcUsername", 7*day, nil, 3)
	usage := d.usageByType(30 * day)
	vm := d.tableTop("VMConnection", "Computer", 7*day, outbound, 3)
	svcmap := d.tableTop("VMConnection", "Computer", 7*day, nil, 3)
	procs := d.distinctIn("VMProcess", "ExecutableName", 7*day)
	vip, _ := d.watchlistItems("VIPUsers")
	term, gone := d.watchlistItems("TerminatedEmployees")
	never := d.devicesWithout(30*day, func(row map[string]any) bool {
		f, _ := row["FileName"].(string)
		return strings.EqualFold(f, "powershell.exe") || strings.EqualFold(f, "pwsh.exe") || strings.EqualFold(f, "powershell_ise.exe")
	})
	return []askCase{
		{question: "Which users made the most web proxy requests in the last 7 days?", kind: "generated-query", lead: "ranking", expected: proxy,
			checks: []indep{rankOneIn(set(firstN(proxy, 1)), "ASimWebSessionLogs rows by SrcUsername")}},
		{question: "Which data types ingested the most data in the last 30 days?", kind: "generated-query", lead: "ranking", expected: firstN(usage, 3),
			checks: []indep{rankOneIn(set(firstN(usage, 1)), "Usage Quantity (MB) summed per DataType")}},
		{question: "Show the items of the VIP users watchlist.", kind: "generated-query", lead: "ranking", expected: firstN(vip, 3),
			checks: []indep{allNamed(firstN(vip, 3), "current VIPUsers items (SearchKey)")}},
		{question: "Who is on the terminated employees watchlist?", kind: "generated-query", lead: "ranking", expected: term,
			checks: []indep{noneNamed(gone, "deleted TerminatedEmployees items")}},
		{question: "Which servers had the most outbound connections in VM insights in the last 7 days?", kind: "generated-query", lead: "ranking",
			expected: vm, checks: []indep{rankOneIn(set(firstN(vm, 1)), "outbound VMConnection records per Computer")}},
		{question: "Which processes did VM insights see running on our servers in the last 7 days?", kind: "generated-query", lead: "ranking",
			expected: firstN(procs, 3), checks: []indep{allNamed(procs, "VMProcess executables")}},
		// No word of the workspace's (synth's workspaceRe): routed by the
		// tables the generator chooses in their native form.
		{question: "Which servers accepted the most connections according to the service map in the last 7 days?", kind: "generated-query",
			lead: "ranking", expected: svcmap, checks: []indep{rankOneIn(set(firstN(svcmap, 1)), "VMConnection records per Computer")}},
		{question: "Which devices have never run PowerShell?", kind: "generated-query", lead: "ranking", expected: firstN(never, 2),
			checks: []indep{mentions("30d", "the window searched (Advanced Hunting keeps 30 days)")}},
	}
}

// TestAskWorkspaceSet runs only the workspace cases of the question set
// (TestAskQuestionSet runs them with the rest).
func TestAskWorkspaceSet(t *testing.T) {
	if os.Getenv("ASK_EVAL") == "" {
		t.Skip("set ASK_EVAL=1 to run the workspace part of the question set")
	}
	x := sh(t)
	var fig askFigures
	for _, alias := range []string{"contoso", "fabrikam"} {
		d := loadDemo(t, alias)
		for _, c := range workspaceCases(d) {
			c.alias = alias
			runAsk(t, x, c, &fig)
		}
	}
	fmt.Printf("workspace questions: %d; first line answers %d; recall %d/%d; independent checks %d/%d\n",
		fig.questions, fig.firstLine, fig.found, fig.expected, fig.checksOK, fig.checks)
}

// distinctIn: the distinct values of a column in the window, sorted.
func (d demoData) distinctIn(table, col string, win time.Duration) []string {
	seen := map[string]bool{}
	d.eachRow(table, func(row map[string]any) {
		if v, _ := row[col].(string); v != "" && within(rowTime(row), win) {
			seen[strings.ToLower(v)] = true
		}
	})
	out := keys(seen)
	sort.Strings(out)
	return out
}

// usageByType: DataTypes by the MB their Usage records sum to in the
// window, most first.
func (d demoData) usageByType(win time.Duration) []string {
	mb := map[string]float64{}
	d.eachRow("Usage", func(row map[string]any) {
		q, _ := row["Quantity"].(float64)
		if k, _ := row["DataType"].(string); k != "" && within(rowTime(row), win) {
			mb[k] += q
		}
	})
	out := make([]string, 0, len(mb))
	for k := range mb {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return mb[out[i]] > mb[out[j]] })
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	return out
}

// watchlistItems: a watchlist's current items (SearchKey, sorted) — the
// latest record of each item not deleted — and the keys of deleted ones.
func (d demoData) watchlistItems(alias string) (current, deleted []string) {
	type rec struct {
		at          time.Time
		key, status string
	}
	latest := map[string]rec{}
	d.eachRow("Watchlist", func(row map[string]any) {
		if row["WatchlistAlias"] != alias || row["_DTItemType"] != "watchlist-item" {
			return
		}
		id, _ := row["_DTItemId"].(string)
		at, _ := row["_DTTimestamp"].(time.Time)
		key, _ := row["SearchKey"].(string)
		st, _ := row["_DTItemStatus"].(string)
		if r, ok := latest[id]; !ok || at.After(r.at) {
			latest[id] = rec{at, strings.ToLower(key), st}
		}
	})
	for _, r := range latest {
		if r.status == "Delete" {
			deleted = append(deleted, r.key)
		} else {
			current = append(current, r.key)
		}
	}
	sort.Strings(current)
	return current, deleted
}

// devicesWithout: DeviceInfo devices (seen in the window) with no
// DeviceProcessEvents row matching has in the window, sorted.
func (d demoData) devicesWithout(win time.Duration, has func(row map[string]any) bool) []string {
	with := map[string]bool{}
	d.eachRow("DeviceProcessEvents", func(row map[string]any) {
		if n, _ := row["DeviceName"].(string); n != "" && within(rowTime(row), win) && has(row) {
			with[strings.ToLower(n)] = true
		}
	})
	all := map[string]bool{}
	d.eachRow("DeviceInfo", func(row map[string]any) {
		if n, _ := row["DeviceName"].(string); n != "" && within(rowTime(row), win) && !with[strings.ToLower(n)] {
			all[strings.ToLower(n)] = true
		}
	})
	out := keys(all)
	sort.Strings(out)
	return out
}

func set(l []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range l {
		out[strings.ToLower(s)] = true
	}
	return out
}

func firstN(l []string, n int) []string { return l[:min(n, len(l))] }

// noneNamed checks that the answer names none of the strings.
func noneNamed(not []string, what string) indep {
	return func(res synth.Result) string {
		for _, s := range not {
			if strings.Contains(strings.ToLower(res.Answer), s) {
				return fmt.Sprintf("the answer names %s, one of the %s", s, what)
			}
		}
		return ""
	}
}

// mentions checks that the answer says s.
func mentions(s, what string) indep {
	return func(res synth.Result) string {
		if !strings.Contains(res.Answer, s) {
			return "the answer does not state " + what
		}
		return ""
	}
}
