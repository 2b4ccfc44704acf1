package kql

import (
	"context"
	"errors"
	"fmt"
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/nl2kql"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// GenerateParams is a question to turn into KQL.
type GenerateParams struct {
	Question string   `json:"question" maxLength:"2000" jsonschema:"The question, e.g. 'failed sign-ins by user in the last 24 hours'. Literals in it (UPNs, IPs, hashes, names, domains, CVEs, quoted text) become filters."`
	Tables   []string `json:"tables,omitempty" jsonschema:"Only consider these tables (at most 5)."`
	Target   string   `json:"target,omitempty" enum:"defender,sentinel" jsonschema:"defender (Advanced Hunting) or sentinel (Log Analytics); default: each table's native form."`
	Run      bool     `json:"run,omitempty" jsonschema:"Also run it on demo data (as kql_run_sandbox) and return sample rows."`
}

// GenerateExample is a library example that informed the query.
type GenerateExample struct {
	ID         string  `json:"id"`
	Question   string  `json:"question"`
	Similarity float64 `json:"similarity" jsonschema:"cosine similarity to the question, 0-1"`
}

// GenerateRun is the sample run on demo data.
type GenerateRun struct {
	Dataset string `json:"dataset" jsonschema:"the demo data the query ran on"`
	Query   string `json:"query" jsonschema:"the query as it ran, after the guard's caps"`
	tools.QueryResult
	Error       string   `json:"error,omitempty" jsonschema:"why the sample run failed, when it did"`
	EngineNotes []string `json:"engineNotes" jsonschema:"how the offline engine and this run differ from the real service"`
}

// GenerateResult is the generated query with its validation and explanation.
type GenerateResult struct {
	Question string   `json:"question"`
	Query    string   `json:"query" jsonschema:"the generated KQL"`
	Tables   []string `json:"tables" jsonschema:"tables the query reads"`
	// Valid is true when the query has no syntax or schema errors.
	Valid       bool                  `json:"valid" jsonschema:"true when the query has no syntax or schema errors against the built-in schemas"`
	Target      string                `json:"target,omitempty"`
	Product     string                `json:"product,omitempty" enum:"defender,sentinel" jsonschema:"the product whose tables, columns and time column the query is written for: the target, or the main table's native product"`
	Explanation []ExplainStep         `json:"explanation" jsonschema:"what the query does, step by step"`
	Assumptions []string              `json:"assumptions" jsonschema:"how the question was interpreted where it was vague (time range, grouping key, ignored literals)"`
	Entities    []nl2kql.Entity       `json:"entities" jsonschema:"literals taken from the question; they are data, used only as string values in filters"`
	Repairs     []string              `json:"repairs" jsonschema:"fixes the validator applied to the first draft"`
	Diagnostics []kqlcheck.Diagnostic `json:"diagnostics" jsonschema:"errors left when the query could not be repaired"`
	Suggestions []string              `json:"suggestions" jsonschema:"advice, e.g. a table that does not exist on the target"`
	Examples    []GenerateExample     `json:"examples" jsonschema:"the most similar examples of the built-in library"`
	Generator   string                `json:"generator" jsonschema:"what wrote the query: the client's model (sampling), the configured endpoint (openai), or the deterministic templates, with why a model was not used"`
	Run         *GenerateRun          `json:"run,omitempty" jsonschema:"the sample run on demo data, when run was true"`
	Sources     []resources.Ref       `json:"sources"`
}

// Text renders the query, its explanation and the sample run.
func (r GenerateResult) Text() string {
	var b strings.Builder
	verdict := "valid"
	if !r.Valid {
		verdict = "NOT valid: see diagnostics"
	}
	if r.Product != "" {
		verdict += ", for " + catalog.ProductName(catalog.Product(r.Product))
	}
	fmt.Fprintf(&b, "Generated KQL (%s):\n```kql\n%s\n```\n", verdict, r.Query)
	for i, s := range r.Explanation {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s.Text)
	}
	for _, a := range r.Assumptions {
		fmt.Fprintf(&b, "Assumption: %s.\n", strings.TrimRight(a, "."))
	}
	for _, s := range r.Suggestions {
		fmt.Fprintf(&b, "Note: %s.\n", strings.TrimRight(s, "."))
	}
	for _, d := range r.Diagnostics {
		fmt.Fprintf(&b, "- %d:%d %s\n", d.Line, d.Column, d.Message)
	}
	if r.Run != nil {
		if r.Run.Error != "" {
			fmt.Fprintf(&b, "Sample run on %s failed: %s\n", r.Run.Dataset, r.Run.Error)
		} else {
			fmt.Fprintf(&b, "Sample run on %s: %s.\n%s", r.Run.Dataset, text.Count(int64(r.Run.TotalRows), "row"), r.Run.Markdown(10))
		}
	}
	return b.String()
}

