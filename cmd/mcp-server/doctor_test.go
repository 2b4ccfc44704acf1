package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures/emulator"
)

func runDoctorArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, append(args, "--log-level", "error"), func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	t.Logf("doctor output:\n%s%s", stdout.String(), stderr.String())
	return stdout.String(), err
}

// rowsWith returns the report lines containing s.
func rowsWith(out, s string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			rows = append(rows, l)
		}
	}
	return rows
}

// TestDoctorDemoAllGreen: on the demo tenants every check passes and the
// exit status is 0.
func TestDoctorDemoAllGreen(t *testing.T) {
	out, err := runDoctorArgs(t, "doctor", "--demo-clock", "2026-11-20T12:00:00Z")
	if err != nil {
		t.Fatalf("doctor on the demo tenants failed: %v", err)
	}
	// 2 tenants × (token + 14 endpoints) for all 30 tools.
	if !strings.Contains(out, "all 30 checks passed") || len(rowsWith(out, "  ok  ")) != 30 {
		t.Fatalf("want 30 ok rows, got:\n%s", out)
	}
	// The flags narrow the checks to the enabled tools.
	out, err = runDoctorArgs(t, "--check", "--toolsets", "entra", "--demo-clock", "2026-11-20T12:00:00Z")
	if err != nil || len(rowsWith(out, "/security/")) != 0 || len(rowsWith(out, "/auditLogs/signIns")) != 2 {
		t.Fatalf("--toolsets entra: want no Defender rows and sign-ins per tenant, got %v:\n%s", err, out)
	}
}

// TestDoctorFaultyTenant: a tenant whose emulator denies one permission,
// one license and one endpoint gets three failed rows saying so, and the
// doctor exits non-zero.
func TestDoctorFaultyTenant(t *testing.T) {
	emu := startPlainEmulator(t)
	cfg := endpointsConfig(t, emu.PlainURL())
	emu.InjectFault(emulator.Fault{Tenant: "contoso", Route: "auditLogs/signIns", Answer: emulator.MissingPermission})
	emu.InjectFault(emulator.Fault{Tenant: "contoso", Route: "identityProtection/riskyUsers", Answer: emulator.NotLicensed})
	emu.InjectFault(emulator.Fault{Tenant: "contoso", Route: "deviceManagement/deviceCompliancePolicies", Answer: emulator.Unreachable})
	out, err := runDoctorArgs(t, "doctor", "--config", cfg)
	if !errors.Is(err, errChecksFailed) {
		t.Fatalf("want the doctor to fail (exit 1), got %v", err)
	}
	// Each failure: its table row (result, short action) and its note (the
	// service's answer, the advice, the tools affected).
	want := map[string][2][]string{
		"GET /auditLogs/signIns?$top=1": {{"missing permission AuditLog.Read.All", "grant AuditLog.Read.All + admin consent"},
			{"HTTP 403 Authorization_RequestDenied", "grant the app registration the Microsoft Graph application permission AuditLog.Read.All", "entra_list_signins"}},
		"GET /identityProtection/riskyUsers?$top=1": {{"not licensed", "license it"},
			{"HTTP 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant", "the tenant needs Microsoft Entra ID P2", "entra_list_risky_users"}},
		"GET /deviceManagement/deviceCompliancePolicies?$top=1": {{"unreachable", "check the network path"},
			{"no answer", "check the network path (proxy, firewall, DNS)", "intune_explain_compliance"}},
	}
	for endpoint, words := range want {
		rows := rowsWith(out, "contoso  "+endpoint)
		if len(rows) != 1 {
			t.Errorf("%s: want one table row, got %q", endpoint, rows)
			continue
		}
		for _, w := range words[0] {
			if !strings.Contains(rows[0], w) {
				t.Errorf("%s: table row lacks %q: %s", endpoint, w, rows[0])
			}
		}
		i := strings.Index(out, "] contoso "+endpoint+":")
		if i < 0 {
			t.Errorf("%s: no note", endpoint)
			continue
		}
		note := out[i:]
		if j := strings.Index(note, "\n["); j > 0 {
			note = note[:j]
		}
		for _, w := range words[1] {
			if !strings.Contains(note, w) {
				t.Errorf("%s: note lacks %q: %s", endpoint, w, note)
			}
		}
	}
	if !strings.Contains(out, "3 of 15 checks failed") || len(rowsWith(out, "  ok  ")) != 12 {
		t.Errorf("want exactly 3 of 15 checks failed and 12 ok rows:\n%s", out)
	}
}

// TestDoctorConnectionRefused: an endpoint nothing listens on is reported
// unreachable with the cause, not as a permission or license problem.
func TestDoctorConnectionRefused(t *testing.T) {
	emu := startPlainEmulator(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	_ = ln.Close()
	cfg := endpointsConfig(t, emu.PlainURL())
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "logAnalytics: "+emu.PlainURL(), "logAnalytics: "+closed, 1))
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runDoctorArgs(t, "doctor", "--config", cfg, "--toolsets", "sentinel")
	rows := rowsWith(out, "contoso  POST Log Analytics query")
	if !errors.Is(err, errChecksFailed) || len(rows) != 1 || !strings.Contains(rows[0], "unreachable") ||
		!strings.Contains(out, "connection refused") || len(rowsWith(out, "  ok  ")) != 1 {
		t.Fatalf("want the token ok and Log Analytics unreachable (connection refused), got %v:\n%s", err, out)
	}
}
