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
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
)

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// addIncidentEntities adds the incident's evidence entities and techniques
// to req and returns the incident's first activity.
func addIncidentEntities(req *hunting.Request, in source.Incident) time.Time {
	var first time.Time
	if req.TechniqueWeight == nil {
		req.TechniqueWeight = map[string]int{}
	}
	for _, a := range in.Alerts {
		req.Techniques = append(req.Techniques, a.MitreTechniques...)
		// A technique matters as much as the most severe alert naming it.
		for _, id := range a.MitreTechniques {
			id = attack.NormalizeID(id)
			req.TechniqueWeight[id] = max(req.TechniqueWeight[id], severityWeight[a.Severity])
		}
		t := a.FirstActivityTime
		if t.IsZero() {
			t = a.CreatedDateTime
		}
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
		for _, e := range a.Evidence {
			addNonEmpty(&req.Users, strings.ToLower(e.UserPrincipalName))
			addNonEmpty(&req.Accounts, e.AccountName)
			addNonEmpty(&req.Devices, e.DeviceName)
			addNonEmpty(&req.IPs, e.IPAddress)
			// A system binary's hash is on every device: it is no lead.
			if !attack.SystemBinary(e.FileName, e.FilePath) {
				addNonEmpty(&req.Hashes, strings.ToLower(e.SHA256))
			}
			addNonEmpty(&req.Observed, e.ProcessCommandLine)
			if e.Verdict == "malicious" || e.Verdict == "suspicious" {
				addNonEmpty(&req.CommandLines, e.ProcessCommandLine)
			}
			if e.URL != "" {
				addNonEmpty(&req.Domains, hunting.DomainOf(e.URL))
			}
		}
	}
	return first
}

// severityWeight weighs an alert's techniques by its severity.
var severityWeight = map[string]int{"high": 3, "medium": 2, "low": 1, "informational": 1}

func addNonEmpty(list *[]string, v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	for _, x := range *list {
		if strings.EqualFold(x, v) {
			return
		}
	}
	*list = append(*list, v)
}

// validateHunts keeps the queries that kqlcheck finds valid, safe and free
// of errors (and that pass the server's gate when one is configured); the
// others are reported as dropped.
func validateHunts(qs []hunting.Query, d Deps) ([]HuntQuery, []HuntDropped) {
	// Checked against Advanced Hunting's own tables and columns.
	chk, _ := kqlcheck.ForTarget("defender")
	kept, dropped := []HuntQuery{}, []HuntDropped{}
	for _, q := range qs {
		rep := chk.Validate(q.Query)
		v := HuntValidation{Valid: rep.Valid, Safe: rep.Safe, Errors: rep.Errors, Warnings: rep.Warnings}
		reason := ""
		switch {
		case !rep.Valid || rep.Errors > 0:
			reason = "kqlcheck reported errors"
			if len(rep.Diagnostics) > 0 {
				reason += ": " + rep.Diagnostics[0].Message
			}
		case !rep.Safe:
			reason = "the read-only guard refused it: " + rep.Refusal
		case d.PrepareKQL != nil:
			if _, _, err := d.PrepareKQL(q.Query); err != nil {
				reason = "the server's KQL gate refused it: " + err.Error()
			}
		}
		if reason != "" {
			dropped = append(dropped, HuntDropped{TemplateID: q.TemplateID, Reason: reason})
			continue
		}
		kept = append(kept, HuntQuery{TemplateID: q.TemplateID, Title: q.Title, Pivot: q.Pivot, Entity: q.Entity, Value: q.Value,
			Techniques: q.Techniques, Tables: q.Tables, Rationale: q.Rationale, Query: q.Query, Validation: v})
	}
	return kept, dropped
}

// RunHuntingToolName is the tool that runs one Advanced Hunting query; a
// query run on a caller's behalf pays its price.
const RunHuntingToolName = "defender_run_hunting_query"

// runHunts runs each query with Advanced Hunting and records its row
// count. Each query first pays what defender_run_hunting_query would cost
// for it. A spent budget or a throttled tenant stops the run (the remaining
// queries say why they did not run) and is a tool error only when nothing
// ran.
func runHunts(ctx context.Context, call tools.Call, g source.Graph, res *SuggestHuntingResult) error {
	res.Ran = true
	total := float64(len(res.Queries))
	for i := range res.Queries {
		q := &res.Queries[i]
		if err := call.Charge(RunHuntingToolName, 1); err != nil {
			if i == 0 {
				return err
			}
			for j := i; j < len(res.Queries); j++ {
				res.Queries[j].RunError = "not run: " + err.Error() + "; or pass a lower max"
			}
			return nil
		}
		t, err := g.RunHuntingQuery(ctx, q.Query)
		call.Report(float64(i+1), total, "ran "+q.TemplateID)
		if err != nil {
			var te *source.ThrottledError
			if errors.As(err, &te) {
				if i == 0 {
					return tools.FromSource(err, "hunting query", "", call.Tenant.Alias)
				}
				q.RunError = fmt.Sprintf("throttled; retry after %s", ratelimit.RetryText(te.RetryAfter))
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("suggest hunting queries: %w", ctx.Err())
			}
			q.RunError = tools.SanitizeText(firstLine(err.Error()))
			continue
		}
		n := 0
		if t != nil {
			n = len(t.Rows)
		}
		q.Rows = &n
		if n > 0 {
			res.WithRows++
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
