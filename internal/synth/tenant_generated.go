package synth

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// tenantGenerated is a scope-less hunting question no other kind covers:
// kql_generate writes a validated Advanced Hunting query for it, which runs
// on the tenant; its rows are the ranking.
const tenantGenerated = "generated-query"

const toolGenerate = "kql_generate"

var (
	huntNounRe = lazyre.New(`(?i)\b(?:process(?:es)?|logons?|log-ons?|connections?|e-?mails?|files?|registry|powershell|sign-?ins?|alerts?|devices?|users?|accounts?|urls?|domains?|ip addresses|ips|commands?|scripts?|downloads?|clicks?)\b`)
	huntAskRe  = lazyre.New(`(?i)^\s*(?:which|what|who|show|list|find|top|most|how many|count|are there|were there|any|give me|identify)\b`)
)

// generatedKind reports whether a question no rule recognised is still a
// hunting question worth a generated query.
func generatedKind(q string) bool {
	return huntAskRe.MatchString(q) && huntNounRe.MatchString(q)
}

// generateDoc is the part of kql_generate's result read here.
type generateDoc struct {
	Query       string   `json:"query"`
	Tables      []string `json:"tables"`
	Valid       bool     `json:"valid"`
	Assumptions []string `json:"assumptions"`
}

// generatedJob asks kql_generate for a Defender query answering the
// question and, when it is valid, runs it on the tenant.
func generatedJob(question string, top int) job {
	return job{key: "0-tenant-generate", source: "KQL generated for the question", tool: toolGenerate,
		args: map[string]any{"question": question, "target": "defender"},
		then: func(r *run, raw json.RawMessage) error {
			var d generateDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolGenerate, err)
			}
			if !d.Valid || strings.TrimSpace(d.Query) == "" {
				r.note("kql_generate could not write a valid Advanced Hunting query for this question, so nothing ran.")
				return nil
			}
			r.spawn(generatedRunJob(d, top))
			return nil
		}}
}

// entityColumns are the columns whose values the fan-out can investigate.
var entityColumns = []struct{ column, kind string }{
	{"AccountUpn", "user"}, {"UserPrincipalName", "user"}, {"RecipientEmailAddress", "user"}, {"DeviceName", "device"},
}

func generatedRunJob(g generateDoc, top int) job {
	return job{key: "0-tenant-generated-run", source: "Advanced Hunting (tenant): the generated query", tool: toolHunting,
		args: map[string]any{"query": g.Query, "top": 100},
		then: func(r *run, raw json.RawMessage) error {
			var d huntingDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolHunting, err)
			}
			f := RankingFacet{Purpose: "rows of the query generated for the question", Tool: toolHunting, Query: g.Query, Candidates: len(d.Rows),
				RankedBy: "the generated query's own order (tables " + strings.Join(g.Tables, ", ") + ")",
				Totals:   map[string]any{"rows": d.TotalRows}}
			if len(g.Assumptions) > 0 {
				f.Totals["assumptions"] = g.Assumptions
			}
			for i, row := range d.Rows {
				if i == max(top, 5) {
					break
				}
				e := map[string]any{"rank": i + 1}
				for c, col := range d.Columns {
					if c < len(row) {
						e[col.Name] = row[c]
					}
				}
				f.Entries = append(f.Entries, e)
				if i < top {
					r.fanOutRow(e)
				}
			}
			return r.addRanking("0-generated", f)
		}}
}

// fanOutRow investigates the first user or device a row names.
func (r *run) fanOutRow(e map[string]any) {
	for _, c := range entityColumns {
		v, _ := e[c.column].(string)
		switch {
		case v == "":
		case c.kind == "user" && strings.Contains(v, "@") && r.budget.take("user", strings.ToLower(v)):
			r.userFanOut(strings.ToLower(v), window{})
			return
		case c.kind == "device" && safeName(v) && r.budget.take("device", strings.ToLower(shortName(v))):
			r.deviceFanOut(v, window{})
			return
		}
	}
}
