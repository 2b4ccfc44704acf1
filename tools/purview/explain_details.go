package purview

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// isDLP reports whether an alert is a Purview DLP alert. Graph's
// serviceSource is dataLossPrevention and its detectionSource
// microsoftDataLossPrevention; some data (the demo tenants among it) also
// uses microsoftDataLossPrevention as the serviceSource, which the Graph SDK
// does not parse, so the Purview details decide as well.
func isDLP(a source.Alert) bool {
	switch {
	case a.ServiceSource == "dataLossPrevention", a.ServiceSource == "microsoftDataLossPrevention",
		a.DetectionSource == "microsoftDataLossPrevention":
		return true
	}
	return a.AdditionalProperties["dlpPolicyName"] != ""
}

// SIT is one sensitive information type the rule matched.
type SIT struct {
	Name string `json:"name"`
	// Count is the number of instances found (-1 when the alert did not say).
	Count int `json:"count"`
	// Confidence is low, medium or high; ConfidenceLevel the numeric level (65, 75, 85).
	Confidence      string `json:"confidence,omitempty"`
	ConfidenceLevel string `json:"confidenceLevel,omitempty"`
}

// DLPDetails are the Purview details of a DLP alert, read from its
// additionalData and evidence. Strings that come from users (file names,
// subjects, justifications) are untrusted data.
type DLPDetails struct {
	PolicyName    string `json:"policyName"`
	PolicyID      string `json:"policyId,omitempty"`
	RuleName      string `json:"ruleName"`
	Location      string `json:"location"`
	Action        string `json:"action"`
	ActionMeaning string `json:"actionMeaning"`
	SITs          []SIT  `json:"sensitiveInfoTypes"`
	MatchCount    int    `json:"matchCount"`
	// SITsParsed is false when sensitiveInfoTypes could not be decoded and
	// only the names are known.
	SITsParsed    bool   `json:"sensitiveInfoTypesParsed"`
	User          string `json:"user,omitempty"`
	FileName      string `json:"fileName,omitempty"`
	FilePath      string `json:"filePath,omitempty"`
	FileSHA256    string `json:"fileSha256,omitempty"`
	EmailSubject  string `json:"emailSubject,omitempty"`
	Sender        string `json:"sender,omitempty"`
	Recipients    string `json:"recipients,omitempty"`
	DeviceName    string `json:"deviceName,omitempty"`
	TargetDomain  string `json:"targetDomain,omitempty"`
	Label         string `json:"sensitivityLabel,omitempty"`
	Overridden    bool   `json:"userOverride"`
	Justification string `json:"overrideJustification,omitempty"`
}

// actionMeanings explain the Purview DLP actions.
var actionMeanings = map[string]string{
	"audit":             "audit only: the activity was allowed and recorded",
	"notify":            "notify: the user saw a policy tip; the activity was allowed",
	"block":             "block: the activity was stopped and the user could not override it",
	"blockwithoverride": "block with override: the activity was stopped unless the user overrode it with a justification",
}

// parseDLP reads the Purview details of a DLP alert.
func parseDLP(a source.Alert) DLPDetails {
	p := a.AdditionalProperties
	get := func(k string) string { return strings.TrimSpace(p[k]) }
	d := DLPDetails{PolicyName: get("dlpPolicyName"), PolicyID: get("dlpPolicyId"), RuleName: get("dlpRuleName"),
		Location: get("workload"), Action: get("actionTaken"), FileName: get("fileName"), FilePath: get("filePath"),
		FileSHA256: get("fileSha256"), EmailSubject: get("emailSubject"), Sender: get("sender"), Recipients: get("recipients"),
		DeviceName: get("deviceName"), TargetDomain: get("targetDomain"), Label: get("sensitivityLabel"),
		Justification: get("overrideJustification"), SITs: []SIT{}}
	if d.Location == "" {
		d.Location = get("location")
	}
	d.ActionMeaning = actionMeanings[strings.ToLower(d.Action)]
	if d.ActionMeaning == "" && d.Action != "" {
		d.ActionMeaning = "action " + d.Action + " (not one of audit, notify, block, blockWithOverride)"
	}
	d.Overridden, _ = strconv.ParseBool(get("userOverride"))
	d.MatchCount, _ = strconv.Atoi(get("matchCount"))
	d.SITs, d.SITsParsed = parseSITs(get("sensitiveInfoTypes"), get("sensitiveInfoTypeNames"))
	for _, e := range a.Evidence {
		if e.Kind == "userEvidence" && e.UserPrincipalName != "" {
			d.User = e.UserPrincipalName
			break
		}
	}
	if d.User == "" {
		d.User = d.Sender
	}
	if d.FileName == "" {
		for _, e := range a.Evidence {
			if e.Kind == "fileEvidence" && e.FileName != "" {
				d.FileName, d.FilePath, d.FileSHA256 = e.FileName, e.FilePath, e.SHA256
				break
			}
		}
	}
	return d
}

// parseSITs decodes the sensitiveInfoTypes JSON array; when it is missing
// or malformed, the names are taken from sensitiveInfoTypeNames with
// unknown counts.
func parseSITs(raw, names string) ([]SIT, bool) {
	var items []struct {
		Name            string          `json:"name"`
		Count           json.Number     `json:"count"`
		Confidence      string          `json:"confidence"`
		ConfidenceLevel json.RawMessage `json:"confidenceLevel"`
	}
	if raw != "" && json.Unmarshal([]byte(raw), &items) == nil {
		out := make([]SIT, 0, len(items))
		for _, it := range items {
			n, err := it.Count.Int64()
			if err != nil {
				n = -1
			}
			out = append(out, SIT{Name: it.Name, Count: int(n), Confidence: it.Confidence,
				ConfidenceLevel: strings.Trim(string(it.ConfidenceLevel), `"`)})
		}
		return out, true
	}
	out := []SIT{}
	for _, n := range strings.Split(names, ";") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, SIT{Name: n, Count: -1})
		}
	}
	return out, false
}

// personalDomains are consumer mail and storage domains: data sent there
// leaves the organisation's control.
var personalDomains = []string{"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
	"yahoo.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de",
	"mail.com", "yandex.com", "zoho.com", "fastmail.com", "tutanota.com"}

// personalStorage are consumer cloud storage and file transfer services.
var personalStorage = []string{"dropbox.com", "drive.google.com", "docs.google.com", "onedrive.live.com", "1drv.ms",
	"box.com", "mega.nz", "mega.io", "wetransfer.com", "we.tl", "icloud.com", "pcloud.com", "mediafire.com",
	"sendspace.com", "file.io", "transfer.sh", "gofile.io", "anonfiles.com"}

// domainOf returns the lower-case domain of an address or host.
func domainOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, ".")
}

// inList reports whether domain is d or a subdomain of one of list.
func inList(domain string, list []string) bool {
	for _, d := range list {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}

// externalRecipients returns the recipients outside the user's domain.
func externalRecipients(recipients, user string) []string {
	own := domainOf(user)
	var out []string
	for _, r := range strings.FieldsFunc(recipients, func(c rune) bool { return c == ';' || c == ',' || c == ' ' }) {
		if d := domainOf(r); d != "" && (own == "" || (d != own && !strings.HasSuffix(d, "."+own))) {
			out = append(out, r)
		}
	}
	return out
}
