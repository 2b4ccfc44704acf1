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

var _ = errors.New
var _ = json.Marshal
var _ = strconv.Itoa
