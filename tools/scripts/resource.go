package scripts

import (
	"context"
	"encoding/json"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
)

// RegisterResources adds the analysis resource template to rs: one
// prefix secmcp://{alias}/scripts/ per served tenant, all listed under the
// one template secmcp://{tenant}/scripts/{sha256}. A read answers only from
// the analyses made in that tenant.
//
// Gap: a static template's Read is not told the caller's allowed tenants, so
// a caller who knows a script's hash could read another tenant's analysis of
// it. ReadAnalysis has the entity-reader shape; once resources.Server lets a
// toolset add an entity template, registering it there closes the gap.
func RegisterResources(rs *resources.Server, d Deps) {
	store := d.Store
	if store == nil {
		store = sharedStore()
	}
	// A tenant-scoped template: reads resolve the caller's tenant like every
	// entity read, so another tenant's caller gets the same refusal as for a
	// tenant that does not exist.
	rs.AddTemplate(resources.Template{
		Kind:        KindScripts,
		Name:        "PowerShell script analysis",
		Description: "The full result of a recent scripts_analyze call in this tenant: every decoded layer, indicator, technique, the walk-through and the hunting queries. Kept in memory for recent analyses only.",
		Read:        ReadAnalysis(store),
	})
}

// ReadAnalysis is the analysis reader in resources.EntityReader form: it
// returns the stored analysis of id (a script SHA-256) in tenant t, or
// source.ErrNotFound.
func ReadAnalysis(store *Store) resources.EntityReader {
	return func(_ context.Context, t *tenant.Tenant, id string) (any, error) {
		doc, ok := store.Get(t.Alias, id)
		if !ok {
			return nil, source.ErrNotFound
		}
		return json.RawMessage(doc), nil
	}
}