// maxHints bounds the table hints.
const maxHints = 5

// sampleRows caps the rows of a sample run.
const sampleRows = 20

// generator is built once per toolset, on first use.
type generator struct {
	once sync.Once
	svc  *nl2kql.Service
}

func (ts *toolset) generateTool() tools.Spec {
	var g generator
	return tools.New(tools.ToolsetKQL, "kql_generate",
		"Write a KQL query from a plain-language question: picks Defender XDR or Sentinel tables, columns and the nearest library examples, then writes it with the client's model (MCP sampling), the operator's endpoint, or templates (filter, count, top-N, distinct, time series, first/last seen, join); literals in the question (UPNs, IPs, hashes, names, domains, CVEs) and time phrases become filters. The query is validated, repaired and explained step by step; run=true runs it on demo data. Review it before running it on a tenant.",
		func(ctx context.Context, call tools.Call, p GenerateParams) (GenerateResult, error) {
			if strings.TrimSpace(p.Question) == "" {
				return GenerateResult{}, tools.Errorf("question is required: describe what to find, e.g. 'failed sign-ins by user in the last 24 hours'")
			}
			if len(p.Tables) > maxHints {
				return GenerateResult{}, tools.Errorf("tables has %d names; pass at most %d table hints", len(p.Tables), maxHints)
			}
			for _, h := range p.Tables {
				if len(h) > 100 {
					return GenerateResult{}, tools.Errorf("table hint %q... is too long: pass table names such as SigninLogs", h[:20])
				}
			}
			g.once.Do(func() { g.svc = nl2kql.New(nl2kql.Options{Checker: ts.check()}) })
			mg := ts.modelGenerator(call, g.svc)
			gen, err := g.svc.GenerateWith(ctx, nl2kql.Request{Question: p.Question, Tables: p.Tables, Target: p.Target}, mg)
			if err != nil {
				return GenerateResult{}, generateError(err)
			}
			res := generateResult(p, gen)
			res.Generator = mg.Used
			if p.Run && gen.Valid {
				res.Run = ts.sampleRun(ctx, call, gen.Query)
			}
			return res, nil
		}, tools.NoTenant(), tools.WithCost(2), tools.WithTimeout(30*time.Second), tools.WithTitle("Generate a KQL query from a question"))
}

// generateError turns a generation failure into a tool error the caller
// can act on.
func generateError(err error) error {
	if errors.Is(err, nl2kql.ErrNoTable) {
		return tools.Errorf("no table matches the question: name what to look for (sign-ins, processes, emails, network connections, alerts, ...) or pass tables; kql_list_tables lists them")
	}
	msg := strings.TrimPrefix(err.Error(), "nl2kql: ")
	if errors.Is(err, nl2kql.ErrTooLarge) || errors.Is(err, nl2kql.ErrTooSlow) {
		return tools.Errorf("%s", msg)
	}
	if strings.Contains(msg, "table hint") || strings.Contains(msg, "target") || strings.Contains(msg, "empty") {
		return tools.Errorf("%s; kql_list_tables lists the table names", msg)
	}
	return fmt.Errorf("kql_generate: %w", err)
}

