package scripts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
)

// analysisTemplate is the URI template of stored analyses.
const analysisTemplate = resources.Scheme + "://{tenant}/" + KindScripts + "/{sha256}"

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
	for _, alias := range rs.Tenants.Aliases() {
		rs.AddStaticTemplate(resources.StaticTemplate{
			URITemplate: analysisTemplate,
			Prefix:      resources.URI(alias, KindScripts, ""),
			Name:        "PowerShell script analysis",
			Description: "The full result of a recent scripts_analyze call in this tenant: every decoded layer, indicator, technique, the walk-through and the hunting queries. Kept in memory for recent analyses only.",
			MIMEType:    "application/json",
			Read: func(_ context.Context, rest string) (string, error) {
				return readDoc(store, alias, rest)
			},
		})
	}
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

func readDoc(store *Store, alias, rest string) (string, error) {
	id, err := url.PathUnescape(rest)
	if err != nil {
		return "", fmt.Errorf("script analysis %q: bad escaping: %v", rest, err)
	}
	doc, ok := store.Get(alias, id)
	if !ok {
		return "", fmt.Errorf("script analysis %q was not found in tenant %q; analyses are kept in memory for recent scripts_analyze calls only, so analyse the script again", id, alias)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, doc, "", "  "); err != nil {
		return "", fmt.Errorf("script analysis %q: encode: %w", id, err)
	}
	return b.String(), nil
}
