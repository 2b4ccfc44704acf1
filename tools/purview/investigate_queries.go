package purview

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
)

// Query sources.
const (
	srcHunting  = "Defender Advanced Hunting (security/runHuntingQuery)"
	srcSentinel = "Microsoft Sentinel workspace (Kusto)"
)

// QueryRun is one hunting or Sentinel query the investigation ran. Its rows
// are query results, not resources: lines built from them cite the user,
// device and alert resources they relate to and name the query.
type QueryRun struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Table  string `json:"table"`
	Source string `json:"source"`
	KQL    string `json:"kql"`
	Rows   int    `json:"rows"`
	Error  string `json:"error,omitempty"`
}

// querySpec is a query to run and the table it reads.
type querySpec struct {
	name, title, table string
	sentinel           bool
	kql                string
}

// kqlString quotes s as a KQL double-quoted string literal. Control
// characters are refused by the callers' validation; they are dropped here
// as well so a literal can never end early.
func kqlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func kqlList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = kqlString(v)
	}
	return strings.Join(q, ", ")
}

func kqlTime(t time.Time) string { return "datetime(" + t.UTC().Format(time.RFC3339) + ")" }

var domainRe = lazyre.New(`^(?i)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$`)

// scope is what the queries filter on.
type scope struct {
	upn, objectID string
	devices       []string // lower-case short device names
	domains       []string // destination domains to look for (personal storage + DLP targets)
	from, to      time.Time
}

// deviceFilter matches the user's devices by host name (Advanced Hunting
// uses lower-case FQDNs, Intune short names).
func (s scope) deviceFilter() string {
	var parts []string
	for _, d := range s.devices {
		parts = append(parts, "DeviceName =~ "+kqlString(d), "DeviceName startswith "+kqlString(d+"."))
	}
	return strings.Join(parts, " or ")
}

func (s scope) byUserOrDevice() string {
	f := "InitiatingProcessAccountUpn =~ " + kqlString(s.upn)
	if df := s.deviceFilter(); df != "" {
		f += " or " + df
	}
	return f
}

func (s scope) domainFilter() string {
	var parts []string
	for _, d := range s.domains {
		parts = append(parts, "RemoteUrl =~ "+kqlString(d), "RemoteUrl endswith "+kqlString("."+d),
			"RemoteUrl contains "+kqlString("://"+d))
	}
	return strings.Join(parts, " or ")
}

// buildQueries returns the investigation's queries for the scope.
func buildQueries(s scope) []querySpec {
	ah := "| where Timestamp between (" + kqlTime(s.from) + " .. " + kqlTime(s.to) + ")\n"
	sen := "| where TimeGenerated between (" + kqlTime(s.from) + " .. " + kqlTime(s.to) + ")\n"
	qs := []querySpec{
		{name: "Q1", title: "Archive creation and file copies (staging, removable drives, SMB)", table: "DeviceFileEvents", kql: "DeviceFileEvents\n" + ah +
			"| where " + s.byUserOrDevice() + "\n" +
			"| where ActionType in (\"FileCreated\", \"FileModified\", \"FileRenamed\")\n" +
			"| where FileName matches regex @\"(?i)\\.(zip|7z|rar|tar|gz|cab|iso)$\" or FolderPath matches regex @\"^[D-Zd-z]:\\\\\" or isnotempty(RequestSourceIP)\n" +
			"| project Timestamp, DeviceName, ActionType, FileName, FolderPath, SHA256, FileSize, RequestProtocol, RequestSourceIP, ShareName, InitiatingProcessAccountUpn\n" +
			"| order by Timestamp asc\n| take 200"},
		{name: "Q2", title: "USB mounts, removable storage and sensitive file reads", table: "DeviceEvents", kql: "DeviceEvents\n" + ah +
			"| where " + s.byUserOrDevice() + "\n" +
			"| where ActionType in (\"UsbDriveMounted\", \"RemovableStoragePolicyTriggered\", \"RemovableStorageFileEvent\", \"SensitiveFileRead\")\n" +
			"| project Timestamp, DeviceName, ActionType, FileName, FolderPath, InitiatingProcessFileName, InitiatingProcessCommandLine\n" +
			"| order by Timestamp asc\n| take 200"},
	}
	if df := s.domainFilter(); df != "" {
		qs = append(qs, querySpec{name: "Q3", title: "Connections to personal cloud storage and DLP destinations", table: "DeviceNetworkEvents",
			kql: "DeviceNetworkEvents\n" + ah + "| where " + s.byUserOrDevice() + "\n| where " + df + "\n" +
				"| project Timestamp, DeviceName, ActionType, RemoteUrl, RemoteIP, RemotePort, InitiatingProcessFileName, AdditionalFields\n" +
				"| order by Timestamp asc\n| take 200"})
	}
	own := s.upn[strings.LastIndexByte(s.upn, '@')+1:]
	qs = append(qs, querySpec{name: "Q4", title: "Mail sent outside the user's domain", table: "EmailEvents", kql: "EmailEvents\n" + ah +
		"| where SenderFromAddress =~ " + kqlString(s.upn) + " or SenderMailFromAddress =~ " + kqlString(s.upn) + "\n" +
		"| where EmailDirection != \"Inbound\"\n" +
		"| where not(RecipientEmailAddress endswith " + kqlString("@"+own) + ")\n" +
		"| project Timestamp, RecipientEmailAddress, Subject, NetworkMessageId, EmailDirection, DeliveryAction, AttachmentCount\n" +
		"| order by Timestamp asc\n| take 200"})
	ops := kqlList(cloudOps)
	if s.objectID != "" {
		qs = append(qs, querySpec{name: "Q5", title: "Cloud app activity: sharing, downloads, inbox rules, labels", table: "CloudAppEvents", kql: "CloudAppEvents\n" + ah +
			"| where AccountObjectId == " + kqlString(s.objectID) + "\n" +
			"| where ActionType in (" + ops + ")\n" +
			"| project Timestamp, ActionType, Application, ObjectName, ObjectType, IPAddress, CountryCode, RawEventData\n" +
			"| order by Timestamp asc\n| take 300"})
	}
	qs = append(qs, querySpec{name: "Q6", title: "Office 365 audit: sharing, downloads, inbox rules, labels", table: "OfficeActivity", sentinel: true,
		kql: "OfficeActivity\n" + sen + "| where UserId =~ " + kqlString(s.upn) + "\n" +
			"| where Operation in (" + ops + ")\n" +
			"| project TimeGenerated, Operation, OfficeWorkload, SourceFileName, OfficeObjectId, Site_Url, ClientIP, Parameters, UserSharedWith, SharingType\n" +
			"| order by TimeGenerated asc\n| take 300"})
	return qs
}

