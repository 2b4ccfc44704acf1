package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/intune"
)

// callFor returns a tools.Call bound to one demo tenant, for calling a
// tool body directly (to reach its checked claims).
func (x *harness) callFor(t *testing.T, alias string) tools.Call {
	t.Helper()
	ten, err := x.env.Registry.Resolve([]string{alias}, alias)
	if err != nil {
		t.Fatal(err)
	}
	return tools.Call{Tenant: ten, Principal: "test"}
}

// resourceFetcher reads citations through resources/read as a caller
// allowed only alias: the checker sees what a client would see.
func (x *harness) resourceFetcher(alias string) cite.Fetcher {
	return func(ctx context.Context, uri string) (string, error) {
		_, text, err := x.rs.Read(ctx, []string{alias}, uri)
		return text, err
	}
}

// checkClaims fails the test unless every factual claim is supported by
// the resources it cites, read through the resource server.
func (x *harness) checkClaims(t *testing.T, alias, what string, claims []cite.Claim) cite.Report {
	t.Helper()
	rep, err := cite.Check(context.Background(), claims, x.resourceFetcher(alias))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Factual == 0 {
		t.Errorf("%s: citations: %s", what, rep)
	}
	// The Markdown form re-extracts facts from the text, including figures
	// the tools computed (counts, predictions) and dotted versions, which
	// no resource holds: logged for information, not asserted.
	if md, err := cite.CheckMarkdown(context.Background(), cite.RenderMarkdown(claims), x.resourceFetcher(alias)); err == nil {
		t.Logf("%s: structured %d/%d supported; markdown form %d/%d", what, rep.Supported, rep.Factual, md.Supported, md.Factual)
	}
	return rep
}

// deviceByName finds a demo managed device by name.
func deviceByName(t *testing.T, tn *fixtures.Tenant, name string) map[string]any {
	t.Helper()
	for _, d := range tn.Graph["deviceManagement/managedDevices"] {
		if d["deviceName"] == name {
			return d
		}
	}
	t.Fatalf("device %s not in the demo tenant", name)
	return nil
}

func TestIntuneExplainStoryDevice(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		tn, err := fixtures.Load(alias, Clock)
		if err != nil {
			t.Fatal(err)
		}
		st := fixtures.Stories(alias)[0]
		dev := deviceByName(t, tn, st.NoncompliantDevice)
		id := dev["id"].(string)
		var out intune.Explanation
		text := x.mustCall(t, alias, intune.ExplainToolName, map[string]any{"deviceId": id}, &out)
		if os.Getenv("SHOW") != "" {
			t.Log(text)
		}
		d := out.Device
		if d == nil || d.Device.Name != st.NoncompliantDevice || len(d.Failing) == 0 {
			t.Fatalf("%s: explanation of %s: %+v", alias, st.NoncompliantDevice, out)
		}
		// The failing settings are exactly the story's, with the device's values.
		states := tn.DeviceCompliancePolicyStates[id]
		var want []string
		for _, s := range st.FailingSettings {
			want = append(want, s)
		}
		var got []string
		for _, f := range d.Failing {
			got = append(got, f.Setting)
			cur := recordedValue(states, f.Policy, f.Setting)
			if f.Actual != cur || f.Configured == nil || fmt.Sprint(f.Configured) != fmt.Sprint(configured(tn, f.Policy, f.Setting)) {
				t.Errorf("%s %s: actual %q configured %v; demo data has %q / %v", alias, f.Setting, f.Actual, f.Configured, cur, configured(tn, f.Policy, f.Setting))
			}
			if f.Requires == "" || f.Why == "" || f.UserFix == "" || f.ITFix == "" {
				t.Errorf("%s %s: incomplete explanation %+v", alias, f.Setting, f)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: failing settings %v, story says %v", alias, got, want)
		}
		if d.Grace.ComplianceState != "noncompliant" || !strings.Contains(text, "RtpEnabled") && !strings.Contains(text, "rtpEnabled") {
			t.Errorf("%s: grace %+v", alias, d.Grace)
		}
		if alias == "contoso" && len(d.ConditionalAccess) == 0 {
			t.Errorf("contoso: no CA policy requiring a compliant device found for %s", st.NoncompliantDevice)
		}
		if out.Citations.Dropped != 0 || len(out.Citations.Unsupported) != 0 {
			t.Errorf("%s: tool's own citation check: %+v", alias, out.Citations)
		}
		direct, err := intune.ExplainCompliance(context.Background(), x.callFor(t, alias), intune.ExplainParams{DeviceID: id})
		if err != nil {
			t.Fatal(err)
		}
		x.checkClaims(t, alias, "explain "+st.NoncompliantDevice, direct.Claims())
	}
}

