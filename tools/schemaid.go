package tools

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
)

// SchemaIDPrefix begins every "$id" ListedOutputSchema gives a schema; the
// rest is "sha256-" and the SHA-256 of the schema as the tool declared it.
const SchemaIDPrefix = "secmcp://schemas/output/"

// ListedOutputSchema returns an output schema as tools/list carries it when
// output schemas are on (and as secmcp://schemas/tools/{name} serves it).
// A schema without a root "$id" gets one derived from its content,
// secmcp://schemas/output/sha256-HEX, HEX the SHA-256 of the schema's bytes
// as declared. The TypeScript SDK looks a schema with an $id up in its Ajv
// instance before compiling it (ajv.getSchema($id) ?? ajv.compile(schema)),
// so a client listing tools again, or several tools sharing one schema, reuse
// one compiled validator (issue 16). A schema that brought its own root
// "$id" (another MCP server's tool) keeps it, untouched: its "$ref"s may
// resolve against that absolute URI (JSON Schema 2020-12 §8.2.1), and Ajv
// fails to compile it under another base. Because Ajv answers a known $id
// with whatever it compiled first, ListOutputSchemas leaves out of a listing
// a schema whose own $id another listed schema already carries with other
// content. Results are memoised; an empty schema stays empty.
func ListedOutputSchema(schema json.RawMessage) (json.RawMessage, error) {
	l, err := listedOf(schema)
	return l.body, err
}

// ListedSchemaID is the root "$id" schema carries as listed: its own, or
// the content-derived one SchemaID gives it.
func ListedSchemaID(schema json.RawMessage) (string, error) {
	l, err := listedOf(schema)
	return l.id, err
}

// SchemaID is the content-derived "$id" ListedOutputSchema gives a schema
// that has none of its own.
func SchemaID(schema json.RawMessage) string {
	sum := sha256.Sum256(schema)
	return SchemaIDPrefix + "sha256-" + hex.EncodeToString(sum[:])
}

// listedSchema is one schema as listed.
type listedSchema struct {
	body json.RawMessage // as tools/list carries it
	id   string          // its root $id
	own  bool            // the schema declared id itself
}

const maxListed = 4096

var (
	listedMu sync.Mutex
	listed   = map[string]listedSchema{}
)

func listedOf(schema json.RawMessage) (listedSchema, error) {
	if len(schema) == 0 {
		return listedSchema{body: schema}, nil
	}
	listedMu.Lock()
	out, ok := listed[string(schema)]
	listedMu.Unlock()
	if ok {
		return out, nil
	}
	out, err := withSchemaID(schema)
	if err != nil {
		return listedSchema{}, err
	}
	listedMu.Lock()
	if len(listed) >= maxListed { // plugins replaced many times: start again
		clear(listed)
	}
	listed[string(schema)] = out
	listedMu.Unlock()
	return out, nil
}

// withSchemaID keeps a schema that has its own non-empty string root $id
// as it is; otherwise it puts the content-derived $id first in the root
// object, keeping the schema's own bytes and key order when it had no $id
// (an $id that is not a non-empty string is replaced).
func withSchemaID(schema json.RawMessage) (listedSchema, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(schema, &root); err != nil {
		return listedSchema{}, fmt.Errorf("output schema: %w", err)
	}
	if root == nil {
		return listedSchema{}, fmt.Errorf("output schema: must be a JSON object, not null")
	}
	raw, had := root["$id"]
	if had {
		var own string
		if json.Unmarshal(raw, &own) == nil && own != "" {
			return listedSchema{body: schema, id: own, own: true}, nil
		}
	}
	id := SchemaID(schema)
	idJSON, _ := json.Marshal(id)
	if had {
		root["$id"] = idJSON
		b, err := json.Marshal(root)
		if err != nil {
			return listedSchema{}, fmt.Errorf("output schema: %w", err)
		}
		return listedSchema{body: b, id: id}, nil
	}
	body := bytes.TrimSpace(schema)[1:] // after the root object's '{'
	out := make([]byte, 0, len(schema)+len(idJSON)+8)
	out = append(out, `{"$id":`...)
	out = append(out, idJSON...)
	if len(root) > 0 {
		out = append(out, ',')
	}
	return listedSchema{body: append(out, body...), id: id}, nil
}
