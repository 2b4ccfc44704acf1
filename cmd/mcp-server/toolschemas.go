package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/mcpadapter"
)

// toolSchemas serves each tool's output schema as a resource
// (secmcp://schemas/tools/{name}), exactly as tools/list carries it with
// output schemas on, to the callers that see the tool in tools/list: a
// role-bound caller only the tools its roles allow, a tenant-bound tool
// only to callers of its tenants (the same rules as the adapter's listing).
func toolSchemas(inv *tools.Invoker) resources.ToolSchemas {
	sees := func(ctx context.Context, spec *tools.Spec) bool {
		c, ok := mcpadapter.CallerFrom(ctx)
		if !ok {
			return true
		}
		return (!c.RoleBound() || inv.Permits(c, spec.Name)) && inv.VisibleTo(c, spec)
	}
	return resources.ToolSchemas{
		Names: func(ctx context.Context) []string {
			var names []string
			for _, spec := range inv.Tools.Specs() {
				if len(spec.OutputSchema) > 0 && sees(ctx, &spec) {
					names = append(names, spec.Name)
				}
			}
			return names
		},
		Schema: func(ctx context.Context, name string) (json.RawMessage, error) {
			spec, ok := inv.Tools.Lookup(name)
			if !ok || len(spec.OutputSchema) == 0 || !sees(ctx, spec) {
				return nil, fmt.Errorf("no tool %q with an output schema; read %s://schemas/tools for the list", name, resources.Scheme)
			}
			return tools.ListedOutputSchema(spec.OutputSchema)
		},
		ByID: func(ctx context.Context, id string) (json.RawMessage, error) {
			for _, spec := range inv.Tools.Specs() {
				if len(spec.OutputSchema) > 0 && tools.SchemaID(spec.OutputSchema) == id && sees(ctx, &spec) {
					return tools.ListedOutputSchema(spec.OutputSchema)
				}
			}
			return nil, fmt.Errorf("no output schema has $id %q; read %s://schemas/tools for the tools' schemas", id, resources.Scheme)
		},
	}
}