// recordedValue is the demo data's currentValue for a policy setting.
func recordedValue(states []map[string]any, policy, prop string) string {
	for _, st := range states {
		if st["displayName"] != policy {
			continue
		}
		for _, s := range st["settingStates"].([]any) {
			m := s.(map[string]any)
			if strings.EqualFold(fmt.Sprint(m["settingName"]), prop) {
				v, _ := m["currentValue"].(string)
				return v
			}
		}
	}
	return ""
}

// configured is the demo policy's configured value for prop.
func configured(tn *fixtures.Tenant, policy, prop string) any {
	for _, p := range tn.Graph["deviceManagement/deviceCompliancePolicies"] {
		if p["displayName"] == policy {
			return p[prop]
		}
	}
	return nil
}

// demoDevice is a managed device of the demo data with its policy states.
type demoDevice struct {
	raw    map[string]any
	states []map[string]any
}

func (d demoDevice) str(k string) string { s, _ := d.raw[k].(string); return s }

// failing returns the device's failing (policy, settingName) pairs, from the raw demo data.
func (d demoDevice) failing() map[string]bool {
	out := map[string]bool{}
	for _, st := range d.states {
		for _, s := range st["settingStates"].([]any) {
			m := s.(map[string]any)
			if m["state"] == "nonCompliant" {
				out[st["displayName"].(string)+"/"+strings.ToLower(m["settingName"].(string))] = true
			}
		}
	}
	return out
}

func demoDevices(tn *fixtures.Tenant) []demoDevice {
	var out []demoDevice
	for _, d := range tn.Graph["deviceManagement/managedDevices"] {
		out = append(out, demoDevice{raw: d, states: tn.DeviceCompliancePolicyStates[d["id"].(string)]})
	}
	return out
}

// TestIntuneFleetTopReasons recounts the failure reasons from the raw demo
// data and compares them with the fleet explanation.
func TestIntuneFleetTopReasons(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		tn, err := fixtures.Load(alias, Clock)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		examined := 0
		for _, d := range demoDevices(tn) {
			if st := d.str("complianceState"); st != "noncompliant" && st != "inGracePeriod" {
				continue
			}
			examined++
			seen := map[string]bool{}
			for k := range d.failing() {
				key := d.str("operatingSystem") + "/" + k[strings.IndexByte(k, '/')+1:]
				if !seen[key] {
					seen[key] = true
					want[key]++
				}
			}
		}
		var out intune.Explanation
		x.mustCall(t, alias, intune.ExplainToolName, map[string]any{"fleet": true, "top": 50}, &out)
		fl := out.Fleet
		if fl == nil || fl.Examined != examined || fl.TotalReasons != len(want) || len(fl.Reasons) != len(want) {
			t.Fatalf("%s: fleet %+v; recount: %d devices, reasons %v", alias, fl, examined, want)
		}
		for i, r := range fl.Reasons {
			key := r.Platform + "/" + strings.ToLower(r.Setting)
			if r.Devices != want[key] {
				t.Errorf("%s: reason %s counts %d devices, recount %d", alias, key, r.Devices, want[key])
			}
			if i > 0 && fl.Reasons[i-1].Devices < r.Devices {
				t.Errorf("%s: reasons not ordered by count", alias)
			}
			if len(r.Examples) == 0 || len(r.Examples) > 3 {
				t.Errorf("%s: %s examples %v", alias, key, r.Examples)
			}
		}
		direct, err := intune.ExplainCompliance(context.Background(), x.callFor(t, alias), intune.ExplainParams{Fleet: true})
		if err != nil {
			t.Fatal(err)
		}
		x.checkClaims(t, alias, "fleet", direct.Claims())
	}
}

