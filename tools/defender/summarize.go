package defender

import (
	"context"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// SummarizeToolName is the name of the incident summary tool.
const SummarizeToolName = "defender_summarize_incident"

// Detail levels of a summary.
const (
	DetailBrief    = "brief"
	DetailStandard = "standard"
	DetailFull     = "full"
)

// SummaryTokenBudget is the default output budget of a summary in tokens,
// estimated as (bytes of structured JSON + bytes of text) / 4.
const SummaryTokenBudget = 20000

func summarizeTool() tools.Spec {
	return tools.New(tools.ToolsetDefender, SummarizeToolName,
		"Triage summary of a Defender XDR incident: affected users, devices, mailboxes, IPs, files (with hashes) and apps; timeline; ATT&CK kill chain; status, classification and assignment; open questions; and the linked risky sign-ins, device compliance and DLP alerts. Every line cites its resource; failed sources are listed in missingSources. For large incidents use detail and the timeline cursor.",
		summarizeIncident, tools.OpenWorld(), tools.WithCost(5), tools.WithTimeout(90*time.Second),
		tools.WithTitle("Summarize a Defender incident"))
}

// SummarizeIncidentParams name the incident and the level of detail.
type SummarizeIncidentParams struct {
	ID     string `json:"id" maxLength:"64" jsonschema:"The incident ID, e.g. 1000 (from defender_list_incidents)."`
	Detail string `json:"detail,omitempty" enum:"brief,standard,full" jsonschema:"brief: headline, kill chain, top entities; standard (default): adds evidence and linked findings; full: every entity and event, paged."`
	Cursor string `json:"cursor,omitempty" maxLength:"512" jsonschema:"Cursor from timelinePage: returns the next timeline page only."`
}

// IncidentSummary is the triage summary of one incident.
type IncidentSummary struct {
	Tenant   string       `json:"tenant"`
	Detail   string       `json:"detail"`
	Incident IncidentItem `json:"incident"`
	// Description is the incident's own summary text (untrusted data).
	Description   string    `json:"description,omitempty"`
	AlertCount    int       `json:"alertCount"`
	FirstActivity time.Time `json:"firstActivity,omitzero"`
	LastActivity  time.Time `json:"lastActivity,omitzero"`
	// Continuation is true for a cursor page: only the timeline is filled.
	Continuation   bool            `json:"continuation,omitempty"`
	Entities       SummaryEntities `json:"entities"`
	KillChain      []KillChainStep `json:"killChain"`
	Timeline       []TimelineEvent `json:"timeline"`
	TimelinePage   tools.PageInfo  `json:"timelinePage"`
	Linked         LinkedFindings  `json:"linked"`
	Actions        []ActionTaken   `json:"actions"`
	OpenQuestions  []OpenQuestion  `json:"openQuestions"`
	MissingSources []MissingSource `json:"missingSources"`
	Citations      CitationSummary `json:"citations"`
	Size           SizeInfo        `json:"size"`
	Untrusted      []string        `json:"untrustedFields"`
	Sources        []resources.Ref `json:"sources"`

	claims   []cite.Claim
	markdown string
	incident source.Incident
	fetch    cite.Fetcher
}

// SizeInfo reports the output's estimated size against the budget.
type SizeInfo struct {
	EstimatedTokens int      `json:"estimatedTokens"`
	BudgetTokens    int      `json:"budgetTokens"`
	Trimmed         []string `json:"trimmed,omitempty"`
}

// CitationSummary is the result of checking every factual line of the
// summary against the resources it cites (internal/cite). Lines that failed
// the check are dropped from the answer and counted in Dropped, so
// Unsupported is always empty in a returned summary.
type CitationSummary struct {
	Claims      int            `json:"claims"`
	Factual     int            `json:"factual"`
	Supported   int            `json:"supported"`
	Unsupported []cite.Finding `json:"unsupported"`
	Dropped     int            `json:"dropped"`
	Fetched     int            `json:"fetchedResources"`
}

// MissingSource names a source that could not be read: the parts of the
// summary that depend on it are absent, not guessed.
type MissingSource struct {
	Source string `json:"source"`
	Route  string `json:"route"`
	Error  string `json:"error"`
	// Affects says which part of the summary is missing as a result.
	Affects string `json:"affects"`
}

// ActionTaken is a response action visible in the data (status changes,
// classification, comments, remediated evidence).
type ActionTaken struct {
	Time time.Time `json:"time,omitzero"`
	// Kind tells a reader which actions are analyst comments, which
	// defender_get_incident also returns as the incident's comments.
	Kind   string `json:"kind" jsonschema:"assignment, classification, resolution, comment, alertResolution or remediation"`
	Action string `json:"action"`
	By     string `json:"by,omitempty"`
	URI    string `json:"uri"`
}

// OpenQuestion is something the evidence does not tell.
type OpenQuestion struct {
	Question string `json:"question"`
	// Why explains which missing evidence raises the question.
	Why string `json:"why"`
	// Next suggests how to answer it (a tool or query).
	Next string `json:"next,omitempty"`
	// URI is the resource the question is about, when there is one.
	URI string `json:"uri,omitempty"`
}

// Claims returns the checked claims behind the summary's factual lines.
func (s IncidentSummary) Claims() []cite.Claim { return s.claims }

// Fetcher serves the contents of every resource the summary may cite from
// what it already read (and the ATT&CK pages), for checking derived
// documents such as reports without another upstream call.
func (s IncidentSummary) Fetcher() cite.Fetcher { return s.fetch }

// Source returns the incident as read (with its alerts).
func (s IncidentSummary) Source() source.Incident { return s.incident }

// Text returns the Markdown summary.
func (s IncidentSummary) Text() string { return s.markdown }

func summarizeIncident(ctx context.Context, call tools.Call, p SummarizeIncidentParams) (IncidentSummary, error) {
	return Summarize(ctx, call, p)
}

// Summarize builds the incident summary; it is shared with the reports
// toolset. It fails only when the incident itself cannot be read; every
// other source that fails is named in MissingSources.
func Summarize(ctx context.Context, call tools.Call, p SummarizeIncidentParams) (IncidentSummary, error) {
	id := strings.TrimSpace(p.ID)
	if id == "" {
		return IncidentSummary{}, tools.Errorf("id is required: pass an incident ID from defender_list_incidents")
	}
	detail := p.Detail
	if detail == "" {
		detail = DetailStandard
	}
	skip, next, err := tools.DecodeCursor(SummarizeToolName, p.Cursor)
	if err != nil {
		return IncidentSummary{}, err
	}
	if p.Cursor != "" && next != id+"|"+detail {
		return IncidentSummary{}, tools.Errorf("the cursor belongs to another incident or detail level; pass it with the same id and detail as the call that returned it")
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return IncidentSummary{}, err
	}
	call.Report(0, 4, "reading incident "+id)
	in, err := g.GetIncident(ctx, id)
	if err != nil {
		return IncidentSummary{}, tools.FromSource(err, "incident", id, call.Tenant.Alias)
	}
	b := newSummaryBuilder(call.Tenant.Alias, call.Tenant.ID, call.Tenant.Now(), detail, in)
	if skip == 0 {
		call.Report(1, 4, "linking sign-ins, risk, devices and DLP alerts")
		b.linked = gatherLinked(ctx, g, b.scope())
	}
	call.Report(3, 4, "checking citations")
	return b.build(ctx, skip)
}
