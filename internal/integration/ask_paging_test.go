package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/sources"
	"github.com/secmcp/secmcp/internal/synth"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/investigate"
	"github.com/secmcp/secmcp/tools/kql"
)

// pagedDevice is a noncompliant device of the paging tenant.
type pagedDevice struct {
	name string
	at   time.Time
}

// pagingTenant is the demo contoso with its noncompliant devices replaced
// by n generated ones in a shuffled order (Graph lists managed devices in
// no documented order) except that the most recently synced one is served
// last (on the last page, past any cap); it returns them in the order the
// emulator serves.
func pagingTenant(t *testing.T, n int) (*fixtures.Tenant, []pagedDevice) {
	t.Helper()
	ten, err := fixtures.Load("contoso", Clock)
	if err != nil {
		t.Fatal(err)
	}
	var keep []map[string]any
	for _, m := range ten.Graph["deviceManagement/managedDevices"] {
		if m["complianceState"] != "noncompliant" {
			keep = append(keep, m)
		}
	}
	rng := rand.New(rand.NewPCG(16, uint64(n)))
	perm := rng.Perm(n)
	for k, i := range perm {
		if i == 0 {
			perm = append(append(perm[:k:k], perm[k+1:]...), 0)
			break
		}
	}
	var devs []pagedDevice
	for _, i := range perm {
		// Distinct sync times, one minute apart: device i synced i minutes ago.
		d := pagedDevice{name: fmt.Sprintf("PG-%04d", i), at: Clock.Add(-time.Duration(i+1) * time.Minute)}
		devs = append(devs, d)
		keep = append(keep, map[string]any{"id": fmt.Sprintf("pg-%04d", i), "deviceName": d.name, "complianceState": "noncompliant",
			"operatingSystem": "Windows", "osVersion": "10.0.19045", "userPrincipalName": fmt.Sprintf("pg%d@contoso.com", i%7),
			"isEncrypted": false, "managementAgent": "mdm", "lastSyncDateTime": d.at.Format(time.RFC3339)})
	}
	// The emulator serves the collection's non-matching devices first, so
	// the noncompliant ones keep their shuffled order among themselves.
	ten.Graph["deviceManagement/managedDevices"] = keep
	return ten, devs
}

// askPaged asks one question of a configured tenant (app credential) whose
// Graph, token and Log Analytics endpoints are an emulator serving ten.
func askPaged(t *testing.T, ten *fixtures.Tenant, question string) (synth.Result, *fixtures.Emulator) {
	t.Helper()
	runner := &fixtures.EngineRunner{}
	emu, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: fixtures.StaticTenants(ten), QueryRunner: runner, PlainHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	t.Setenv("SECMCP_TEST_PAGING_SECRET", fixtures.DemoClientSecret("contoso"))
	base := emu.PlainURL()
	cfg, err := config.Parse(strings.NewReader(`tenants:
  - alias: contoso
    tenantId: ` + ten.TenantID + `
    credential: {kind: clientSecret, clientId: ` + fixtures.DemoClientID("contoso") + `, clientSecretEnv: SECMCP_TEST_PAGING_SECRET}
    sentinel: {subscriptionId: 22222222-2222-2222-2222-222222222222, resourceGroup: soc-rg, workspaceName: contoso}
    endpoints: {authority: ` + base + `, graph: ` + base + `, logAnalytics: ` + base + `}
`))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := sources.FromConfig(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range reg.All() {
		tn.Now = func() time.Time { return Clock }
	}
	inv, _ := synthTools(t, reg, kql.Deps{Checker: kqlcheck.Default, Runner: runner}, investigate.ModeBuiltin)
	args, _ := json.Marshal(map[string]any{"question": question})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := inv.Invoke(ctx, tools.Caller{Principal: "test", Tenants: []string{"contoso"}}, "investigate", args, nil)
	if err != nil {
		t.Fatalf("investigate %q: %v", question, err)
	}
	var res synth.Result
	if err := json.Unmarshal(out.Structured, &res); err != nil {
		t.Fatal(err)
	}
	n, vs := emu.ContractViolations()
	for _, v := range vs {
		t.Errorf("contract violation: %s", v)
	}
	t.Logf("%d client requests checked against the contract", n)
	return res, emu
}

// mostRecent is the names of the n most recently synced devices of ds.
func mostRecent(ds []pagedDevice, n int) []string {
	ds = append([]pagedDevice(nil), ds...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].at.After(ds[j].at) })
	var out []string
	for _, d := range ds[:min(n, len(ds))] {
		out = append(out, d.name)
	}
	return out
}

// deviceListCalls counts the managedDevices list requests of the
// noncompliant listing, failing on any that asks Graph to sort.
func deviceListCalls(t *testing.T, emu *fixtures.Emulator) int {
	t.Helper()
	n := 0
	for _, r := range emu.Requests() {
		q := r.Query.Encode()
		if r.Path != "/v1.0/deviceManagement/managedDevices" || !strings.Contains(q, "noncompliant") {
			continue
		}
		n++
		if strings.Contains(strings.ToLower(q), "orderby") {
			t.Errorf("the device listing asked Graph to sort (managedDevices ignores $orderby): %s", q)
		}
	}
	return n
}

