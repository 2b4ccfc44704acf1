package kql

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/syntax"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ExplainParams is a query to explain.
type ExplainParams struct {
	Query string `json:"query" maxLength:"20000" jsonschema:"The KQL query to explain."`
}

// ExplainStep is one sentence of the explanation.
type ExplainStep struct {
	Operator string `json:"operator" jsonschema:"the operator or statement keyword (read, where, summarize, let, ...)"`
	Text     string `json:"text"`
	Line     int    `json:"line" jsonschema:"1-based line where the step starts"`
	Start    int    `json:"start" jsonschema:"byte offset where the step starts"`
	End      int    `json:"end" jsonschema:"byte offset where the step ends"`
}

// TableUse is a known table the query reads and the columns it mentions.
type TableUse struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns" jsonschema:"columns of this table the query mentions"`
	Schema  string   `json:"schema" jsonschema:"resource URI of the table's full schema"`
}

// ExplainResult is the explanation.
type ExplainResult struct {
	Valid       bool                  `json:"valid" jsonschema:"true exactly when the query has no syntax errors; steps may be incomplete otherwise"`
	Steps       []ExplainStep         `json:"steps"`
	Tables      []TableUse            `json:"tables"`
	Output      []kqlcheck.Column     `json:"output" jsonschema:"the result's columns as far as they can be known"`
	OutputOpen  bool                  `json:"outputOpen,omitempty" jsonschema:"more output columns than listed may exist"`
	Diagnostics []kqlcheck.Diagnostic `json:"diagnostics" jsonschema:"problems found while reading the query (see kql_validate)"`
	Sources     []resources.Ref       `json:"sources"`
}

// Text is the numbered explanation.
func (r ExplainResult) Text() string {
	var b strings.Builder
	if !r.Valid {
		b.WriteString("The query has syntax errors, so this explanation may be incomplete (check it with kql_validate).\n")
	}
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s.Text)
	}
	for _, t := range r.Tables {
		fmt.Fprintf(&b, "Reads %s", t.Name)
		if len(t.Columns) > 0 {
			fmt.Fprintf(&b, " (columns used: %s)", strings.Join(t.Columns, ", "))
		}
		b.WriteString(".\n")
	}
	if len(r.Output) > 0 {
		names := make([]string, len(r.Output))
		for i, c := range r.Output {
			names[i] = c.Name
		}
		more := ""
		if r.OutputOpen {
			more = ", and possibly more"
		}
		fmt.Fprintf(&b, "Output columns: %s%s.\n", strings.Join(names, ", "), more)
	}
	if n := countErrors(r.Diagnostics); n > 0 {
		fmt.Fprintf(&b, "%s found; kql_validate lists them with fixes.\n", text.Count(int64(n), "problem"))
	}
	return b.String()
}

func countErrors(ds []kqlcheck.Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == kqlcheck.SeverityError {
			n++
		}
	}
	return n
}

func (ts *toolset) explainTool() tools.Spec {
	return tools.New(tools.ToolsetKQL, "kql_explain",
		"Explain a KQL query step by step: what each operator does, the tables and columns it reads and the columns it returns. Does not run it.",
		func(_ context.Context, _ tools.Call, p ExplainParams) (ExplainResult, error) {
			if err := requireQuery(p.Query); err != nil {
				return ExplainResult{}, err
			}
			c := ts.check()
			rep := c.Validate(p.Query)
			script, _ := syntax.Parse(p.Query)
			res := ExplainResult{Valid: rep.Valid, Steps: []ExplainStep{}, Tables: []TableUse{},
				Output: rep.Output, OutputOpen: rep.OutputOpen, Diagnostics: rep.Diagnostics, Sources: schemaRefs(rep.Tables)}
			for _, s := range analyze.Explain(script) {
				line, _ := kqlcheck.LineColumn(p.Query, s.Start)
				res.Steps = append(res.Steps, ExplainStep{Operator: s.Operator, Text: s.Text, Line: line, Start: s.Start, End: s.End})
			}
			mentioned := identifiers(script)
			for _, name := range rep.Tables {
				use := TableUse{Name: name, Columns: []string{}, Schema: schemaURI(name)}
				if t, ok := c.Schema().Table(name); ok {
					for _, col := range t.ColumnNames() {
						if mentioned[col] {
							use.Columns = append(use.Columns, col)
						}
					}
				}
				res.Tables = append(res.Tables, use)
			}
			return res, nil
		}, tools.NoTenant(), tools.WithTitle("Explain a KQL query"))
}

// identifiers returns every identifier the script mentions.
func identifiers(script *syntax.Script) map[string]bool {
	out := map[string]bool{}
	syntax.Inspect(script, func(n syntax.Node) bool {
		if id, ok := n.(*syntax.Ident); ok {
			out[id.Name] = true
		}
		return true
	})
	return out
}
