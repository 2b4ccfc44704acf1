package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

func readShared(t *testing.T, name string) map[string][]schema.Column {
	t.Helper()
	raw, err := os.ReadFile(sharedcorpus.Path(t, "kql-schemas/"+name))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string][]schema.Column
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func colSet(cols []schema.Column) string {
	var out []string
	for _, c := range cols {
		out = append(out, c.Name+":"+c.Type)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// newerThanShared are the tables Microsoft published after the snapshot in
// ../shared/kql-schemas; TestEntraIdTables checks them instead.
var newerThanShared = map[string]bool{"EntraIdSignInEvents": true, "EntraIdSpnSignInEvents": true}

// TestCatalogMatchesShared checks the union columns (in order) and each
// product's form (its tables, columns and types) against the published
// schemas in ../shared/kql-schemas.
func TestCatalogMatchesShared(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	union := readShared(t, "tables.json")
	added := map[string]bool{}
	for _, n := range LogAnalyticsAdditions() {
		added[n] = true
	}
	if got := len(Names()) - len(newerThanShared) - len(added); got != len(union) {
		t.Errorf("%d tables in the catalogue (less %d newer ones and %d Log Analytics additions), %d in tables.json", got, len(newerThanShared), len(added), len(union))
	}
	for name, cols := range union {
		tb, ok := Lookup(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if fmt.Sprint(tb.Union) != fmt.Sprint(cols) {
			t.Errorf("%s: union columns differ from tables.json", name)
		}
	}
	for _, p := range []Product{Defender, Sentinel} {
		want := readShared(t, "tables."+string(p)+".json")
		for _, name := range Names() {
			tb, _ := Lookup(name)
			if newerThanShared[name] || added[name] {
				continue // TestEntraIdTables and TestLogAnalyticsAdditions check them
			}
			cols, ok := want[name]
			if ok != tb.In(p) {
				t.Errorf("%s in %s: catalogue %v, published %v", name, p, tb.In(p), ok)
				continue
			}
			if ok && colSet(tb.Form(p).Columns) != colSet(cols) {
				t.Errorf("%s: %s columns differ from tables.%s.json", name, p, p)
			}
		}
	}
}

func TestTimeColumnsAndProducts(t *testing.T) {
	cases := []struct {
		table, defender, sentinel, native string
	}{
		{"DeviceProcessEvents", "Timestamp", "TimeGenerated", "Timestamp"},
		{"DeviceTvmSoftwareInventory", "", "TimeGenerated", ""},
		{"DeviceTvmSoftwareVulnerabilities", "", "TimeGenerated", ""},
		{"ExposureGraphEdges", "", "-", ""},
		{"SigninLogs", "-", "TimeGenerated", "TimeGenerated"},
		{"AADSignInEventsBeta", "Timestamp", "-", "Timestamp"},
		{"IdentityInfo", "Timestamp", "TimeGenerated", "Timestamp"},
	}
	for _, c := range cases {
		tb, ok := Lookup(c.table)
		if !ok {
			t.Fatalf("%s missing", c.table)
		}
		for _, pc := range []struct {
			p    Product
			want string
		}{{Defender, c.defender}, {Sentinel, c.sentinel}} {
			f := tb.Form(pc.p)
			switch {
			case pc.want == "-" && f != nil:
				t.Errorf("%s: %s should not have it", c.table, pc.p)
			case pc.want != "-" && f == nil:
				t.Errorf("%s: %s should have it", c.table, pc.p)
			case f != nil && f.TimeColumn != pc.want:
				t.Errorf("%s in %s: time column %q, want %q", c.table, pc.p, f.TimeColumn, pc.want)
			}
			if f != nil {
				if st, _ := Schema(pc.p).Table(c.table); st.TimeColumn() != pc.want {
					t.Errorf("%s schema %s: time column %q, want %q", pc.p, c.table, st.TimeColumn(), pc.want)
				}
			}
		}
		if st, _ := Schema("").Table(c.table); st.TimeColumn() != c.native {
			t.Errorf("union %s: time column %q, want %q", c.table, st.TimeColumn(), c.native)
		}
	}
	// Advanced Hunting has no Sentinel-only tables, and MachineGroup is a
	// Log Analytics column only.
	for _, name := range []string{"SecurityAlert", "AzureActivity", "SigninLogs", "AuditLogs", "OfficeActivity"} {
		if _, ok := Schema(Defender).Table(name); ok {
			t.Errorf("Defender schema has %s", name)
		}
	}
	if dpe, _ := Schema(Defender).Table("DeviceProcessEvents"); dpe != nil {
		if _, ok := dpe.Column("MachineGroup"); ok {
			t.Error("Advanced Hunting DeviceProcessEvents has MachineGroup")
		}
	}
	// The Defender tables the Defender XDR connector streams to a workspace
	// keep their Timestamp next to TimeGenerated there.
	if dpe, _ := Schema(Sentinel).Table("DeviceProcessEvents"); dpe != nil {
		if _, ok := dpe.Column("Timestamp"); !ok || dpe.TimeColumn() != "TimeGenerated" {
			t.Errorf("Sentinel DeviceProcessEvents: Timestamp present %v, time column %q", ok, dpe.TimeColumn())
		}
	}
	if _, ok := Schema(Sentinel).Table("AADSignInEventsBeta"); ok {
		t.Error("Sentinel schema has AADSignInEventsBeta")
	}
}

func TestDocsAndParse(t *testing.T) {
	tb, _ := Lookup("DeviceTvmSoftwareInventory")
	docs := tb.Docs()
	if len(docs) != 2 || docs[0] != "https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-devicetvmsoftwareinventory-table" ||
		docs[1] != "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/devicetvmsoftwareinventory" {
		t.Errorf("docs = %v", docs)
	}
	for _, name := range Names() {
		tb, _ := Lookup(name)
		if tb.About == "" || len(tb.Products()) == 0 {
			t.Errorf("%s: about %q, products %v", name, tb.About, tb.Products())
		}
	}
	if _, err := ParseProduct("splunk"); err == nil || !strings.Contains(err.Error(), "use defender or sentinel") {
		t.Errorf("ParseProduct(splunk) err = %v", err)
	}
	if p, err := ParseProduct(" Defender "); err != nil || p != Defender {
		t.Errorf("ParseProduct(Defender) = %q, %v", p, err)
	}
}

// TestEntraIdTables checks the tables that replaced AADSignInEventsBeta and
// AADSpnSignInEventsBeta against their reference pages: Advanced Hunting
// only, Timestamp, the renamed device column, and the deprecation of the
// old tables with its date.
func TestEntraIdTables(t *testing.T) {
	for old, repl := range map[string]string{"AADSignInEventsBeta": "EntraIdSignInEvents", "AADSpnSignInEventsBeta": "EntraIdSpnSignInEvents"} {
		nt, ok := Lookup(repl)
		if !ok {
			t.Fatalf("%s missing", repl)
		}
		if nt.In(Sentinel) || !nt.In(Defender) || nt.Form(Defender).TimeColumn != "Timestamp" || nt.Deprecated != nil {
			t.Errorf("%s: products %v, time %q, deprecated %v", repl, nt.Products(), nt.Form(Defender).TimeColumn, nt.Deprecated)
		}
		if want := "https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-" + strings.ToLower(repl) + "-table"; nt.Docs()[0] != want {
			t.Errorf("%s doc %s", repl, nt.Docs()[0])
		}
		ot, _ := Lookup(old)
		if ot.Deprecated == nil || ot.Deprecated.ReplacedBy != repl || ot.Deprecated.Since != "2025-12-09" {
			t.Errorf("%s deprecation = %+v", old, ot.Deprecated)
		} else if msg := ot.Deprecated.Message(old); !strings.Contains(msg, "2025-12-09") || !strings.Contains(msg, repl) {
			t.Errorf("message %q", msg)
		}
		if Current(old) != repl || Current(repl) != repl || Current("DeviceInfo") != "DeviceInfo" {
			t.Errorf("Current(%s) = %s", old, Current(old))
		}
	}
	st, _ := Schema(Defender).Table("EntraIdSignInEvents")
	for col, typ := range map[string]string{"EntraIdDeviceId": "string", "ErrorCode": "int", "IsThroughGlobalSecureAccess": "bool", "UniqueTokenId": "string", "RiskLevelAggregated": "int"} {
		if c, ok := st.Column(col); !ok || c.Type != typ {
			t.Errorf("EntraIdSignInEvents.%s = %+v, %v; want %s", col, c, ok, typ)
		}
	}
	for _, col := range []string{"AadDeviceId", "RiskLevelDuringSignIn", "TimeGenerated"} {
		if _, ok := st.Column(col); ok {
			t.Errorf("EntraIdSignInEvents has %s, which its page does not list", col)
		}
	}
}

// TestLogAnalyticsAdditions checks the standard Log Analytics tables the
// plugin samples read against their reference pages: Sentinel only,
// TimeGenerated, the page's address and a few documented column types.
func TestLogAnalyticsAdditions(t *testing.T) {
	want := map[string]map[string]string{
		"Usage":                        {"DataType": "string", "Quantity": "real", "IsBillable": "bool", "StartTime": "datetime"},
		"DnsEvents":                    {"ClientIP": "string", "Name": "string", "IPAddresses": "string", "EventId": "int", "RemoteIPLatitude": "real"},
		"BehaviorAnalytics":            {"ActivityInsights": "dynamic", "InvestigationPriority": "int", "SourceIPAddress": "string", "UsersInsights": "dynamic"},
		"SecurityNestedRecommendation": {"AdditionalData": "dynamic", "SubAssessmentTimeGeneration": "datetime", "IsSnapshot": "bool"},
		"VMConnection": {"RemoteDnsCanonicalNames": "string", "DestinationPort": "int", "BytesSent": "long",
			"LinksEstablished": "long", "RemoteLatitude": "real", "Severity": "int", "Computer": "string", "RemoteIp": "string"},
		"VMProcess": {"ExecutableName": "string", "CommandLine": "string", "FirstPid": "int", "StartTime": "datetime",
			"Services": "dynamic", "UserName": "string", "Computer": "string"},
		"Watchlist": {"WatchlistItem": "dynamic", "SearchKey": "string", "_DTItemId": "string", "_DTTimestamp": "datetime",
			"WatchlistAlias": "string", "CreatedBy": "dynamic", "LastUpdatedTimeUTC": "datetime"},
		"ASimWebSessionLogs": {"SrcIpAddr": "string", "Url": "string", "HttpUserAgent": "string", "EventResultDetails": "string",
			"SrcBytes": "long", "DstPortNumber": "int", "ThreatRiskLevel": "int", "EventStartTime": "datetime", "AdditionalFields": "dynamic"},
		"Heartbeat": {"Computer": "string", "ComputerIP": "string", "ComputerPrivateIPs": "dynamic", "OSType": "string",
			"IsGatewayInstalled": "bool", "RemoteIPLatitude": "real", "Version": "string", "Category": "string"},
		"Syslog": {"Computer": "string", "Facility": "string", "SeverityLevel": "string", "ProcessID": "int",
			"SyslogMessage": "string", "EventTime": "datetime", "HostIP": "string"},
		"AADManagedIdentitySignInLogs": {"ServicePrincipalName": "string", "ServicePrincipalId": "string", "ResourceDisplayName": "string",
			"ResultType": "string", "DurationMs": "long", "IPAddress": "string", "ConditionalAccessPolicies": "string"},
		"MicrosoftAzureBastionAuditLogs": {"UserName": "string", "ClientIpAddress": "string", "ClientPort": "int", "Duration": "int",
			"SessionStartTime": "datetime", "SessionEndTime": "string", "TargetVMIPAddress": "string", "Time": "datetime", "Protocol": "string"},
	}
	if len(LogAnalyticsAdditions()) != len(want) {
		t.Errorf("additions %v, want %d tables", LogAnalyticsAdditions(), len(want))
	}
	for name, cols := range want {
		tb, ok := Lookup(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if tb.In(Defender) || !tb.In(Sentinel) || tb.Form(Sentinel).TimeColumn != "TimeGenerated" {
			t.Errorf("%s: products %v", name, tb.Products())
			continue
		}
		if doc := "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/" + strings.ToLower(name); tb.Docs()[0] != doc {
			t.Errorf("%s doc %s", name, tb.Docs()[0])
		}
		st, _ := Schema(Sentinel).Table(name)
		for col, typ := range cols {
			if c, ok := st.Column(col); !ok || c.Type != typ {
				t.Errorf("%s.%s = %+v, %v; want %s", name, col, c, ok, typ)
			}
		}
	}
}
