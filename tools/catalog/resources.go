package catalog

import (
	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools/defender"
	"github.com/secmcp/secmcp/tools/entra"
	"github.com/secmcp/secmcp/tools/intune"
	"github.com/secmcp/secmcp/tools/investigate"
	"github.com/secmcp/secmcp/tools/reports"
	"github.com/secmcp/secmcp/tools/scripts"
)

// RegisterResources adds every toolset's resources, resource templates and
// prompts to rs. Toolsets that offer resources add one line here.
func RegisterResources(rs *resources.Server, d Deps) {
	rs.AddTableSchemasLazy(tableSchemas)
	rs.AddPrompt(reports.Prompts()...)
	defender.RegisterKnowledge(rs)
	rs.AddStatic(intune.BaselineResource())
	scripts.RegisterResources(rs, scripts.Deps{})
	entra.RegisterResources(rs)
	investigate.RegisterResources(rs, d.Synth)
}

// StaticRoots are the first segments of the server's tenant-independent
// resource URIs (secmcp://attack/..., secmcp://schemas/...), read from the
// resources every toolset registers: the names a tenant alias must not take.
func StaticRoots() []string {
	rs := resources.NewServer(nil)
	RegisterResources(rs, Deps{})
	return rs.StaticRoots()
}

// tableSchemas are the KQL table schemas built into the server (the columns
// of Microsoft's published Advanced Hunting and Sentinel table references).
func tableSchemas() map[string][]resources.SchemaColumn {
	out := map[string][]resources.SchemaColumn{}
	for _, name := range fixtures.TableNames() {
		cols, _ := fixtures.TableColumns(name)
		sc := make([]resources.SchemaColumn, len(cols))
		for i, c := range cols {
			sc[i] = resources.SchemaColumn{Name: c.Name, Type: c.Type}
		}
		out[name] = sc
	}
	return out
}
