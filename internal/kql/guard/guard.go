// Package guard makes a KQL query safe to run on a caller's behalf. It
// works on the syntax tree, never on strings: it refuses control commands,
// data egress (externaldata, network plugins such as http_request), every
// evaluate plugin outside an allow-list of read-only analyses (python and r
// run code on the cluster) and
// cross-cluster/cross-database references unless allowed, and it caps
// query length, result rows (by appending or tightening a take) and time
// window (by injecting a `where <TimeColumn> > ago(window)` filter on every
// table that has a time column). The rewritten tree is printed with
// syntax.Format so the exact query that will run can be shown and sent.
package guard

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Defaults used when an Options field is zero.
const (
	DefaultMaxQueryBytes = 64 << 10
	DefaultMaxRows       = 10000
)

// Options configures Check. The zero value refuses every risky construct,
// caps rows at DefaultMaxRows and query length at DefaultMaxQueryBytes, and
// applies no time-window cap.
type Options struct {
	MaxQueryBytes int   // longest query text; 0 means DefaultMaxQueryBytes
	MaxRows       int64 // result row cap; 0 means DefaultMaxRows, <0 means no cap
	// MaxWindow caps how far back tables are read, in timespan ticks
	// (100 ns units; syntax.TimespanText spells them); 0 means no cap.
	MaxWindow int64
	// Schema says which tables have a time column (for MaxWindow).
	Schema *schema.Schema
	// AllowExternalData permits externaldata and external_table().
	AllowExternalData bool
	// AllowNetworkPlugins permits evaluate http_request, sql_request, ...
	AllowNetworkPlugins bool
	// AllowCrossScope permits cluster(), database(), workspace(), app(), adx().
	AllowCrossScope bool
}

// Result is the outcome of Check.
type Result struct {
	// Script is the rewritten tree (nil when the query did not parse).
	Script *syntax.Script
	// Query is Format(Script): the text to run. Empty when refused.
	Query string
	// Diagnostics holds syntax errors and guard refusals (severity error)
	// and notes about caps (severity warning, Kind "guard").
	Diagnostics []syntax.Diagnostic
	// Caps lists, in plain words, each cap that changed the query.
	Caps []string
}

// Allowed reports whether the query may run.
func (r *Result) Allowed() bool { return !syntax.HasErrors(r.Diagnostics) }

// Refusal returns the first error message, or "" when allowed.
func (r *Result) Refusal() string {
	for _, d := range r.Diagnostics {
		if d.Severity == syntax.SeverityError {
			return d.Message
		}
	}
	return ""
}

// analysisPlugins are the evaluate plugins a query may use: read-only
// analyses of the query's own tabular input. Every other plugin is refused
// (see pluginRefusal). The plugin list and each plugin's behaviour are from
// https://learn.microsoft.com/en-us/kusto/query/evaluate-operator and the
// user-analytics plugins from
// https://learn.microsoft.com/en-us/kusto/query/user-analytics.
var analysisPlugins = map[string]bool{
	"autocluster": true, "bag_unpack": true, "basket": true, "dcount_intersect": true,
	"diffpatterns": true, "diffpatterns_text": true, "ipv4_lookup": true, "ipv6_lookup": true,
	"narrow": true, "pivot": true, "preview": true, "rolling_percentile": true, "rows_near": true,
	"schema_merge": true, "sequence_detect": true,
	"active_users_count": true, "activity_counts_metrics": true, "activity_engagement": true,
	"activity_metrics": true, "funnel_sequence": true, "funnel_sequence_completion": true,
	"new_activity_metrics": true, "session_count": true, "sliding_window_counts": true,
}

// codePlugins run caller-supplied code on the cluster's nodes (sandboxed
// Python or R): never allowed, whatever the options.
var codePlugins = map[string]bool{"python": true, "r": true}

