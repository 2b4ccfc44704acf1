package tools

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"sync"
)

// SchemaClash is a tool whose output schema ListOutputSchemas left out of a
// listing: its own root $id is carried by another listed schema (Tool With)
// whose content differs.
type SchemaClash struct {
	Tool, ID, With string
}

// ListOutputSchemas returns the output schemas a listing of tools carries,
// index-aligned with names (tools in list order, schemas[i] the declared
// schema of names[i], empty for none): the ListedOutputSchema of each, or
// nil for an invalid schema or one left out because of an $id clash, and
// the clashes. A listing never carries two different schemas under one
// $id, since Ajv (the TypeScript SDK's validator) would validate the later
// tool's results against the first schema compiled under it. Content-derived
// $ids are unique to their content, so they are taken first; then a schema
// with its own $id is left out when a content-derived or earlier own $id
// already names different content. A schema left out of the listing stays
// readable as the resource secmcp://schemas/tools/{name}.
func ListOutputSchemas(names []string, schemas []json.RawMessage) ([]json.RawMessage, []SchemaClash) {
	out := make([]json.RawMessage, len(schemas))
	ls := make([]listedSchema, len(schemas))
	owner := make(map[string]int, len(schemas)) // $id -> index of the schema listed under it
	for i, s := range schemas {
		l, err := listedOf(s)
		if err != nil || len(l.body) == 0 {
			continue
		}
		ls[i] = l
		if !l.own {
			out[i] = l.body
			if _, taken := owner[l.id]; !taken {
				owner[l.id] = i
			}
		}
	}
	var clashes []SchemaClash
	for i, l := range ls {
		if !l.own {
			continue
		}
		if j, taken := owner[l.id]; taken && !sameSchema(ls[j].body, l.body) {
			clashes = append(clashes, SchemaClash{Tool: names[i], ID: l.id, With: names[j]})
			continue
		}
		if _, taken := owner[l.id]; !taken {
			owner[l.id] = i
		}
		out[i] = l.body
	}
	return out, clashes
}

// sameSchema reports whether two schemas are the same JSON value.
func sameSchema(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

var (
	warnedMu sync.Mutex
	warned   = map[SchemaClash]bool{}
)

// WarnSchemaClashes logs, once per clash for the process's life, that a
// tool's output schema was left out of tools/list and why.
func WarnSchemaClashes(log *slog.Logger, clashes []SchemaClash) {
	if len(clashes) == 0 {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	for _, c := range clashes {
		warnedMu.Lock()
		seen := warned[c]
		if !seen && len(warned) < maxListed {
			warned[c] = true
		}
		warnedMu.Unlock()
		if !seen {
			log.Warn("output schema left out of tools/list: its $id names another tool's different schema; read it as secmcp://schemas/tools/{name}",
				slog.String("tool", c.Tool), slog.String("id", c.ID), slog.String("listed_for", c.With))
		}
	}
}