// cloudOps are the audit operations that matter for data movement.
var cloudOps = []string{"FileDownloaded", "FileSyncDownloadedFull", "AnonymousLinkCreated", "SharingSet", "SharingInvitationCreated",
	"AddedToSecureLink", "CompanyLinkCreated", "New-InboxRule", "Set-InboxRule", "UpdateInboxRules", "Set-Mailbox",
	"FileSensitivityLabelChanged", "FileSensitivityLabelRemoved", "SensitivityLabelRemoved", "SensitivityLabelUpdated"}

// validate gates a built query with kqlcheck: it must parse, pass the
// read-only guard and have no schema errors.
func validate(q string) error {
	rep := kqlcheck.Default().Validate(q)
	if rep.Valid && rep.Safe && rep.Errors == 0 {
		return nil
	}
	for _, d := range rep.Diagnostics {
		if d.Severity == kqlcheck.SeverityError {
			return fmt.Errorf("query failed validation at line %d: %s", d.Line, d.Message)
		}
	}
	return fmt.Errorf("query refused: %s", rep.Refusal)
}

// errNoSentinel is returned when the tenant has no Sentinel workspace.
var errNoSentinel = errors.New("the tenant has no Sentinel workspace configured")

// runQueries validates and runs the queries, up to three at a time (each
// source retries on its own). Each query first pays its direct price (a
// query refused for budget is recorded with the refusal). A failing query
// is recorded with its error; the others still run.
func runQueries(ctx context.Context, call tools.Call, g source.Graph, specs []querySpec) ([]QueryRun, map[string]*source.Table) {
	runs := make([]QueryRun, len(specs))
	results := make([]*source.Table, len(specs))
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for i, q := range specs {
		runs[i] = QueryRun{Name: q.name, Title: q.title, Table: q.table, Source: srcHunting, KQL: q.kql}
		if q.sentinel {
			runs[i].Source = srcSentinel
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// Each query pays what the same query costs through the tool
			// that runs it directly.
			err := call.Charge(directTool(q), 1)
			var t *source.Table
			if err == nil {
				t, err = runOne(ctx, call, g, q)
			}
			if err != nil {
				runs[i].Error = shortErr(err)
				return
			}
			runs[i].Rows, results[i] = len(t.Rows), t
		}()
	}
	wg.Wait()
	tables := map[string]*source.Table{}
	for i, t := range results {
		if t != nil {
			tables[specs[i].name] = t
		}
	}
	return runs, tables
}

// directTool is the tool that runs q directly.
func directTool(q querySpec) string {
	if q.sentinel {
		return "sentinel_run_query"
	}
	return "defender_run_hunting_query"
}

func runOne(ctx context.Context, call tools.Call, g source.Graph, q querySpec) (*source.Table, error) {
	if err := validate(q.kql); err != nil {
		return nil, err
	}
	if !q.sentinel {
		return g.RunHuntingQuery(ctx, q.kql)
	}
	src, err := call.Tenant.Sources(ctx)
	if err != nil {
		return nil, err
	}
	if src.Sentinel == nil {
		return nil, errNoSentinel
	}
	return src.Sentinel.Query(ctx, src.SentinelDB, q.kql)
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 240 {
		s = s[:240] + "…"
	}
	return s
}
