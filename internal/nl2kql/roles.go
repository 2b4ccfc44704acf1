package nl2kql

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// A role is what a column means to an analyst ("the user", "the device"),
// independent of how each table names it.
const (
	roleUser      = "user"
	roleAccount   = "account"
	roleDevice    = "device"
	roleIP        = "ip"
	roleApp       = "app"
	roleProcess   = "process"
	roleParent    = "parent"
	roleCmdline   = "cmdline"
	roleFile      = "file"
	roleFolder    = "folder"
	roleSHA256    = "sha256"
	roleSHA1      = "sha1"
	roleMD5       = "md5"
	roleURL       = "url"
	roleDomain    = "domain"
	roleSender    = "sender"
	roleRecipient = "recipient"
	roleSubject   = "subject"
	roleAction    = "action"
	roleResult    = "result"
	roleSeverity  = "severity"
	roleTitle     = "title"
	roleCountry   = "country"
	rolePort      = "port"
	roleRegKey    = "regkey"
	roleCVE       = "cve"
	roleSoftware  = "software"
	roleMessage   = "message"
	roleAlertID   = "alertid"
	roleCategory  = "category"
	roleStatus    = "status"
)

// Col is a column or computed expression standing for a role in a table.
// Name is the output name (the column itself for a plain column).
type Col struct {
	Name string
	Expr string
}

// Plain reports whether the role is a plain column (usable as a join key).
func (c Col) Plain() bool { return c.Expr == "" }

// Ref is the text to use in a predicate.
func (c Col) Ref() string {
	if c.Expr != "" {
		return c.Expr
	}
	return c.Name
}

// roleCandidates lists, per role, the columns that can play it, best first;
// the first one a table has wins. The ASIM columns come last: the schemas'
// aliases say which side is "the user", "the host" and "the IP" of a web
// session (User = SrcUsername, IpAddr = SrcIpAddr: the client making the
// request; https://learn.microsoft.com/azure/sentinel/normalization-schema-web),
// so a question about users never groups by the rarely filled DstUserId.
var roleCandidates = map[string][]string{
	roleUser: {"UserPrincipalName", "AccountUpn", "UserId@OfficeActivity", "Caller", "AADEmail", "UPN", "UserEmail",
		"AccountName@DeviceLogonEvents", "InitiatingProcessAccountUpn", "Account", "AccountName", "TargetAccountUpn", "AccountObjectId",
		"ServicePrincipalName", "Identity", "SrcUsername", "SrcUserId"},
	roleAccount:   {"AccountName", "TargetUserName", "InitiatingProcessAccountName", "SubjectUserName", "UserName", "AccountDisplayName"},
	roleDevice:    {"DeviceName", "Computer", "ManagedDeviceName", "TargetDeviceName", "DestinationDeviceName", "SrcHostname"},
	roleIP:        {"IPAddress", "RemoteIP", "ClientIP", "CallerIpAddress", "IpAddress", "CallerIPAddress", "SenderIPv4", "FileOriginIP", "PublicIP", "DestinationIPAddress", "LocalIP", "SrcIpAddr"},
	roleApp:       {"AppDisplayName", "Application", "AppName", "ServicePrincipalName", "RequestClientApp", "ResourceDisplayName"},
	roleProcess:   {"FileName@DeviceProcessEvents", "InitiatingProcessFileName", "NewProcessName", "ExecutableName", "ProcessName", "Process"},
	roleParent:    {"InitiatingProcessFileName", "InitiatingProcessParentFileName", "ParentProcessName"},
	roleCmdline:   {"ProcessCommandLine", "InitiatingProcessCommandLine", "CommandLine"},
	roleFile:      {"FileName", "SourceFileName", "ObjectName", "InitiatingProcessFileName"},
	roleFolder:    {"FolderPath", "InitiatingProcessFolderPath", "FilePath", "SourceRelativeUrl"},
	roleSHA256:    {"SHA256", "InitiatingProcessSHA256"},
	roleSHA1:      {"SHA1", "InitiatingProcessSHA1"},
	roleMD5:       {"MD5", "InitiatingProcessMD5"},
	roleURL:       {"Url", "RemoteUrl", "FileOriginUrl", "RequestUri", "Site_Url", "OfficeObjectId"},
	roleDomain:    {"UrlDomain", "SenderFromDomain", "RemoteUrl", "Url", "RecipientDomain", "UserDomain"},
	roleSender:    {"SenderFromAddress", "SenderMailFromAddress"},
	roleRecipient: {"RecipientEmailAddress"},
	roleSubject:   {"Subject", "EmailSubject"},
	roleAction: {"ActionType", "OperationName@AuditLogs", "Operation", "OperationNameValue", "RiskEventType", "Activity@SecurityEvent",
		"EdgeLabel", "OperationName", "QueryType", "RequestMethod"},
	roleResult:   {"ResultType", "ErrorCode", "ResultStatus", "Result", "ActivityStatusValue", "ResponseCode", "ResponseStatusCode", "FailureReason"},
	roleSeverity: {"Severity", "AlertSeverity", "VulnerabilitySeverityLevel", "RiskLevel", "PrivilegeLevel"},
	roleTitle:    {"Title", "AlertName", "DisplayName", "IncidentName"},
	roleCountry:  {"Location@SigninLogs", "Country", "CountryCode", "Location"},
	rolePort:     {"RemotePort", "DestinationPort", "LocalPort", "Port", "IpPort"},
	roleRegKey:   {"RegistryKey"},
	roleCVE:      {"CveId"},
	roleSoftware: {"SoftwareName", "SoftwareVendor"},
	roleMessage:  {"NetworkMessageId"},
	roleAlertID:  {"AlertId", "SystemAlertId"},
	roleCategory: {"Category", "Categories", "Tactics", "RecordType", "OfficeWorkload", "EntityType"},
	roleStatus:   {"Status", "CompliantState", "DeliveryAction", "RiskState", "AppStatus", "OnboardingStatus"},
}

