package kql

import (
	"context"
	"fmt"
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"strings"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ValidateParams is a query to check.
type ValidateParams struct {
	Query  string `json:"query" maxLength:"20000" jsonschema:"The KQL query to check."`
	Target string `json:"target,omitempty" enum:"defender,sentinel" jsonschema:"Where the query will run: defender (Advanced Hunting) or sentinel (Log Analytics workspace). Tables and columns are checked as that product has them (a Sentinel-only table is an error for defender)."`
}

// ValidateResult is the merged syntax, schema and guard report.
type ValidateResult struct {
	// Valid is true exactly when the query has no syntax errors.
	Valid bool `json:"valid" jsonschema:"true exactly when the query has no syntax errors (schema problems and guard refusals are reported separately)"`
	// Safe is true when the read-only guard lets the query run.
	Safe        bool                  `json:"safe" jsonschema:"true when the read-only guard lets the query run"`
	Target      string                `json:"target,omitempty"`
	Diagnostics []kqlcheck.Diagnostic `json:"diagnostics" jsonschema:"every problem, errors first; start and length are byte offsets into the query"`
	Errors      int                   `json:"errors"`
	Warnings    int                   `json:"warnings"`
	Refusal     string                `json:"refusal,omitempty" jsonschema:"why the guard refuses the query, when it does"`
	// GuardedQuery is the text that would run after the guard's caps.
	GuardedQuery string   `json:"guardedQuery,omitempty" jsonschema:"the query as it would run after the guard's caps"`
	Caps         []string `json:"caps" jsonschema:"each cap the guard applied, in plain words"`
	FixedQuery   string   `json:"fixedQuery,omitempty" jsonschema:"the query with every suggested fix applied"`
	Suggestions  []string `json:"suggestions" jsonschema:"advice that is not an error"`
	Tables       []string `json:"tables" jsonschema:"known tables the query reads"`
	// Output lists the result columns as far as they can be known.
	Output     []kqlcheck.Column `json:"output"`
	OutputOpen bool              `json:"outputOpen,omitempty" jsonschema:"more output columns than listed may exist"`
	Sources    []resources.Ref   `json:"sources"`
}

// Text lists the verdict and the problems with line:column.
func (r ValidateResult) Text() string {
	var b strings.Builder
	switch {
	case !r.Valid:
		b.WriteString("Invalid KQL: the query has syntax errors.")
	case !r.Safe:
		fmt.Fprintf(&b, "Valid KQL, but refused by the read-only guard: %s.", strings.TrimRight(r.Refusal, "."))
	case r.Errors > 0:
		b.WriteString("Valid KQL syntax, with schema problems that will likely fail when it runs.")
	default:
		b.WriteString("Valid KQL; safe to run.")
	}
	fmt.Fprintf(&b, " %s, %s.\n", text.Count(int64(r.Errors), "error"), text.Count(int64(r.Warnings), "warning"))
	for _, d := range r.Diagnostics {
		fmt.Fprintf(&b, "- %d:%d %s (%s): %s", d.Line, d.Column, d.Severity, d.Kind, d.Message)
		if d.Fix != nil {
			fmt.Fprintf(&b, " [fix: %s]", d.Fix.Title)
		}
		b.WriteByte('\n')
	}
	for _, s := range r.Suggestions {
		fmt.Fprintf(&b, "- suggestion: %s\n", s)
	}
	if r.FixedQuery != "" {
		fmt.Fprintf(&b, "With the fixes applied:\n%s\n", r.FixedQuery)
	}
	if len(r.Caps) > 0 {
		fmt.Fprintf(&b, "It would run as:\n%s\n", r.GuardedQuery)
	}
	return b.String()
}

func (ts *toolset) validateTool() tools.Spec {
	return tools.New(tools.ToolsetKQL, "kql_validate",
		"Check a KQL query without running it: syntax, Defender XDR and Sentinel tables and columns (with did-you-mean fixes; with a target, as that product has them), and the read-only guard (refused commands, external data, row caps). Returns valid, safe, positioned diagnostics and the capped query that would run.",
		func(_ context.Context, _ tools.Call, p ValidateParams) (ValidateResult, error) {
			if err := requireQuery(p.Query); err != nil {
				return ValidateResult{}, err
			}
			rep, err := ts.check().ValidateTarget(p.Query, p.Target)
			if err != nil {
				return ValidateResult{}, tools.Errorf("target %q is not known: use defender or sentinel", p.Target)
			}
			res := ValidateResult{
				Valid: rep.Valid, Safe: rep.Safe, Target: p.Target, Diagnostics: rep.Diagnostics,
				Errors: rep.Errors, Warnings: rep.Warnings, Refusal: rep.Refusal, GuardedQuery: rep.Guarded,
				Caps: rep.Caps, FixedQuery: rep.FixedQuery, Suggestions: rep.Suggestions,
				Tables: rep.Tables, Output: rep.Output, OutputOpen: rep.OutputOpen, Sources: schemaRefs(rep.Tables),
			}
			for _, t := range rep.Tables {
				if w := targetWarning(p.Target, t); w != "" {
					res.Suggestions = append(res.Suggestions, w)
				}
			}
			return res, nil
		}, tools.NoTenant(), tools.WithTitle("Validate a KQL query"))
}

// targetWarning says when a table does not exist where the query will run,
// from the table catalogue ("" when it does, the target is not given or the
// table is not a built-in one).
func targetWarning(target, table string) string {
	t, ok := catalog.Lookup(table)
	if !ok || target == "" || t.In(catalog.Product(target)) {
		return ""
	}
	if target == platformDefender {
		return fmt.Sprintf("%s is a Sentinel (Log Analytics) table, not an Advanced Hunting one (%s): Advanced Hunting has it only when a Sentinel workspace is onboarded to the Defender portal; otherwise run the query with sentinel_run_query", table, t.Sentinel.Doc)
	}
	return fmt.Sprintf("%s is a Defender XDR Advanced Hunting table (%s): a Sentinel workspace does not have it; run the query with defender_run_hunting_query", table, t.Defender.Doc)
}

// targetChecker is the checker for a query that will run on target: the
// toolset's own when one was configured or no target is given, else the
// one over the target product's tables and columns.
func (ts *toolset) targetChecker(target string) (*kqlcheck.Checker, error) {
	if target == "" || ts.d.Checker != nil {
		return ts.check(), nil
	}
	c, err := kqlcheck.ForTarget(target)
	if err != nil {
		return nil, tools.Errorf("target %q is not known: use defender or sentinel", target)
	}
	return c, nil
}
