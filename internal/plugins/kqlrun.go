package plugins

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// KindPlugins is the resource kind of plugin runs:
// secmcp://{tenant}/plugins/{plugin}/{skill}/{runId}.
const KindPlugins = "plugins"

// RunResult is a KQL skill's result.
type RunResult struct {
	Tenant string `json:"tenant"`
	Plugin string `json:"plugin"`
	Skill  string `json:"skill"`
	Target string `json:"target"`
	// Database is the workspace or database the query ran in.
	Database string `json:"database,omitempty"`
	// Sent is the query as sent: the template with the inputs bound as
	// literals, after the guard's caps.
	Sent string   `json:"sent"`
	Caps []string `json:"caps"`
	tools.QueryResult
	Sources []resources.Ref `json:"sources"`
}

// Text renders the result.
func (r RunResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from plugin %s skill %s (%s) in %s", text.Count(int64(r.TotalRows), "row"), r.Plugin, r.Skill, r.Target, r.Tenant)
	if r.Truncated {
		fmt.Fprintf(&b, " (%d shown; %s)", len(r.Rows), r.Note)
	}
	b.WriteString(".\n")
	b.WriteString(r.Markdown(20))
	if len(r.Sources) > 0 {
		b.WriteString("\nSource: " + r.Sources[0].URI + "\n")
	}
	return b.String()
}

var runOutputSchema = json.RawMessage(`{"type":"object","properties":{"tenant":{"type":"string"},"plugin":{"type":"string"},"skill":{"type":"string"},"target":{"type":"string"},"database":{"type":"string"},"sent":{"type":"string"},"caps":{"type":"array","items":{"type":"string"}},"columns":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"type":{"type":"string"}}}},"rows":{"type":"array","items":{"type":"array"}},"totalRows":{"type":"integer"},"truncated":{"type":"boolean"},"note":{"type":"string"},"sources":{"type":"array","items":{"type":"object","properties":{"uri":{"type":"string"},"portal":{"type":"string"}},"required":["uri"]}}},"required":["tenant","plugin","skill","target","sent","caps","columns","rows","totalRows","truncated","sources"]}`)

func (sk *KQLSkill) handler(env *Env) tools.Handler {
	return func(ctx context.Context, call tools.Call, raw json.RawMessage) (any, error) {
		values, err := sk.decode(raw)
		if err != nil {
			return nil, err
		}
		q, err := sk.Template.Bind(values)
		if err != nil {
			return nil, tools.Errorf("%s: %v", sk.Tool, err)
		}
		send, caps := q, []string{}
		if env.PrepareKQL != nil {
			if send, caps, err = env.PrepareKQL(q); err != nil {
				return nil, tools.Errorf("the query was not sent: %v", err)
			}
			if caps == nil {
				caps = []string{}
			}
		}
		if err := sk.checkDemoTables(env, call.Tenant); err != nil {
			return nil, err
		}
		src, err := call.Tenant.Sources(ctx)
		if err != nil {
			return nil, err
		}
		t, db, err := sk.run(ctx, env, call.Tenant, src, send)
		if err != nil {
			return nil, err
		}
		res := RunResult{Tenant: call.Tenant.Alias, Plugin: sk.PluginName, Skill: sk.Skill, Target: sk.Target, Database: db,
			Sent: send, Caps: caps, QueryResult: tools.NewQueryResult(t, 100), Sources: []resources.Ref{}}
		// Runs are kept per scope: the tenant, and the signed-in user on an
		// on-behalf-of tenant, whose rows other users may not have the
		// rights to read.
		if uri, ok := env.Runs.keep(call.Tenant.Scope(ctx), call.Tenant.Alias, sk, res); ok {
			res.Sources = append(res.Sources, resources.Ref{URI: uri})
		}
		return res, nil
	}
}

