//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// foreign collects identifiers of one tenant as seen by its own key.
type foreign struct {
	incident, alert, signin, device, user, ip, dlp, policy string
	needles                                                []string // strings that must never appear in the other tenant's output
}

func collectForeign(t *testing.T, target []string) foreign {
	ops := append(listingOps(""),
		map[string]any{"call": "entra_list_ca_policies"},
		map[string]any{"call": "purview_list_dlp_alerts", "args": map[string]any{"top": 5}},
		map[string]any{"call": "entra_list_risky_users", "args": map[string]any{"top": 5}},
	)
	res := runClient(t, ops, target...)
	var f foreign
	f.incident, f.alert, f.signin, f.device = firstIDs(t, res, 0)
	var si struct {
		SignIns []struct{ User, IPAddress string } `json:"signIns"`
	}
	_ = json.Unmarshal(decodeCall(t, res[2]).StructuredContent, &si)
	f.user, f.ip = si.SignIns[0].User, si.SignIns[0].IPAddress
	var ca struct {
		Policies []struct{ ID string } `json:"policies"`
	}
	_ = json.Unmarshal(decodeCall(t, res[4]).StructuredContent, &ca)
	if len(ca.Policies) > 0 {
		f.policy = ca.Policies[0].ID
	}
	var dlp struct {
		Alerts []struct{ ID string } `json:"alerts"`
	}
	_ = json.Unmarshal(decodeCall(t, res[5]).StructuredContent, &dlp)
	if len(dlp.Alerts) > 0 {
		f.dlp = dlp.Alerts[0].ID
	}
	domain := f.user[strings.Index(f.user, "@")+1:]
	f.needles = []string{f.incident, f.alert, f.signin, f.device, f.user, domain}
	return f
}

// argsFor builds arguments for any tool from its input schema, pointing every
// identifier at the other tenant's objects.
func argsFor(tool string, schema map[string]any, f foreign) map[string]any {
	props, _ := schema["properties"].(map[string]any)
	args := map[string]any{}
	for name := range props {
		switch name {
		case "id":
			switch {
			case strings.Contains(tool, "incident"):
				args[name] = f.incident
			case strings.Contains(tool, "alert") && strings.HasPrefix(tool, "purview"):
				args[name] = f.dlp
			case strings.Contains(tool, "alert"):
				args[name] = f.alert
			case strings.Contains(tool, "signin") || strings.Contains(tool, "ca_"):
				args[name] = f.signin
			default:
				args[name] = f.incident
			}
		case "deviceId":
			args[name] = f.device
		case "incidentId", "caseId":
			args[name] = f.incident
		case "alertId", "fromAlertId":
			args[name] = f.alert
		case "signInId":
			args[name] = f.signin
		case "user", "upn":
			args[name] = f.user
		case "ipAddress", "ip":
			args[name] = f.ip
		case "query":
			args[name] = fmt.Sprintf("DeviceProcessEvents | where AccountUpn =~ %q or DeviceName has %q | take 20", f.user, strings.Split(f.user, "@")[0])
		case "script":
			args[name] = "Write-Output 'hello'"
		case "question":
			args[name] = "what's going on with incident " + f.incident + "?"
		}
	}
	return args
}

func TestIsolationEveryToolAndResource(t *testing.T) {
	bin := binary(t, "")
	// With the synthesizer on, investigate is among the tools driven.
	url := startHTTP(t, bin, "--synthesizer", "builtin")
	fab := collectForeign(t, []string{"--url", url, "--key", "demo-fabrikam"})
	con := collectForeign(t, []string{"--url", url, "--key", "demo-contoso"})
	if fab.user == con.user || fab.incident == con.incident && fab.alert == con.alert {
		t.Fatalf("the demo tenants share identifiers: %+v / %+v", fab, con)
	}
	res := runClient(t, []map[string]any{{"list": "tools"}}, "--url", url, "--key", "demo-contoso")
	var toolList []struct {
		Name        string         `json:"name"`
		InputSchema map[string]any `json:"inputSchema"`
	}
	if err := json.Unmarshal(res[0].Result, &toolList); err != nil {
		t.Fatal(err)
	}
	var ops []map[string]any
	for _, tl := range toolList {
		ops = append(ops, map[string]any{"call": tl.Name, "args": argsFor(tl.Name, tl.InputSchema, fab)})
		withTenant := argsFor(tl.Name, tl.InputSchema, fab)
		withTenant["tenant"] = "fabrikam"
		ops = append(ops, map[string]any{"call": tl.Name, "args": withTenant})
	}
	for _, kind := range []string{"incidents/" + fab.incident, "alerts/" + fab.alert, "signins/" + fab.signin, "devices/" + fab.device, "users/" + fab.user, "policies/" + fab.policy} {
		ops = append(ops, map[string]any{"read": "secmcp://fabrikam/" + kind}, map[string]any{"read": "secmcp://contoso/" + kind})
	}
	check := func(label string, ops []map[string]any, target ...string) {
		out := runClient(t, ops, target...)
		for i, op := range ops {
			r := out[i]
			body := string(r.Result) + r.Error
			echoed, _ := json.Marshal(op) // what the caller sent may be echoed back; that is not a leak
			for _, n := range fab.needles {
				if n != "" && !strings.Contains(string(echoed), n) && strings.Contains(body, n) && r.OK && !isErrorResult(r) {
					t.Errorf("%s: op %v returned fabrikam identifier %q:\n%.400s", label, op, n, body)
				}
			}
			if op["read"] != nil && r.OK {
				t.Errorf("%s: contoso read %v", label, op["read"])
			}
			if a, ok := op["args"].(map[string]any); ok && a["tenant"] == "fabrikam" && r.OK && !isErrorResult(r) {
				t.Errorf("%s: %v with tenant=fabrikam was not refused", label, op["call"])
			}
		}
		t.Logf("%s: %d operations checked", label, len(ops))
	}
	check("http contoso key", ops, "--url", url, "--key", "demo-contoso")
	// Over stdio the session may use both tenants; naming contoso with
	// fabrikam's IDs must find nothing of fabrikam's.
	var stdioOps []map[string]any
	for _, op := range ops {
		if a, ok := op["args"].(map[string]any); ok && a["tenant"] == nil {
			b := map[string]any{}
			for k, v := range a {
				b[k] = v
			}
			b["tenant"] = "contoso"
			stdioOps = append(stdioOps, map[string]any{"call": op["call"], "args": b})
		}
	}
	for _, kind := range []string{"incidents/" + fab.incident, "alerts/" + fab.alert, "signins/" + fab.signin, "devices/" + fab.device} {
		stdioOps = append(stdioOps, map[string]any{"read": "secmcp://contoso/" + kind})
	}
	check("stdio tenant=contoso", stdioOps, "--cmd", bin, "--demo-clock", demoClock, "--log-level", "error", "--synthesizer", "builtin")
}

var isErrRE = regexp.MustCompile(`"isError"\s*:\s*true`)

func isErrorResult(r opResult) bool { return isErrRE.Match(r.Result) }
