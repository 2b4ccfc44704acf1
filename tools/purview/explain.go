package purview

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ExplainToolName is the name of the DLP alert explanation tool.
const ExplainToolName = "purview_explain_dlp_alert"

func explainTool() tools.Spec {
	return tools.New(tools.ToolsetPurview, ExplainToolName,
		"Explain a Purview DLP alert: the policy and rule matched, sensitive information types (count, confidence), location, action taken, the user and file or message, any override and its justification, and what to check next. Lines cite the alert.",
		ExplainDLPAlert, tools.OpenWorld(), tools.WithTitle("Explain a DLP alert"))
}

// ExplainParams name the alert.
type ExplainParams struct {
	ID string `json:"id" maxLength:"128" jsonschema:"The DLP alert ID (from purview_list_dlp_alerts)."`
}

// DLPExplanation is the result of purview_explain_dlp_alert.
type DLPExplanation struct {
	Tenant   string     `json:"tenant"`
	AlertID  string     `json:"alertId"`
	Title    string     `json:"title"`
	Severity string     `json:"severity"`
	Status   string     `json:"status"`
	Created  time.Time  `json:"created"`
	Incident string     `json:"incidentId,omitempty"`
	DLP      DLPDetails `json:"dlp"`
	// NextSteps are our guidance for the analyst, by location, action and data.
	NextSteps []string `json:"nextSteps"`
	// Untrusted names the fields that hold user- or attacker-controlled text.
	Untrusted []string        `json:"untrustedFields"`
	Citations CitationCheck   `json:"citations"`
	URI       string          `json:"uri"`
	Portal    string          `json:"portal,omitempty"`
	Sources   []resources.Ref `json:"sources"`

	claims   []cite.Claim
	markdown string
}

// Claims returns the checked claims behind the explanation's lines.
func (e DLPExplanation) Claims() []cite.Claim { return e.claims }

// Text returns the Markdown explanation with its citations.
func (e DLPExplanation) Text() string { return e.markdown }

// ExplainDLPAlert is the tool body; it is exported for tests and reports.
func ExplainDLPAlert(ctx context.Context, call tools.Call, p ExplainParams) (DLPExplanation, error) {
	id := strings.TrimSpace(p.ID)
	if id == "" {
		return DLPExplanation{}, tools.Errorf("id is required: pass a DLP alert ID from purview_list_dlp_alerts")
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return DLPExplanation{}, err
	}
	a, err := g.GetAlert(ctx, id)
	if err != nil {
		return DLPExplanation{}, tools.FromSource(err, "alert", id, call.Tenant.Alias)
	}
	if !isDLP(a) {
		return DLPExplanation{}, tools.Errorf("alert %q is not a Purview DLP alert (its service is %s); explain it with defender_get_alert instead", id, orDefault(a.ServiceSource, a.DetectionSource))
	}
	alias := call.Tenant.Alias
	uri := resources.URI(alias, resources.KindAlert, a.ID)
	res := DLPExplanation{Tenant: alias, AlertID: a.ID, Title: a.Title, Severity: a.Severity, Status: a.Status,
		Created: a.CreatedDateTime, Incident: a.IncidentID, DLP: parseDLP(a), URI: uri, Portal: a.AlertWebURL,
		Untrusted: []string{"title", "dlp.fileName", "dlp.filePath", "dlp.emailSubject", "dlp.recipients", "dlp.overrideJustification"}}
	if res.Portal == "" {
		res.Portal = resources.AlertPortal(call.Tenant.ID, a.ID)
	}
	res.Sources = []resources.Ref{{URI: uri, Portal: res.Portal}}
	res.NextSteps = nextSteps(res.DLP)
	var ans answer
	explainLines(res, &ans)
	kept, chk, md, err := ans.Finish(ctx, cite.JSONFetcher(map[string]any{uri: a}))
	if err != nil {
		return DLPExplanation{}, err
	}
	res.claims, res.Citations, res.markdown = kept, chk, md
	return res, nil
}

func explainLines(r DLPExplanation, a *answer) {
	d, uri := r.DLP, r.URI
	a.Heading("DLP alert " + r.AlertID)
	a.Line(fmt.Sprintf("%s — severity %s, status %s, raised %s.", r.Title, r.Severity, r.Status, r.Created.Format(time.RFC3339)),
		[]string{r.Title, r.Severity, r.Status}, uri)
	a.Line(fmt.Sprintf("Policy %s, rule %s.", text.Quote(d.PolicyName), text.Quote(d.RuleName)), []string{d.PolicyName, d.RuleName}, uri)
	a.Line(fmt.Sprintf("Location: %s; action taken: %s (%s).", d.Location, d.Action, d.ActionMeaning), []string{d.Location, d.Action}, uri)
	for _, s := range d.SITs {
		if s.Count < 0 {
			a.Line(fmt.Sprintf("- Sensitive information type %s (count and confidence not reported).", text.Quote(s.Name)), []string{s.Name}, uri)
			continue
		}
		a.Line(fmt.Sprintf("- Sensitive information type %s: %s, %s confidence (level %s).", text.Quote(s.Name), text.Count(int64(s.Count), "instance"), s.Confidence, s.ConfidenceLevel),
			[]string{s.Name, s.Confidence}, uri)
	}
	if d.MatchCount > 0 {
		a.Line(fmt.Sprintf("Total matched instances: %d.", d.MatchCount), nil, uri)
	}
	if d.User != "" {
		a.Line("User: "+d.User+".", []string{d.User}, uri)
	}
	itemLines(d, uri, a)
	if d.Label != "" {
		a.Line("Sensitivity label on the item: "+d.Label+".", []string{d.Label}, uri)
	}
	switch {
	case d.Overridden:
		a.Line(fmt.Sprintf("The user overrode the policy with the justification %s (user-supplied text).", text.Quote(d.Justification)), []string{d.Justification}, uri)
	case strings.EqualFold(d.Action, "blockWithOverride"):
		a.Line("The user did not override the block (userOverride false).", []string{"false"}, uri)
	}
	a.Heading("What to check next")
	for _, s := range r.NextSteps {
		a.Line("- "+s, nil, uri)
	}
}

func itemLines(d DLPDetails, uri string, a *answer) {
	if d.FileName != "" {
		line := fmt.Sprintf("File %s (untrusted name)", text.Quote(d.FileName))
		vals := []string{d.FileName}
		if d.FilePath != "" {
			line += fmt.Sprintf(" in %s", text.Quote(d.FilePath))
			vals = append(vals, d.FilePath)
		}
		if d.FileSHA256 != "" {
			line += ", SHA-256 " + d.FileSHA256
		}
		a.Line(line+".", vals, uri)
	}
	if d.EmailSubject != "" {
		a.Line(fmt.Sprintf("Message subject %s (untrusted text) from %s.", text.Quote(d.EmailSubject), orNone(d.Sender)), []string{d.EmailSubject}, uri)
	}
	if d.Recipients != "" {
		a.Line("Recipients: "+d.Recipients+".", []string{d.Recipients}, uri)
	}
	if d.DeviceName != "" {
		a.Line("Device: "+d.DeviceName+".", []string{d.DeviceName}, uri)
	}
	if d.TargetDomain != "" {
		a.Line("Destination: "+d.TargetDomain+".", []string{d.TargetDomain}, uri)
	}
}

func orNone(s string) string {
	if s == "" {
		return "an unknown sender"
	}
	return s
}
