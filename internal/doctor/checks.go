package doctor

import (
	"slices"
	"sort"
)

// Service names of the upstream APIs a check calls.
const (
	ServiceGraph        = "graph"
	ServiceHunting      = "hunting"
	ServiceLogAnalytics = "logAnalytics"
)

// check is how the doctor calls one endpoint: the cheapest request that
// still needs the endpoint's permission and license — $top=1 on lists that
// document $top, $select=id on those that do not (Conditional Access
// policies and named locations document only $filter and $select:
// https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-policies?view=graph-rest-1.0).
type check struct {
	// ID is the endpoint's ID in internal/contract ("incidents.list").
	ID      string
	Service string
	Method  string
	// Path is below the Graph v1.0 root, with the query; "{user}" is
	// replaced by the id of the first user the users.get check read.
	Path string
	// Body is the JSON body of a POST.
	Body string
}

// Trivial queries: they need the permission and the workspace but no table.
const (
	huntingQuery      = "print secmcp_doctor = 1"
	logAnalyticsQuery = "print secmcp_doctor = 1"
)

// checks lists every endpoint the tools call, in the order the doctor runs
// them (users.get before users.transitiveMemberOf, which needs a user id).
var checks = []check{
	{ID: "incidents.list", Service: ServiceGraph, Method: "GET", Path: "/security/incidents?$top=1"},
	{ID: "alerts.list", Service: ServiceGraph, Method: "GET", Path: "/security/alerts_v2?$top=1"},
	{ID: "hunting.run", Service: ServiceHunting, Method: "POST", Path: "/security/runHuntingQuery", Body: `{"Query":"` + huntingQuery + `"}`},
	{ID: "signIns.list", Service: ServiceGraph, Method: "GET", Path: "/auditLogs/signIns?$top=1"},
	{ID: "riskyUsers.list", Service: ServiceGraph, Method: "GET", Path: "/identityProtection/riskyUsers?$top=1"},
	{ID: "riskDetections.list", Service: ServiceGraph, Method: "GET", Path: "/identityProtection/riskDetections?$top=1"},
	{ID: "caPolicies.list", Service: ServiceGraph, Method: "GET", Path: "/identity/conditionalAccess/policies?$select=id"},
	{ID: "namedLocations.list", Service: ServiceGraph, Method: "GET", Path: "/identity/conditionalAccess/namedLocations?$select=id"},
	// users.get reads one user by id; the doctor lists one user first (List
	// users, same permission, documents $top and $select:
	// https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0)
	// so the membership read below has a real id to read.
	{ID: "users.get", Service: ServiceGraph, Method: "GET", Path: "/users?$top=1&$select=id"},
	{ID: "users.transitiveMemberOf", Service: ServiceGraph, Method: "GET", Path: "/users/{user}/transitiveMemberOf?$top=1"},
	{ID: "managedDevices.list", Service: ServiceGraph, Method: "GET", Path: "/deviceManagement/managedDevices?$top=1"},
	{ID: "managedDevices.compliancePolicyStates", Service: ServiceGraph, Method: "GET", Path: "/deviceManagement/managedDevices/{device}/deviceCompliancePolicyStates"},
	{ID: "compliancePolicies.list", Service: ServiceGraph, Method: "GET", Path: "/deviceManagement/deviceCompliancePolicies?$top=1"},
	{ID: "logAnalytics.query", Service: ServiceLogAnalytics, Method: "POST", Path: "/v2/rest/query"},
}

// Endpoint groups shared by several tools.
var (
	userReads      = []string{"users.get", "users.transitiveMemberOf"}
	deviceCompl    = []string{"managedDevices.list", "managedDevices.compliancePolicyStates"}
	riskReads      = []string{"riskyUsers.list", "riskDetections.list"}
	incidentLinked = join([]string{"incidents.list", "alerts.list", "signIns.list"}, riskReads, deviceCompl, userReads)
)

// toolEndpoints maps every tool to the endpoints it calls (from the tool
// bodies' source.Graph / source.Kusto calls). A test checks every tool of
// the catalogue is listed, so a new tool cannot be forgotten; tools that
// touch no tenant (kql_*, scripts without an alert) list none.
var toolEndpoints = map[string][]string{
	"defender_list_incidents":          {"incidents.list"},
	"defender_get_incident":            {"incidents.list"},
	"defender_list_alerts":             {"alerts.list"},
	"defender_get_alert":               {"alerts.list"},
	"defender_run_hunting_query":       {"hunting.run"},
	"defender_suggest_hunting_queries": {"incidents.list", "hunting.run"},
	"defender_explain_alert":           join([]string{"alerts.list", "incidents.list"}, userReads, deviceCompl),
	"defender_summarize_incident":      incidentLinked,
	"reports_draft_incident_report":    incidentLinked,
	"investigate":                      join(incidentLinked, []string{"hunting.run"}),
	"entra_explain_ca_outcome":         join([]string{"signIns.list", "caPolicies.list", "namedLocations.list"}, userReads),
	"entra_what_if":                    join([]string{"caPolicies.list", "namedLocations.list"}, userReads),
	"entra_list_ca_policies":           {"caPolicies.list", "namedLocations.list"},
	"entra_list_risk_detections":       {"riskDetections.list"},
	"entra_list_risky_users":           {"riskyUsers.list"},
	"entra_list_signins":               {"signIns.list"},
	"entra_summarize_signin_risk":      join([]string{"signIns.list"}, riskReads),
	"intune_list_devices":              {"managedDevices.list"},
	"intune_get_device_compliance":     join(deviceCompl, userReads[:1]),
	"intune_explain_compliance":        join(deviceCompl, []string{"compliancePolicies.list", "caPolicies.list"}, userReads[:1]),
	"intune_suggest_configuration":     join(deviceCompl, []string{"compliancePolicies.list"}),
	"purview_list_dlp_alerts":          {"alerts.list"},
	"purview_explain_dlp_alert":        {"alerts.list"},
	"purview_summarize_investigation":  join([]string{"alerts.list", "incidents.list", "hunting.run", "logAnalytics.query"}, userReads[:1], deviceCompl[:1]),
	"scripts_analyze":                  {"alerts.list"},
	"sentinel_run_query":               {"logAnalytics.query"},
	"kql_explain":                      nil,
	"kql_generate":                     nil,
	"kql_list_tables":                  nil,
	"kql_run_sandbox":                  nil,
	"kql_validate":                     nil,
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, id := range l {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// KnownTool reports whether the doctor knows which endpoints a tool calls.
func KnownTool(name string) bool {
	_, ok := toolEndpoints[name]
	return ok
}

// plan returns the checks the enabled tools need, in run order, each with
// the sorted tools that need it. Log Analytics is checked only when the
// tenant has a workspace (without one, sentinel_run_query says so itself).
func plan(tools []string, hasLogAnalytics bool) ([]check, map[string][]string) {
	users := map[string][]string{}
	for _, t := range tools {
		for _, id := range toolEndpoints[t] {
			users[id] = append(users[id], t)
		}
	}
	var out []check
	for _, c := range checks {
		if len(users[c.ID]) == 0 || (c.Service == ServiceLogAnalytics && !hasLogAnalytics) {
			continue
		}
		sort.Strings(users[c.ID])
		out = append(out, c)
	}
	return out, users
}
