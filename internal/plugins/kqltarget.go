package plugins

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// Skills whose Target is Defender run on Defender XDR Advanced Hunting
// (Graph runHuntingQuery), which has only the tables its schema documents
// (https://learn.microsoft.com/defender-xdr/advanced-hunting-schema-tables).
// A template reading a table that only Microsoft Sentinel / Log Analytics
// has (SigninLogs, AuditLogs, BehaviorAnalytics, ...: internal/kql/catalog
// knows each table's products) is loaded with a warning suggesting
// Target: Sentinel, and when the service refuses such a table the skill's
// error names the table and the product instead of the raw 400. The query
// is still sent: a tenant whose Sentinel workspace is onboarded to the
// Defender portal may answer it.

// sentinelOnly lists the catalogued tables of tables that Sentinel / Log
// Analytics has and Advanced Hunting does not, and the Sentinel workspace
// functions among them (which Advanced Hunting never has).
func sentinelOnly(tables []string) []string {
	var out []string
	for _, name := range tables {
		if t, ok := catalog.Lookup(name); ok && t.In(catalog.Sentinel) && !t.In(catalog.Defender) {
			out = append(out, name)
		} else if _, fn := catalog.WorkspaceFunction(name); fn {
			out = append(out, name)
		}
	}
	return out
}

// targetWarnings are a loaded skill's load-time warnings about its target.
func (sk *KQLSkill) targetWarnings() []string {
	if sk.Target != "Defender" {
		return nil
	}
	var out []string
	for _, name := range sentinelOnly(append(slices.Clip(sk.Tables), sk.Functions...)) {
		out = append(out, fmt.Sprintf("reads %s, a %s %s that %s does not have; set Settings.Target: Sentinel (or LogAnalytics) to run it on the tenant's workspace",
			name, catalog.ProductName(catalog.Sentinel), kindOf(name), catalog.ProductName(catalog.Defender)))
	}
	return out
}

// unresolvedRE finds the name Kusto's semantic error could not resolve.
var unresolvedRE = lazyre.New(`Failed to resolve (?:table or column|table|scalar|column) expression named '([^']*)'|'([^']*)' does not refer to any known function`)

// defenderError names the table and the product when Advanced Hunting
// refused a Sentinel-only table this skill reads; other errors pass.
func (sk *KQLSkill) defenderError(t *tenant.Tenant, err error) error {
	m := unresolvedRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	name := m[1] + m[2]
	if !slices.ContainsFunc(sentinelOnly(append(slices.Clip(sk.Tables), sk.Functions...)), func(s string) bool { return strings.EqualFold(s, name) }) {
		return nil
	}
	return &tools.ToolError{Kind: "not_found", Msg: fmt.Sprintf(
		"%s %s is a %s %s: %s does not have it in tenant %s, and this skill's Settings.Target is Defender; the plugin should use Target: Sentinel (or LogAnalytics) for it",
		kindOf(name), name, catalog.ProductName(catalog.Sentinel), kindOf(name), catalog.ProductName(catalog.Defender), t.Alias)}
}

// kindOf says whether name is a table or a workspace function.
func kindOf(name string) string {
	if _, fn := catalog.WorkspaceFunction(name); fn {
		return "workspace function"
	}
	return "table"
}
