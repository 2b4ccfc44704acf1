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
		return inv.Sees(c, spec)
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
			// The schema tools/list carries under id: the listing is decided
			// over every tool (tools.ListOutputSchemas), then filtered by
			// what the caller sees, exactly as the adapter lists.
			specs := inv.Tools.Specs()
			names := make([]string, len(specs))
			schemas := make([]json.RawMessage, len(specs))
			for i := range specs {
				names[i], schemas[i] = specs[i].Name, specs[i].OutputSchema
			}
			listed, _ := tools.ListOutputSchemas(names, schemas)
			for i, s := range listed {
				if s == nil || !sees(ctx, &specs[i]) {
					continue
				}
				if got, err := tools.ListedSchemaID(schemas[i]); err == nil && got == id {
					return s, nil
				}
			}
			return nil, fmt.Errorf("no output schema has $id %q; read %s://schemas/tools for the tools' schemas", id, resources.Scheme)
		},
	}
}