// rankedNames are the device names of the answer's ranking, in order.
func rankedNames(answer string) []string {
	var out []string
	for _, f := range strings.Fields(answer) {
		f = strings.Trim(f, `"*,.:;()[]`+"`")
		if strings.HasPrefix(f, "PG-") && !contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// TestAskNoncompliantRanksEveryPage: 450 noncompliant devices served in a
// shuffled order over five Graph pages of 100 are all read and ranked, so
// the most recently synced ones lead whichever page held them.
func TestAskNoncompliantRanksEveryPage(t *testing.T) {
	ten, devs := pagingTenant(t, 450)
	res, emu := askPaged(t, ten, "Which devices are noncompliant right now?")
	if res.Scope.TenantWide != "noncompliant-devices" {
		t.Fatalf("planned as %q", res.Scope.TenantWide)
	}
	if got := deviceListCalls(t, emu); got != 5 {
		t.Errorf("the noncompliant listing made %d Graph calls, want 5 pages of 100 for 450 devices", got)
	}
	want := mostRecent(devs, 3)
	if got := rankedNames(res.Answer); len(got) < 3 || strings.Join(got[:3], ",") != strings.Join(want, ",") {
		t.Errorf("ranked %v, want %v first:\n%s", got, want, res.Answer)
	}
	if !strings.Contains(res.Answer, "the top 3 of 450") || !strings.Contains(res.Answer, "noncompliantDevices: 450") {
		t.Errorf("the answer does not rank all 450 devices:\n%s", res.Answer)
	}
	if strings.Contains(res.Answer, "covers only the first") {
		t.Errorf("the answer states a cap that was not reached:\n%s", res.Answer)
	}
}

// TestAskNoncompliantStatesTheCap: past the cap (1000 devices, 10 pages of
// 100) the ranking covers the first 1000 devices Graph returned, and the
// answer says so naming the cap.
func TestAskNoncompliantStatesTheCap(t *testing.T) {
	ten, devs := pagingTenant(t, 1100)
	res, emu := askPaged(t, ten, "Which devices are noncompliant right now?")
	if got := deviceListCalls(t, emu); got != 10 {
		t.Errorf("the noncompliant listing made %d Graph calls, want the cap of 10", got)
	}
	// devs[1000:] hold the 100 devices past the cap, among them the most
	// recently synced one (PG-0000), which must not be ranked.
	want := mostRecent(devs[:1000], 3)
	if contains(want, "PG-0000") || devs[len(devs)-1].name != "PG-0000" {
		t.Fatalf("fixture: PG-0000 must be served last, past the cap")
	}
	if got := rankedNames(res.Answer); len(got) < 3 || strings.Join(got[:3], ",") != strings.Join(want, ",") {
		t.Errorf("ranked %v, want %v (the most recent of the first 1000 served):\n%s", got, want, res.Answer)
	}
	for _, s := range []string{"the ranking covers only the first 1000 noncompliant devices Graph returned (this answer reads at most 1000, 10 pages of 100)",
		"noncompliantDevicesRead: 1000", "the top 3 of 1000"} {
		if !strings.Contains(res.Answer, s) {
			t.Errorf("the answer lacks %q:\n%s", s, res.Answer)
		}
	}
}

// TestAskIncidentsRankEveryPage: 250 incidents created yesterday, listed
// newest first over several pages, with the only high-severity one the
// oldest (on the last page): it leads the ranking by severity.
func TestAskIncidentsRankEveryPage(t *testing.T) {
	ten, err := fixtures.Load("contoso", Clock)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	var incs []map[string]any
	for i := range 250 {
		sev := "low"
		if i == 0 {
			sev = "high"
		}
		at := day.Add(time.Duration(i+1) * 5 * time.Minute).Format(time.RFC3339)
		incs = append(incs, map[string]any{"id": fmt.Sprint(5000 + i), "displayName": fmt.Sprintf("Paged incident %d", i), "severity": sev,
			"status": "active", "classification": "unknown", "determination": "unknown", "createdDateTime": at, "lastUpdateDateTime": at,
			"incidentWebUrl": fmt.Sprintf("https://security.microsoft.com/incidents/%d", 5000+i)})
	}
	ten.Graph["security/incidents"] = incs
	res, _ := askPaged(t, ten, "What happened yesterday?")
	a := res.Answer
	first := strings.Index(a, "Paged incident")
	if first < 0 || !strings.HasPrefix(a[first:], "Paged incident 0") {
		t.Errorf("the oldest (last page's) high-severity incident does not lead the ranking:\n%.3000s", a)
	}
	if !strings.Contains(a, "of 250") {
		t.Errorf("the ranking does not cover all 250 incidents:\n%.3000s", a)
	}
}