// pluginRefusal is why evaluate name(...) may not run, or "" if it may.
func pluginRefusal(name string, opts Options) string {
	switch {
	case analysisPlugins[name]:
		return ""
	case codePlugins[name]:
		return fmt.Sprintf("evaluate %s is not allowed: the plugin runs the query's own code on the cluster; express the logic in KQL instead", name)
	case networkPlugins[name]:
		if opts.AllowNetworkPlugins {
			return ""
		}
		return fmt.Sprintf("evaluate %s is not allowed: the plugin sends requests to services outside the workspace", name)
	}
	return fmt.Sprintf("evaluate %s is not allowed: only read-only analysis plugins may run (%s)", name, strings.Join(sortedKeys(analysisPlugins), ", "))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// networkPlugins are evaluate plugins that reach outside the cluster (or
// call a model endpoint, or read external storage); AllowNetworkPlugins
// lets them through.
var networkPlugins = map[string]bool{
	"infer_storage_schema": true, "infer_storage_schema_with_suggestions": true,
	"http_request": true, "http_request_post": true, "sql_request": true,
	"cosmosdb_sql_request": true, "mysql_request": true, "postgresql_request": true,
	"azure_digital_twins_query_request": true, "ai_embeddings": true,
	"ai_chat_completion": true, "ai_chat_completion_prompt": true, "ai_embed_text": true,
}

// crossScopeFuncs reference data outside the current database.
var crossScopeFuncs = map[string]bool{
	"cluster": true, "database": true, "workspace": true, "app": true, "adx": true,
}

// limitLifters are set options that would undo the row cap.
var limitLifters = map[string]bool{
	"notruncation": true, "truncationmaxrecords": true, "truncationmaxsize": true,
	"query_take_max_records": true, "maxoutputcolumns": true,
}

// Check parses src, refuses what is not allowed and applies the caps.
func Check(src string, opts Options) *Result {
	if res := checkSize(src, opts); res != nil {
		return res
	}
	script, diags := syntax.Parse(src)
	return CheckParsed(src, script, diags, opts)
}

// CheckParsed is Check for a caller that has already parsed src:
// script and diags must be syntax.Parse(src)'s results. It rewrites script
// in place (the caps), so read the tree before calling it.
func CheckParsed(src string, script *syntax.Script, diags []syntax.Diagnostic, opts Options) *Result {
	if res := checkSize(src, opts); res != nil {
		return res
	}
	res := &Result{}
	res.Diagnostics = append(res.Diagnostics, diags...)
	if syntax.HasErrors(diags) {
		return res
	}
	res.Script = script
	res.refuseUnsafe(script, opts)
	if !res.Allowed() {
		return res
	}
	if opts.MaxWindow > 0 && opts.Schema != nil {
		capWindow(res, script, opts)
	}
	if rows := rowCap(opts); rows > 0 {
		capRows(res, script, rows)
	}
	res.Query = syntax.Format(script)
	return res
}

// checkSize returns a refusal when src is over the size limit, else nil.
func checkSize(src string, opts Options) *Result {
	maxBytes := opts.MaxQueryBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxQueryBytes
	}
	if len(src) <= maxBytes {
		return nil
	}
	res := &Result{}
	res.refuse(0, 0, fmt.Sprintf("query is %d bytes long; the limit is %d bytes — shorten it or split it into smaller queries", len(src), maxBytes))
	return res
}

func rowCap(opts Options) int64 {
	switch {
	case opts.MaxRows < 0:
		return 0
	case opts.MaxRows == 0:
		return DefaultMaxRows
	}
	return opts.MaxRows
}

func (r *Result) refuse(start, end int, msg string) {
	r.Diagnostics = append(r.Diagnostics, syntax.Diagnostic{Message: msg, Start: start,
		Length: max(0, end-start), Severity: syntax.SeverityError, Kind: syntax.KindGuard})
}

func (r *Result) note(n syntax.Node, msg string) {
	sp := n.Pos()
	r.Caps = append(r.Caps, msg)
	r.Diagnostics = append(r.Diagnostics, syntax.Diagnostic{Message: msg, Start: sp.Start,
		Length: max(0, sp.End-sp.Start), Severity: syntax.SeverityWarning, Kind: syntax.KindGuard})
}

// refuseUnsafe reports every construct the options do not allow.
func (r *Result) refuseUnsafe(script *syntax.Script, opts Options) {
	syntax.Inspect(script, func(n syntax.Node) bool {
		sp := n.Pos()
		switch n := n.(type) {
		case *syntax.CommandStmt:
			word := strings.Fields(n.Text + " ")[0]
			r.refuse(sp.Start, sp.End, fmt.Sprintf("control command %s is not allowed: only read-only queries can run here", word))
		case *syntax.SetStmt:
			if limitLifters[strings.ToLower(n.Name.Name)] {
				r.refuse(sp.Start, sp.End, fmt.Sprintf("query option '%s' is not allowed because it lifts the result limits; remove the set statement", n.Name.Name))
			}
		case *syntax.ExternalDataOp:
			if !opts.AllowExternalData {
				r.refuse(sp.Start, sp.End, "externaldata is not allowed: it fetches data from URLs outside the workspace; load the data into a table or use datatable(...) instead")
			}
		case *syntax.EvaluateOp:
			if why := pluginRefusal(strings.ToLower(n.Plugin.Name.Name), opts); why != "" {
				r.refuse(sp.Start, sp.End, why)
			}
		case *syntax.Call:
			r.checkCall(n, opts)
		}
		return true
	})
}

func (r *Result) checkCall(c *syntax.Call, opts Options) {
	name := strings.ToLower(c.Name.Name)
	sp := c.Pos()
	switch {
	case crossScopeFuncs[name] && !opts.AllowCrossScope:
		r.refuse(sp.Start, sp.End, fmt.Sprintf("%s(...) is not allowed: queries may only read the tables of the current workspace", name))
	case name == "external_table" && !opts.AllowExternalData:
		r.refuse(sp.Start, sp.End, "external_table(...) is not allowed: it reads storage outside the workspace")
	}
}