func generateResult(p GenerateParams, gen *nl2kql.Result) GenerateResult {
	res := GenerateResult{Question: p.Question, Query: gen.Query, Tables: gen.Tables, Valid: gen.Valid, Target: p.Target, Product: gen.Product,
		Explanation: []ExplainStep{}, Assumptions: gen.Assumptions, Entities: gen.Plan.Entities, Repairs: gen.Repairs,
		Diagnostics: gen.Diagnostics, Suggestions: []string{}, Examples: []GenerateExample{}, Sources: schemaRefs(gen.Tables)}
	for _, s := range gen.Steps {
		line, _ := kqlcheck.LineColumn(gen.Query, s.Start)
		res.Explanation = append(res.Explanation, ExplainStep{Operator: s.Operator, Text: s.Text, Line: line, Start: s.Start, End: s.End})
	}
	for _, ex := range gen.Plan.Examples {
		res.Examples = append(res.Examples, GenerateExample{ID: ex.Example.ID, Question: ex.Example.Question, Similarity: ex.Similarity})
	}
	for _, t := range gen.Tables {
		if w := targetWarning(p.Target, t); w != "" {
			res.Suggestions = append(res.Suggestions, w)
		}
	}
	return res
}

// sampleRun runs the query on demo data the way kql_run_sandbox does; a
// failure is reported in the run, not as a tool error, since the query
// itself is still the answer. The tool is NoTenant because it never reads a
// tenant: the sample uses the calling demo tenant's data when there is one,
// else the contoso demo data.
func (ts *toolset) sampleRun(ctx context.Context, call tools.Call, query string) *GenerateRun {
	alias := sandboxDefault
	run := &GenerateRun{EngineNotes: []string{}}
	if call.Tenant != nil && call.Tenant.Demo {
		alias = call.Tenant.Alias
	} else if call.Tenant != nil {
		run.EngineNotes = append(run.EngineNotes, fmt.Sprintf("tenant %s is not a demo tenant: the sample ran on the %s demo data", call.Tenant.Alias, sandboxDefault))
	}
	run.Dataset = alias + " (demo data)"
	c := ts.check()
	rep := c.Validate(query)
	if !rep.Safe {
		run.Error = fmt.Sprintf("the query was not run: %v", c.Gate(query))
		return run
	}
	run.Query = rep.Guarded
	demo, err := ts.demoTenant(alias)
	if err != nil {
		run.Error = "the demo data could not be loaded"
		return run
	}
	t, err := ts.run().Run(ctx, demo, demo.WorkspaceID, rep.Guarded)
	if err != nil {
		run.Error = strings.TrimPrefix(sandboxError(err).Error(), "engine: ")
		return run
	}
	st := &source.Table{Columns: make([]source.Column, len(t.Columns)), Rows: t.Rows}
	for i, col := range t.Columns {
		st.Columns[i] = source.Column{Name: col.Name, Type: col.Type}
	}
	run.QueryResult = tools.NewQueryResult(st, sampleRows)
	run.EngineNotes = append(run.EngineNotes, engineNotes(demo.Clock, rep.Guarded)...)
	return run
}

// modelGenerator prefers the client's model (sampling), then the operator's
// endpoint, then the templates; the templates also catch a model query that
// does not validate.
func (ts *toolset) modelGenerator(call tools.Call, svc *nl2kql.Service) *nl2kql.ModelGenerator {
	mg := &nl2kql.ModelGenerator{Fallback: svc.DefaultGenerator(), Checker: svc.Checker(), Repairs: 5}
	switch {
	case call.Sample != nil:
		sample := call.Sample
		mg.Label = "sampling"
		mg.Complete = func(ctx context.Context, system, prompt string) (string, error) {
			return sample(ctx, tools.SampleRequest{System: system, Prompt: prompt, MaxTokens: 800})
		}
	case ts.d.Complete != nil:
		mg.Label, mg.Complete = "openai", ts.d.Complete
	}
	return mg
}
