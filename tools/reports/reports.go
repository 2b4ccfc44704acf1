// Package reports holds the reports toolset: incident reports drafted from
// the Defender incident summary for three audiences (management, technical
// staff, a regulator), with a Mermaid timeline, an ATT&CK mapping, actions
// taken, recommended next steps from the ATT&CK knowledge base, open
// questions, analyst notes (labelled as unverified) and a numbered evidence
// appendix. Every factual line cites an appendix entry and is checked with
// internal/cite against what the summary read; lines that fail are dropped.
//
// Attacker-controlled strings (alert titles, command lines, file names)
// reach three renderers, each with its own escaping: Markdown lines
// (flattened, brackets and pipes defanged), table cells (pipes removed) and
// Mermaid labels (an allowlist of characters, so ':', ';', '#', backticks
// and newlines can never break the diagram).
package reports

import (
	"context"
	"strings"
	"time"

	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/defender"
)

// DraftToolName is the report tool's name.
const DraftToolName = "reports_draft_incident_report"

// Audiences of a report.
const (
	AudienceManagement = "management"
	AudienceTechnical  = "technical"
	AudienceRegulator  = "regulator"
)

// MaxNotes is the longest analystNotes accepted, in bytes.
const MaxNotes = 8000

// Deps are the toolset's dependencies (none yet).
type Deps struct{}

// Tools returns the reports toolset.
func Tools(Deps) []tools.Spec {
	return []tools.Spec{
		tools.New(tools.ToolsetReports, DraftToolName,
			"Draft an incident report for management, technical staff or a regulator from a Defender XDR incident: summary, scope and impact, Mermaid timeline and table, entities, ATT&CK mapping, actions taken, next steps, open questions, optional analyst notes (marked unverified) and a numbered evidence appendix. Facts come only from the incident and linked sources; unknowns are written as unknown. Pays, on top of its own cost, what the incident summary it is built on costs through defender_summarize_incident.",
			draft, tools.OpenWorld(), tools.WithCost(5), tools.WithTimeout(90*time.Second),
			tools.WithTitle("Draft an incident report")),
	}
}

// DraftParams choose the incident, the audience and extras.
type DraftParams struct {
	IncidentID   string `json:"incidentId" maxLength:"64" jsonschema:"The incident ID, e.g. 1000 (from defender_list_incidents)."`
	Audience     string `json:"audience" enum:"management,technical,regulator" jsonschema:"management (impact, decisions), technical (entities, hashes, techniques, evidence) or regulator (notification style: what, when, data and people affected, measures)."`
	AnalystNotes string `json:"analystNotes,omitempty" maxLength:"8000" jsonschema:"Analyst notes, added and labelled as not verified."`
	Detail       string `json:"detail,omitempty" enum:"brief,standard,full" jsonschema:"How much of the incident to include (default standard)."`
}

// Validate checks the params the schema cannot.
func (p *DraftParams) Validate() error {
	if strings.TrimSpace(p.IncidentID) == "" {
		return errString("incidentId is required: pass an incident ID from defender_list_incidents")
	}
	if len(p.AnalystNotes) > MaxNotes {
		return errString("analystNotes is longer than 8000 bytes; shorten it")
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// Citation is one numbered evidence-appendix entry.
type Citation struct {
	N      int    `json:"n"`
	URI    string `json:"uri"`
	Portal string `json:"portal,omitempty"`
}

// IncidentReport is a drafted report. The Markdown is the text content;
// the structured part carries what a program needs to post-process it.
type IncidentReport struct {
	Tenant     string `json:"tenant"`
	IncidentID string `json:"incidentId"`
	Audience   string `json:"audience"`
	Title      string `json:"title"`
	// Sections are the report's section headings in order.
	Sections []string `json:"sections"`
	// Mermaid is the timeline diagram's source (also in the Markdown).
	Mermaid        string                   `json:"mermaid"`
	Appendix       []Citation               `json:"appendix"`
	Citations      defender.CitationSummary `json:"citations"`
	MissingSources []defender.MissingSource `json:"missingSources"`
	OpenQuestions  int                      `json:"openQuestions"`
	AnalystNotes   bool                     `json:"analystNotesIncluded"`
	// TimelineComplete is false when the incident has more events than the
	// report shows; the rest is reachable with defender_summarize_incident.
	TimelineComplete bool            `json:"timelineComplete"`
	EstimatedTokens  int             `json:"estimatedTokens"`
	Untrusted        []string        `json:"untrustedFields"`
	Sources          []resources.Ref `json:"sources"`

	markdown string
}

// Text returns the report's Markdown.
func (r IncidentReport) Text() string { return r.markdown }

func draft(ctx context.Context, call tools.Call, p DraftParams) (IncidentReport, error) {
	return Draft(ctx, call, p)
}

// Draft writes the report; it fails only when the incident cannot be read.
func Draft(ctx context.Context, call tools.Call, p DraftParams) (IncidentReport, error) {
	// The report is built on the incident summary: it pays what the summary
	// costs through defender_summarize_incident, on top of its own price.
	if err := call.Charge(defender.SummarizeToolName, 1); err != nil {
		return IncidentReport{}, err
	}
	s, err := defender.Summarize(ctx, call, defender.SummarizeIncidentParams{ID: p.IncidentID, Detail: p.Detail})
	if err != nil {
		return IncidentReport{}, err
	}
	w := newWriter(call.Tenant.Alias, call.Tenant.Now(), p, s)
	w.write()
	rep, err := w.check(ctx)
	if err != nil {
		return IncidentReport{}, err
	}
	markdown := w.render()
	r := IncidentReport{
		Tenant: call.Tenant.Alias, IncidentID: s.Incident.ID, Audience: p.Audience, Title: w.title,
		Sections: w.sections, Mermaid: w.mermaid, Appendix: w.appendix(), Citations: rep,
		MissingSources: s.MissingSources, OpenQuestions: len(s.OpenQuestions), AnalystNotes: strings.TrimSpace(p.AnalystNotes) != "",
		TimelineComplete: !s.TimelinePage.More,
		Untrusted:        []string{"title", "mermaid", "markdown: alert titles, file names, command lines, analyst notes"},
		markdown:         markdown,
	}
	for _, c := range r.Appendix {
		r.Sources = append(r.Sources, resources.Ref{URI: c.URI, Portal: c.Portal})
	}
	if r.Sources == nil {
		r.Sources = []resources.Ref{}
	}
	r.EstimatedTokens = (len(r.markdown) + len(r.Mermaid) + 2048) / 4
	return r, nil
}
