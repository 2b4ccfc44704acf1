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
// the analyses made in that tenant (in this process, or on disk when the
// store has one).
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
		Description: "The full result of a scripts_analyze call in this tenant: every decoded layer, indicator, technique, the walk-through and the hunting queries. Kept on the server's disk for the 256 most recent analyses per tenant, so it opens in later sessions and after a restart.",
		Needs:       "scripts_analyze",
		Read:        ReadAnalysis(store),
	})
}

// ReadAnalysis is the analysis reader in resources.EntityReader form: it
// returns the stored analysis of id (a script SHA-256) in tenant t, or
// source.ErrNotFound.
func ReadAnalysis(store *Store) resources.EntityReader {
	return func(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
		doc, ok := store.Get(t.Scope(ctx), id)
		if !ok {
			return nil, source.ErrNotFound
		}
		return json.RawMessage(doc), nil
	}
}
