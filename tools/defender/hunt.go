package defender

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/hunting"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// SuggestHuntingToolName is the name of the hunting suggestion tool.
const SuggestHuntingToolName = "defender_suggest_hunting_queries"

// SuggestHuntingParams say what to hunt for.
type SuggestHuntingParams struct {
	IncidentID   string   `json:"incidentId,omitempty" maxLength:"64" jsonschema:"Hunt for this incident's entities and techniques; or give entity lists."`
	Users        []string `json:"users,omitempty" jsonschema:"User principal names to pivot on (at most 20)."`
	Accounts     []string `json:"accounts,omitempty" jsonschema:"sAMAccountNames (at most 20)."`
	Devices      []string `json:"devices,omitempty" jsonschema:"Device names, short or FQDN (at most 20)."`
	IPs          []string `json:"ips,omitempty" jsonschema:"IP addresses (at most 20)."`
	Hashes       []string `json:"hashes,omitempty" jsonschema:"File SHA-256 hashes (at most 20)."`
	CommandLines []string `json:"commandLines,omitempty" jsonschema:"Full process command lines (at most 20)."`
	Domains      []string `json:"domains,omitempty" jsonschema:"Domains or URLs of attacker infrastructure (at most 20)."`
	Techniques   []string `json:"techniques,omitempty" jsonschema:"MITRE ATT&CK technique IDs such as T1059.001 (at most 30)."`
	Since        string   `json:"since,omitempty" maxLength:"40" jsonschema:"Hunt start: 24h, 7d or RFC 3339; default 1h before the incident, or 7d."`
	Until        string   `json:"until,omitempty" maxLength:"40" jsonschema:"Hunt end; default now."`
	Max          int      `json:"max,omitempty" minimum:"1" maximum:"50" jsonschema:"Most queries to propose, 1-50 (default 15)."`
	Run          bool     `json:"run,omitempty" jsonschema:"Also run each query and report its row count (one hunting call each)."`
}

// Validate bounds the list arguments.
func (p *SuggestHuntingParams) Validate() error {
	lists := []struct {
		name  string
		vals  []string
		items int
		size  int
	}{{"users", p.Users, 20, 256}, {"accounts", p.Accounts, 20, 256}, {"devices", p.Devices, 20, 256}, {"ips", p.IPs, 20, 64},
		{"hashes", p.Hashes, 20, 128}, {"commandLines", p.CommandLines, 20, 8192}, {"domains", p.Domains, 20, 2048}, {"techniques", p.Techniques, 30, 16}}
	any := strings.TrimSpace(p.IncidentID) != ""
	for _, l := range lists {
		if len(l.vals) > l.items {
			return fmt.Errorf("argument %q has %d items; the limit is %d", l.name, len(l.vals), l.items)
		}
		for _, v := range l.vals {
			if len(v) > l.size {
				return fmt.Errorf("an item of %q is %d bytes; the limit is %d", l.name, len(v), l.size)
			}
			if strings.TrimSpace(v) != "" && l.name != "techniques" {
				any = true
			}
		}
	}
	for _, t := range p.Techniques {
		if !attack.ValidID(t) {
			return fmt.Errorf("technique %q is not an ATT&CK ID; use the form T1059 or T1059.001", t)
		}
	}
	if !any {
		return errors.New("pass incidentId or at least one of users, accounts, devices, ips, hashes, commandLines, domains")
	}
	return nil
}

// HuntEntities are the entities a hunt pivots on.
type HuntEntities struct {
	Users        []string `json:"users"`
	Accounts     []string `json:"accounts"`
	Devices      []string `json:"devices"`
	IPs          []string `json:"ips"`
	Hashes       []string `json:"hashes"`
	CommandLines []string `json:"commandLines"`
	Domains      []string `json:"domains"`
}

// HuntValidation is the kqlcheck outcome of a proposed query.
type HuntValidation struct {
	Valid    bool `json:"valid"`
	Safe     bool `json:"safe"`
	Errors   int  `json:"errors"`
	Warnings int  `json:"warnings"`
}