// decode reads the arguments: strings (numbers are taken as their text),
// every required input present, defaults filled in.
func (sk *KQLSkill) decode(raw json.RawMessage) (map[string]string, error) {
	var args map[string]json.RawMessage
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, tools.Errorf("arguments must be a JSON object: %v", err)
		}
	}
	out := map[string]string{}
	names := make([]string, 0, len(sk.Inputs))
	for _, in := range sk.Inputs {
		names = append(names, in.Name)
	}
	for k, v := range args {
		if !containsName(sk.Inputs, k) {
			return nil, tools.Errorf("unknown argument %q; valid arguments: %s, tenant", k, strings.Join(names, ", "))
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return nil, tools.Errorf("argument %q must be a string or a number", k)
			}
			s = n.String()
		}
		out[k] = s
	}
	for _, in := range sk.Inputs {
		if _, ok := out[in.Name]; ok {
			continue
		}
		switch {
		case in.DefaultValue != "":
			out[in.Name] = in.DefaultValue
		case in.Required || sk.usesInput(in.Name):
			return nil, tools.Errorf("missing required argument %q (%s)", in.Name, strings.TrimSpace(in.Description))
		}
	}
	return out, nil
}

func containsName(ins []Input, name string) bool {
	for _, in := range ins {
		if in.Name == name {
			return true
		}
	}
	return false
}

func (sk *KQLSkill) usesInput(name string) bool {
	for _, p := range sk.Template.Placeholders {
		if p.Name == name {
			return true
		}
	}
	return false
}

// checkDemoTables refuses, on a demo tenant, a skill reading a table the
// demo workspace does not have, in the words a workspace would use.
func (sk *KQLSkill) checkDemoTables(env *Env, t *tenant.Tenant) error {
	if !t.Demo {
		return nil
	}
	has := env.DemoTables
	if has == nil {
		has = func(name string) bool { _, ok := kqlcheck.Default().Schema().Table(name); return ok }
	}
	for _, name := range sk.CustomTables {
		if _, std := catalog.WorkspaceFunction(name); std {
			continue // every demo workspace defines Sentinel's standard functions (fixtures/demo)
		}
		if !has(name) {
			return &tools.ToolError{Msg: fmt.Sprintf("table %s does not exist in tenant %s's workspace (plugin %s reads a custom table or function this tenant lacks)", name, t.Alias, sk.PluginName), Kind: "not_found"}
		}
	}
	return nil
}

// run sends the query to the skill's target.
func (sk *KQLSkill) run(ctx context.Context, env *Env, t *tenant.Tenant, src *tenant.Sources, q string) (*source.Table, string, error) {
	var (
		tbl *source.Table
		err error
		db  string
	)
	switch sk.Target {
	case "Defender":
		if src.Graph == nil {
			return nil, "", notConfigured(t, "Microsoft Graph (Defender Advanced Hunting)")
		}
		db = "Defender Advanced Hunting"
		if tbl, err = src.Graph.RunHuntingQuery(ctx, q); err != nil {
			if te := sk.defenderError(t, err); te != nil {
				return nil, db, te
			}
		}
	case "Sentinel", "LogAnalytics":
		if src.Sentinel == nil {
			return nil, "", notConfigured(t, "Sentinel / Log Analytics workspace")
		}
		db = src.SentinelDB
		tbl, err = src.Sentinel.Query(ctx, db, q)
	case "Kusto":
		if src.ADX == nil {
			return nil, "", notConfigured(t, "Azure Data Explorer cluster")
		}
		db = sk.kustoDatabase(env, t, src)
		tbl, err = src.ADX.Query(ctx, db, q)
		if err != nil {
			return nil, db, sk.kustoError(env, t, src, db, err)
		}
	}
	if err != nil {
		return nil, db, tools.FromSource(err, "query", "", t.Alias)
	}
	return tbl, db, nil
}

func notConfigured(t *tenant.Tenant, what string) error {
	return &tools.ToolError{Msg: fmt.Sprintf("tenant %s has no %s configured; ask the operator to add it to the tenant's configuration", t.Alias, what), Kind: "refused"}
}

// setting is a skill setting with {{name}} filled from the tenant's plugin
// settings, then the descriptor's defaults.
func (sk *KQLSkill) setting(env *Env, t *tenant.Tenant, key string) string {
	v := pick(sk.Settings, key)
	var conf map[string]string
	if env.Settings != nil {
		conf = env.Settings(t.Alias, sk.PluginName)
	}
	return placeholderRE.ReplaceAllStringFunc(v, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		if c, ok := conf[name]; ok {
			return c
		}
		if strings.EqualFold(name, "TenantId") {
			return t.ID
		}
		for _, d := range sk.Descriptor {
			if d.Name == name && d.DefaultValue != "" {
				return d.DefaultValue
			}
		}
		return m
	})
}

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