// recompute predicts a proposal's effect from the raw demo data, written
// independently of the tool: the device's recorded currentValue for the
// setting (osVersion for the OS minimum when none), compared with the
// proposed value.
func recompute(t *testing.T, devs []demoDevice, p intune.Proposal) (become, compliant, stay, unknown []string, unchanged, evaluated int) {
	for _, d := range devs {
		var st map[string]any
		for _, s := range d.states {
			if s["displayName"] == p.Policy {
				st = s
			}
		}
		if st == nil {
			continue
		}
		evaluated++
		val := recordedValue([]map[string]any{st}, p.Policy, p.Setting)
		if val == "" && p.Setting == "osMinimumVersion" {
			val = d.str("osVersion")
		}
		if p.Setting == "securityBlockJailbrokenDevices" {
			val = strings.ToLower(d.str("jailBroken"))
		}
		pass, known := passes(t, p.Setting, p.Proposed, val)
		if !known || d.str("complianceState") == "unknown" {
			unknown = append(unknown, d.str("id"))
			continue
		}
		fail := d.failing()
		before := len(fail) == 0
		delete(fail, p.Policy+"/"+strings.ToLower(p.Setting))
		after := len(fail) == 0 && pass
		switch {
		case before && !after:
			become = append(become, d.str("id"))
		case !before && after:
			compliant = append(compliant, d.str("id"))
		case !before:
			stay = append(stay, d.str("id"))
		default:
			unchanged++
		}
	}
	return
}

// passes is the test's own comparison for the settings the demo proposals touch.
func passes(t *testing.T, setting string, proposed any, val string) (bool, bool) {
	if val == "" {
		return false, false
	}
	switch v := proposed.(type) {
	case bool:
		b, err := strconv.ParseBool(val)
		if setting == "securityBlockJailbrokenDevices" {
			return !b || !v, err == nil
		}
		return b || !v, err == nil
	case float64:
		n, err := strconv.Atoi(val)
		return float64(n) >= v, err == nil
	case string:
		a, b := strings.Split(val, "."), strings.Split(v, ".")
		for i := 0; i < max(len(a), len(b)); i++ {
			x, y := 0, 0
			if i < len(a) {
				x, _ = strconv.Atoi(a[i])
			}
			if i < len(b) {
				y, _ = strconv.Atoi(b[i])
			}
			if x != y {
				return x > y, true
			}
		}
		return true, true
	}
	t.Fatalf("proposal value %v of %s: the test cannot evaluate it", proposed, setting)
	return false, false
}