// HuntQuery is one proposed hunting query.
type HuntQuery struct {
	TemplateID string         `json:"templateId"`
	Title      string         `json:"title"`
	Pivot      string         `json:"pivot"`
	Entity     string         `json:"entity,omitempty"`
	Value      string         `json:"value,omitempty" jsonschema:"the entity value the query pivots on (untrusted text)"`
	Techniques []string       `json:"techniques"`
	Tables     []string       `json:"tables"`
	Rationale  string         `json:"rationale"`
	Query      string         `json:"query"`
	Validation HuntValidation `json:"validation"`
	// Rows is the row count when the query was run.
	Rows     *int   `json:"rows,omitempty"`
	RunError string `json:"runError,omitempty"`
}

// HuntDropped is a rendered query that failed validation and was dropped.
type HuntDropped struct {
	TemplateID string `json:"templateId"`
	Reason     string `json:"reason"`
}

// SuggestHuntingResult is the proposed hunt.
type SuggestHuntingResult struct {
	Tenant     string            `json:"tenant"`
	IncidentID string            `json:"incidentId,omitempty"`
	Since      time.Time         `json:"since"`
	Until      time.Time         `json:"until"`
	Techniques []string          `json:"techniques"`
	Entities   HuntEntities      `json:"entities" jsonschema:"the entities the queries pivot on (untrusted text)"`
	Queries    []HuntQuery       `json:"queries"`
	Proposed   int               `json:"proposed" jsonschema:"queries rendered from the library before validation"`
	Validated  int               `json:"validated" jsonschema:"queries that passed kqlcheck (all returned queries)"`
	Dropped    []HuntDropped     `json:"dropped"`
	Skipped    []hunting.Skipped `json:"skipped"`
	Ran        bool              `json:"ran"`
	WithRows   int               `json:"withRows" jsonschema:"queries that returned at least one row (when run)"`
	Untrusted  []string          `json:"untrustedFields"`
	Sources    []resources.Ref   `json:"sources"`
}

// Text renders the hunt as Markdown.
func (r SuggestHuntingResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Hunting queries for %s", r.Tenant)
	if r.IncidentID != "" {
		fmt.Fprintf(&b, ", incident %s", tools.MDInline(r.IncidentID))
	}
	fmt.Fprintf(&b, "\n\nWindow %s to %s. %d of %d proposed queries passed kqlcheck", r.Since.Format(time.RFC3339), r.Until.Format(time.RFC3339), r.Validated, r.Proposed)
	if r.Ran {
		fmt.Fprintf(&b, "; %d returned rows", r.WithRows)
	}
	b.WriteString(".\n")
	for i, q := range r.Queries {
		fmt.Fprintf(&b, "\n## %d. %s (%s)\n\n%s\n\nTechniques: %s. Tables: %s.", i+1, q.Title, q.TemplateID, q.Rationale,
			strings.Join(q.Techniques, ", "), strings.Join(q.Tables, ", "))
		if q.Rows != nil {
			fmt.Fprintf(&b, " Rows: %d.", *q.Rows)
		}
		if q.RunError != "" {
			fmt.Fprintf(&b, " Run failed: %s.", tools.MDInline(q.RunError))
		}
		fmt.Fprintf(&b, "\n\n```kql\n%s\n```\n", q.Query)
	}
	for _, d := range r.Dropped {
		fmt.Fprintf(&b, "\nDropped %s: %s\n", d.TemplateID, tools.MDInline(d.Reason))
	}
	fmt.Fprintf(&b, "\nSources: %s\n", hunting.LibraryURI)
	return b.String()
}

