//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// listOps lists the tools and pulls one page of each entity kind.
func firstIDs(t *testing.T, res map[int]opResult, base int) (incident, alert, signin, device string) {
	t.Helper()
	var inc struct {
		Incidents []struct{ ID string } `json:"incidents"`
	}
	var al struct {
		Alerts []struct{ ID string } `json:"alerts"`
	}
	var si struct {
		SignIns []struct{ ID string } `json:"signIns"`
	}
	var dv struct {
		Devices []struct{ ID string } `json:"devices"`
	}
	for i, v := range []any{&inc, &al, &si, &dv} {
		r := decodeCall(t, res[base+i])
		if r.IsError {
			t.Fatalf("op %d: tool error: %s", base+i, r.text())
		}
		if err := json.Unmarshal(r.StructuredContent, v); err != nil {
			t.Fatal(err)
		}
	}
	if len(inc.Incidents) == 0 || len(al.Alerts) == 0 || len(si.SignIns) == 0 || len(dv.Devices) == 0 {
		t.Fatalf("demo tenant returned an empty listing: %d incidents, %d alerts, %d sign-ins, %d devices",
			len(inc.Incidents), len(al.Alerts), len(si.SignIns), len(dv.Devices))
	}
	return inc.Incidents[0].ID, al.Alerts[0].ID, si.SignIns[0].ID, dv.Devices[0].ID
}

func listingOps(tenant string) []map[string]any {
	args := func(m map[string]any) map[string]any {
		if tenant != "" {
			m["tenant"] = tenant
		}
		return m
	}
	return []map[string]any{
		{"call": "defender_list_incidents", "args": args(map[string]any{"top": 5})},
		{"call": "defender_list_alerts", "args": args(map[string]any{"top": 5})},
		{"call": "entra_list_signins", "args": args(map[string]any{"top": 5})},
		{"call": "intune_list_devices", "args": args(map[string]any{"top": 5})},
	}
}

func TestStdioTypeScriptClient(t *testing.T) {
	bin := binary(t, "")
	ops := append([]map[string]any{{"list": "tools"}}, listingOps("")...)
	ops = append(ops,
		map[string]any{"call": "defender_list_incidents", "args": map[string]any{"sevrity": "high"}},
		map[string]any{"call": "defender_get_incident", "args": map[string]any{"id": "does-not-exist"}},
		map[string]any{"list": "templates"},
	)
	// Schemas on: the SDK validates every structured result below against
	// its tool's output schema.
	res := runClient(t, ops, "--cmd", bin, "--demo-clock", demoClock, "--log-level", "error", "--output-schemas", "on")
	var tools []struct{ Name string }
	if err := json.Unmarshal(res[0].Result, &tools); err != nil || len(tools) < 13 {
		t.Fatalf("tools/list: %v, %d tools", err, len(tools))
	}
	incident, _, _, _ := firstIDs(t, res, 1)
	if r := decodeCall(t, res[5]); !r.IsError || !strings.Contains(r.text(), `did you mean "severity"`) {
		t.Errorf("unknown argument: want a did-you-mean tool error, got %+v", r)
	}
	if r := decodeCall(t, res[6]); !r.IsError || !strings.Contains(r.text(), "not found") {
		t.Errorf("unknown incident: want not found, got %+v", r)
	}
	// A second session gets the incident and reads the URI the listing cited.
	uri := "secmcp://contoso/incidents/" + incident
	got := runClient(t, []map[string]any{
		{"call": "defender_get_incident", "args": map[string]any{"id": incident}},
		{"read": uri},
	}, "--cmd", bin, "--demo-clock", demoClock, "--log-level", "error")
	if r := decodeCall(t, got[0]); r.IsError || !strings.Contains(r.text(), incident) {
		t.Errorf("defender_get_incident %s: %+v", incident, r)
	}
	if !got[1].OK || !strings.Contains(string(got[1].Result), incident) {
		t.Errorf("resources/read %s: %+v", uri, got[1])
	}
}

func TestHTTPKeysAndTenants(t *testing.T) {
	url := startHTTP(t, binary(t, ""))
	// A contoso key reads contoso, and its results cite readable URIs.
	res := runClient(t, append(listingOps(""), map[string]any{"call": "defender_list_incidents", "args": map[string]any{"tenant": "fabrikam"}}), "--url", url, "--key", "demo-contoso")
	incident, _, _, _ := firstIDs(t, res, 0)
	if r := decodeCall(t, res[4]); !r.IsError || !strings.Contains(r.text(), "not available to this caller") {
		t.Errorf("contoso key asking for fabrikam: want refusal, got %+v", r)
	}
	read := runClient(t, []map[string]any{{"read": "secmcp://contoso/incidents/" + incident}, {"read": "secmcp://fabrikam/incidents/" + incident}}, "--url", url, "--key", "demo-contoso")
	if !read[0].OK || !strings.Contains(string(read[0].Result), incident) {
		t.Errorf("reading own incident: %+v", read[0])
	}
	if read[1].OK {
		t.Errorf("contoso key read a fabrikam URI: %s", read[1].Result)
	}
	// Wrong and missing keys are refused at connect time.
	for _, key := range []string{"wrong-key", ""} {
		args := []string{"--url", url}
		if key != "" {
			args = append(args, "--key", key)
		}
		cmd := exec.Command("node", append([]string{nodeScript(t, filepath.Join(repoRoot(t), "e2e", "client.mjs")), "--ops", "[]"}, args...)...)
		cmd.Env = append(cmd.Environ(), "NODE_PATH="+nodeModules(t))
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "missing or invalid API key") {
			t.Errorf("key %q: want the client to fail with the 401 message, got err=%v out=%s", key, err, out)
		}
	}
	// The raw answer: 401 with WWW-Authenticate; a foreign Origin gets 403.
	for _, c := range []struct {
		key, origin string
		want        int
	}{{"", "", 401}, {"nope", "", 401}, {"demo-contoso", "https://evil.example", 403}} {
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != c.want || (c.want == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer")) {
			t.Errorf("key %q origin %q: got %d (WWW-Authenticate %q), want %d", c.key, c.origin, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), c.want)
		}
	}
}