// roleFallbacks are, per role, identifier columns documented as naming the
// same entity, best first, and the name a grouping by them takes. ASIM's
// web session user is SrcUsername (the schema's User alias) and, when the
// source logs no name, SrcUserId, its machine-readable identifier
// (https://learn.microsoft.com/azure/sentinel/normalization-schema-web,
// https://learn.microsoft.com/azure/sentinel/normalization-entity-user):
// a source (or a parser) may fill only one of them, so a grouping by the
// first alone would put every row that left it empty under one empty key.
var roleFallbacks = map[string]struct {
	name string
	cols []string
}{
	roleUser: {"User", []string{"SrcUsername", "SrcUserId"}},
}

// groupCol is the column or expression to group by for role in t:
// roleCol's choice, or, when that is a column of the role's fallback chain
// and t has more of the chain, coalesce() of them in order (KQL's coalesce
// skips empty strings:
// https://learn.microsoft.com/kusto/query/coalesce-function) under the
// chain's name, unless t has a column of that name; note then says so, for
// the assumptions.
func groupCol(t *schema.Table, role string) (c Col, note string, ok bool) {
	c, ok = roleCol(t, role)
	fb, has := roleFallbacks[role]
	if !ok || !has || !c.Plain() || !slices.Contains(fb.cols, c.Name) {
		return c, "", ok
	}
	if _, clash := t.Column(fb.name); clash {
		return c, "", ok
	}
	var present []string
	for _, name := range fb.cols {
		if _, ok := t.Column(name); ok {
			present = append(present, name)
		}
	}
	if len(present) < 2 {
		return c, "", ok
	}
	cols := strings.Join(present, ", ")
	return Col{Name: fb.name, Expr: "coalesce(" + cols + ")"}, fmt.Sprintf("%s is %s: the first of them a row fills", fb.name, cols), true
}

// roleExprs are computed expressions for roles a table stores in dynamic
// columns.
var roleExprs = map[string]map[string]Col{
	"AuditLogs": {
		roleUser:  {Name: "Actor", Expr: "tostring(InitiatedBy.user.userPrincipalName)"},
		roleIP:    {Name: "ActorIP", Expr: "tostring(InitiatedBy.user.ipAddress)"},
		roleApp:   {Name: "ActorApp", Expr: "tostring(InitiatedBy.app.displayName)"},
		roleTitle: {Name: "Target", Expr: "tostring(TargetResources[0].userPrincipalName)"},
	},
	"SigninLogs": {
		roleDevice: {Name: "DeviceName", Expr: "tostring(DeviceDetail.displayName)"},
	},
	"AADUserRiskEvents": {
		roleCountry: {Name: "Country", Expr: "tostring(Location.countryOrRegion)"},
	},
}

// roleCol returns the column or expression that plays role in table t.
func roleCol(t *schema.Table, role string) (Col, bool) {
	if c, ok := roleExprs[t.Name][role]; ok {
		return c, true
	}
	for _, cand := range roleCandidates[role] {
		name, only, _ := strings.Cut(cand, "@")
		if only != "" && only != t.Name {
			continue
		}
		if _, ok := t.Column(name); ok {
			return Col{Name: name}, true
		}
	}
	return Col{}, false
}

// roleWords map the words of a question ("by user", "top 10 devices") to
// roles. Keys are stemmed canonical words.
var roleWords = map[string]string{
	"user": roleUser, "upn": roleUser, "account": roleUser, "people": roleUser, "caller": roleUser, "identity": roleUser,
	"username": roleAccount, "serviceprincipal": roleUser, "guest": roleUser, "admin": roleUser,
	"device": roleDevice, "host": roleDevice, "hostname": roleDevice, "machine": roleDevice, "computer": roleDevice,
	"endpoint": roleDevice, "server": roleDevice, "workstation": roleDevice,
	"ip": roleIP, "address": roleIP, "source": roleIP,
	"app": roleApp, "application": roleApp,
	"process": roleProcess, "binary": roleProcess, "executable": roleProcess, "parent": roleParent,
	"commandline": roleCmdline, "file": roleFile, "filename": roleFile, "folder": roleFolder, "path": roleFolder,
	"hash": roleSHA256, "sha256": roleSHA256, "sha1": roleSHA1, "md5": roleMD5,
	"url": roleURL, "link": roleURL, "domain": roleDomain, "site": roleURL,
	"sender": roleSender, "recipient": roleRecipient, "subject": roleSubject,
	"action": roleAction, "actiontype": roleAction, "operation": roleAction, "type": roleAction,
	"result": roleResult, "error": roleResult, "reason": roleResult, "code": roleResult,
	"severity": roleSeverity, "title": roleTitle, "name": roleTitle, "alert": roleTitle, "rule": roleTitle,
	"country": roleCountry, "location": roleCountry, "port": rolePort,
	"key": roleRegKey, "registry": roleRegKey, "cve": roleCVE, "software": roleSoftware,
	"category": roleCategory, "tactic": roleCategory, "workload": roleCategory, "status": roleStatus, "state": roleStatus,
}

// listRoles are the roles shown by a listing query, in order.
var listRoles = []string{roleUser, roleDevice, roleAccount, roleIP, roleApp, roleTitle, roleSeverity, roleAction,
	roleProcess, roleCmdline, roleParent, roleFile, roleSender, roleRecipient, roleSubject, roleURL, roleRegKey,
	roleCVE, roleSoftware, roleResult, roleCountry, roleStatus}