func suggestHuntingTool(d Deps) tools.Spec {
	return tools.New(tools.ToolsetDefender, SuggestHuntingToolName,
		"Propose Advanced Hunting queries from secmcp's hunting library for an incident, or for given users, devices, IPs, hashes, command lines, domains and ATT&CK techniques: same file elsewhere, other users from an IP, persistence and lateral movement, encoded PowerShell, LSASS access, password spray and more. Every query passes kqlcheck; run=true also runs each (charged like defender_run_hunting_query) and reports its row count.",
		func(ctx context.Context, call tools.Call, p SuggestHuntingParams) (SuggestHuntingResult, error) {
			return suggestHunting(ctx, call, d, p)
		}, tools.OpenWorld(), tools.WithCost(3), tools.WithTimeout(120*time.Second), tools.WithTitle("Suggest hunting queries"))
}

func suggestHunting(ctx context.Context, call tools.Call, d Deps, p SuggestHuntingParams) (SuggestHuntingResult, error) {
	req := hunting.Request{Users: p.Users, Accounts: p.Accounts, Devices: p.Devices, IPs: p.IPs, Hashes: p.Hashes,
		CommandLines: p.CommandLines, Domains: p.Domains, Techniques: p.Techniques, Max: p.Max}
	res := SuggestHuntingResult{Tenant: call.Tenant.Alias, Queries: []HuntQuery{}, Dropped: []HuntDropped{}, Skipped: []hunting.Skipped{},
		Untrusted: []string{"queries[].value", "queries[].rationale", "entities"}, Sources: []resources.Ref{{URI: hunting.LibraryURI}}}
	var g source.Graph
	now := call.Tenant.Now()
	def := 7 * 24 * time.Hour
	if id := strings.TrimSpace(p.IncidentID); id != "" {
		var err error
		if g, err = call.Graph(ctx); err != nil {
			return res, err
		}
		in, err := g.GetIncident(ctx, id)
		if err != nil {
			return res, tools.FromSource(err, "incident", id, call.Tenant.Alias)
		}
		res.IncidentID = in.ID
		res.Sources = append(res.Sources, resources.Ref{URI: resources.URI(call.Tenant.Alias, resources.KindIncident, in.ID),
			Portal: resources.IncidentPortal(call.Tenant.ID, in.ID)})
		first := addIncidentEntities(&req, in)
		if !first.IsZero() && first.Before(now) {
			def = now.Sub(first) + time.Hour
		}
	}
	since, until, err := tools.Window(p.Since, p.Until, now, def)
	if err != nil {
		return res, err
	}
	req.Start, req.End, res.Since, res.Until = since, until, since, until
	res.Entities = HuntEntities{Users: nonNil(req.Users), Accounts: nonNil(req.Accounts), Devices: nonNil(req.Devices), IPs: nonNil(req.IPs),
		Hashes: nonNil(req.Hashes), CommandLines: nonNil(req.CommandLines), Domains: nonNil(req.Domains)}
	// Advanced Hunting's own tables (the table catalogue): no Sentinel-only
	// table is proposed to a Defender hunt.
	schema := kqlcheck.TargetSchema("defender")
	req.HasTable = func(name string) bool { _, ok := schema.Table(name); return ok }
	qs, skipped, err := hunting.Suggest(req)
	if err != nil {
		return res, tools.Errorf("%v", err)
	}
	res.Skipped = append(res.Skipped, skipped...)
	res.Proposed = len(qs)
	res.Techniques = huntTechniques(req.Techniques)
	for _, t := range res.Techniques {
		if _, ok := attack.Resolve(t); ok {
			res.Sources = append(res.Sources, resources.Ref{URI: attack.URI(t)})
		}
	}
	res.Queries, res.Dropped = validateHunts(qs, d)
	res.Validated = len(res.Queries)
	if p.Run && len(res.Queries) > 0 {
		if g == nil {
			if g, err = call.Graph(ctx); err != nil {
				return res, err
			}
		}
		if err := runHunts(ctx, call, g, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// huntTechniques normalises, dedupes and orders techniques by kill chain.
func huntTechniques(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range in {
		t = attack.NormalizeID(t)
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	attack.SortByKillChain(out)
	return out
}
