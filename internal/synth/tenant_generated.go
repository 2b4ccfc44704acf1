package synth

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// tenantGenerated is a scope-less hunting question no other kind covers:
// kql_generate writes a validated Advanced Hunting query for it, which runs
// on the tenant; its rows are the ranking.
const tenantGenerated = "generated-query"

const (
	toolGenerate      = "kql_generate"
	toolSentinelQuery = "sentinel_run_query"
)

// workspaceRe finds words naming data only a Sentinel (Log Analytics)
// workspace holds — the catalogue's Log Analytics-only tables (Watchlist,
// BehaviorAnalytics, Usage, DnsEvents, VMConnection, ASimWebSessionLogs,
// SecurityNestedRecommendation): such a question is generated for and run
// on the workspace instead of Advanced Hunting.
var workspaceRe = lazyre.New(`(?i)\b(?:watchlists?|ueba|behaviou?r analytics|investigation priority|ingest(?:ed|ion)?|billable|data volume|dns servers?|vm insights|(?:web )?proxy|web sessions?|(?:defender for cloud |security )?recommendations?|sentinel workspace|log analytics)\b`)

var (
	huntNounRe = lazyre.New(`(?i)\b(?:process(?:es)?|logons?|log-ons?|connections?|e-?mails?|files?|registry|powershell|sign-?ins?|alerts?|devices?|users?|accounts?|urls?|domains?|ip addresses|ips|commands?|scripts?|downloads?|clicks?|computers?|servers?|hosts?|quer(?:y|ies)|lookups?|requests?|data types?|anomal(?:y|ies)|recommendations?|watchlists?)\b`)
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
	Product     string   `json:"product"`
	Assumptions []string `json:"assumptions"`
}

// generatedTarget is where a generated query runs: its kql_generate
// target, the tool that runs it and the product's name.
type generatedTarget struct{ target, tool, product string }

var (
	huntingTarget   = generatedTarget{"defender", toolHunting, "Advanced Hunting"}
	workspaceTarget = generatedTarget{"sentinel", toolSentinelQuery, "the Sentinel workspace"}
)

// generatedJob asks kql_generate for a query answering the question and,
// when it is valid, runs it where its data lives. A question naming data
// only a Sentinel workspace holds (workspaceRe) is generated for the
// workspace. Otherwise the generator first writes it in each table's
// native form: when the tables it chose include one only a Log Analytics
// workspace has and Advanced Hunting has nothing like (VM insights, Usage,
// watchlists, the web proxy, …: catalog.LogAnalyticsAdditions), that query
// runs on the workspace; else the question is generated again for Advanced
// Hunting, as before.
func generatedJob(question string, top int) job {
	if workspaceRe.MatchString(question) {
		return generateFor(question, top, workspaceTarget, "0-tenant-generate")
	}
	return job{key: "0-tenant-generate-native", source: "KQL generated for the question", tool: toolGenerate,
		args: map[string]any{"question": question},
		then: func(r *run, raw json.RawMessage) error {
			var d generateDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolGenerate, err)
			}
			if d.Valid && strings.TrimSpace(d.Query) != "" && d.Product == workspaceTarget.target && workspaceOnly(d.Tables) {
				r.spawn(generatedRunJob(d, workspaceTarget, top))
				return nil
			}
			r.spawn(generateFor(question, top, huntingTarget, "0-tenant-generate"))
			return nil
		}}
}

// workspaceOnly reports whether the tables include one only a Log
// Analytics workspace holds, with no Advanced Hunting counterpart.
func workspaceOnly(tables []string) bool {
	la := catalog.LogAnalyticsAdditions()
	return slices.ContainsFunc(tables, func(t string) bool { return slices.Contains(la, t) })
}

// generateFor asks kql_generate for a query for tg and runs it there.
func generateFor(question string, top int, tg generatedTarget, key string) job {
	return job{key: key, source: "KQL generated for the question", tool: toolGenerate,
		args: map[string]any{"question": question, "target": tg.target},
		then: func(r *run, raw json.RawMessage) error {
			var d generateDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolGenerate, err)
			}
			if !d.Valid || strings.TrimSpace(d.Query) == "" {
				r.note("kql_generate could not write a valid query on " + tg.product + " for this question, so nothing ran.")
				return nil
			}
			r.spawn(generatedRunJob(d, tg, top))
			return nil
		}}
}

// entityColumns are the columns whose values the fan-out can investigate.
var entityColumns = []struct{ column, kind string }{
	{"AccountUpn", "user"}, {"UserPrincipalName", "user"}, {"RecipientEmailAddress", "user"}, {"DeviceName", "device"},
	{"Computer", "device"},
}

func generatedRunJob(g generateDoc, tg generatedTarget, top int) job {
	return job{key: "0-tenant-generated-run", source: tg.product + " (tenant): the generated query", tool: tg.tool,
		args: map[string]any{"query": g.Query, "top": 100},
		then: func(r *run, raw json.RawMessage) error {
			var d huntingDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", tg.tool, err)
			}
			f := RankingFacet{Purpose: "rows of the query generated for the question", Tool: tg.tool, Query: g.Query, Candidates: len(d.Rows),
				RankedBy: "the generated query's own order (tables " + strings.Join(g.Tables, ", ") + ", run on " + tg.product + ")",
				Totals:   map[string]any{"rows": d.TotalRows}}
			if len(g.Assumptions) > 0 {
				f.Totals["assumptions"] = g.Assumptions
			}
			names := make([]string, len(d.Columns))
			for i, c := range d.Columns {
				names[i] = c.Name
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
				labelRow(e, names)
				f.Entries = append(f.Entries, e)
				if i < top {
					r.fanOutRow(e)
				}
			}
			return r.addRanking("0-generated", f)
		}}
}

// labelRow names a row that has no user or device column by its first
// string cell (a generated query's grouping key comes first: the DataType
// of an ingestion ranking, the SearchKey of a watchlist item, the user of
// a web-proxy ranking): that cell becomes the row's "label".
func labelRow(e map[string]any, cols []string) {
	if entryName(e) != "" {
		return
	}
	for _, c := range cols {
		if s, ok := e[c].(string); ok && s != "" {
			e["label"] = s
			delete(e, c)
			return
		}
	}
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