func ids(refs []intune.DeviceRef) []string {
	out := []string{}
	for _, r := range refs {
		out = append(out, r.ID)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// TestIntuneSuggestEffectsMatchRecount checks every proposal's predicted
// effect against a recomputation on the demo data, the requests, and that
// nothing is applied.
func TestIntuneSuggestEffectsMatchRecount(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		tn, err := fixtures.Load(alias, Clock)
		if err != nil {
			t.Fatal(err)
		}
		devs := demoDevices(tn)
		before := len(x.emulator(t).Requests())
		var out intune.Suggestions
		x.mustCall(t, alias, intune.SuggestToolName, map[string]any{}, &out)
		if out.Applied || !strings.Contains(out.ApplyNote, "read-only") || len(out.Proposals) == 0 {
			t.Fatalf("%s: %+v", alias, out)
		}
		for _, r := range x.emulator(t).Requests()[before:] {
			if r.Method != "GET" && r.Method != "POST" || (r.Method == "POST" && !strings.Contains(r.Path, "token")) {
				t.Errorf("%s: the suggestion tool sent %s %s", alias, r.Method, r.Path)
			}
		}
		computed := 0
		for _, p := range out.Proposals {
			become, comp, stay, unknown, unchanged, evaluated := recompute(t, devs, p)
			e := p.Effect
			if e.Evaluated != evaluated || e.Unchanged != unchanged || !slices.Equal(ids(e.BecomeNoncompliant), sorted(become)) ||
				!slices.Equal(ids(e.BecomeCompliant), sorted(comp)) || !slices.Equal(ids(e.StayNoncompliant), sorted(stay)) ||
				!slices.Equal(ids(e.Unknown), sorted(unknown)) {
				t.Errorf("%s %s/%s: effect %d/%d/%d/%d/%d of %d; recount %d/%d/%d/%d/%d of %d", alias, p.Policy, p.Setting,
					len(e.BecomeNoncompliant), len(e.BecomeCompliant), len(e.StayNoncompliant), e.Unchanged, len(e.Unknown), e.Evaluated,
					len(become), len(comp), len(stay), unchanged, len(unknown), evaluated)
			}
			if len(e.Unknown) < e.Evaluated {
				computed++
			}
			body, _ := json.Marshal(p.Request.Body)
			if p.Request.Method != "PATCH" || p.Request.URL != "https://graph.microsoft.com/v1.0/deviceManagement/deviceCompliancePolicies/"+p.PolicyID ||
				!strings.Contains(string(body), `"`+p.Setting+`":`) || !strings.Contains(string(body), "@odata.type") {
				t.Errorf("%s: request %+v", alias, p.Request)
			}
		}
		if computed < 2 {
			t.Errorf("%s: only %d proposals have a computed effect; the demo should exercise the prediction", alias, computed)
		}
		direct, err := intune.SuggestConfiguration(context.Background(), x.callFor(t, alias), intune.SuggestParams{})
		if err != nil {
			t.Fatal(err)
		}
		x.checkClaims(t, alias, "suggest", direct.Claims())
		if base, err := x.read(t, alias, intune.BaselineURI); err != nil || !strings.Contains(base, "passwordMinimumLength") {
			t.Errorf("baseline resource: %v", err)
		}
	}
}

// TestIntuneFaultsAndRefusals: a failing deviceManagement route is named,
// unknown and foreign device IDs are refused, nothing is invented.
func TestIntuneFaultsAndRefusals(t *testing.T) {
	x := h(t)
	fab, err := fixtures.Load("fabrikam", Clock)
	if err != nil {
		t.Fatal(err)
	}
	foreign := fab.Graph["deviceManagement/managedDevices"][0]["id"].(string)
	for _, id := range []string{foreign, "00000000-0000-0000-0000-000000000000"} {
		_, _, err := x.call(t, "contoso", intune.ExplainToolName, map[string]any{"deviceId": id})
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != "not_found" || strings.Contains(te.Msg, "fabrikam") {
			t.Errorf("device %s: want a not_found that does not name fabrikam, got %v", id, err)
		}
	}
	if _, _, err := x.call(t, "contoso", intune.ExplainToolName, map[string]any{}); err == nil {
		t.Error("no deviceId and no fleet: want an error")
	}
	iso := newHarness(t)
	defer iso.env.Close()
	emu := iso.emulator(t)
	tn, _ := fixtures.Load("contoso", Clock)
	id := deviceByName(t, tn, fixtures.Stories("contoso")[0].NoncompliantDevice)["id"].(string)
	emu.InjectFault(fixtures.Fault{Route: "identity/conditionalAccess", Status: 503})
	var out intune.Explanation
	iso.mustCall(t, "contoso", intune.ExplainToolName, map[string]any{"deviceId": id}, &out)
	if len(out.MissingSources) != 1 || !strings.Contains(out.MissingSources[0].Source, "Conditional Access") || len(out.Device.ConditionalAccess) != 0 {
		t.Errorf("CA outage: missing %+v, CA %+v", out.MissingSources, out.Device.ConditionalAccess)
	}
	emu.ClearFaults()
	emu.InjectFault(fixtures.Fault{Route: "deviceManagement", Status: 503})
	for _, args := range []map[string]any{{"deviceId": id}, {"fleet": true}} {
		_, _, err := iso.call(t, "contoso", intune.ExplainToolName, args)
		if err == nil || !strings.Contains(err.Error(), "Intune") || strings.Contains(err.Error(), "panic") {
			t.Errorf("deviceManagement outage %v: want an error naming Intune, got %v", args, err)
		}
	}
	if _, _, err := iso.call(t, "contoso", intune.SuggestToolName, map[string]any{}); err == nil || !strings.Contains(err.Error(), "Intune") {
		t.Errorf("deviceManagement outage, suggest: want an error naming Intune, got %v", err)
	}
	emu.ClearFaults()
}
