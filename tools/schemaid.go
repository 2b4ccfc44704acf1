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
// output schemas are on (and as secmcp://schemas/tools/{name} serves it):
// the tool's schema with a root "$id" derived from its content,
// secmcp://schemas/output/sha256-HEX, HEX the SHA-256 of the schema's bytes
// as declared. The TypeScript SDK looks a schema with an $id up in its Ajv
// instance before compiling it (ajv.getSchema($id) ?? ajv.compile(schema)),
// so a client listing tools again, or several tools sharing one schema, reuse
// one compiled validator (issue 16). Because Ajv answers a known $id with
// whatever it compiled first, the $id changes with every change of content
// and is never shared by two contents; a root "$id" the schema already had
// (another MCP server's tool) is replaced, the hash covering it, so no
// schema can claim another's identifier. Results are memoised; an empty
// schema stays empty.
func ListedOutputSchema(schema json.RawMessage) (json.RawMessage, error) {
	if len(schema) == 0 {
		return schema, nil
	}
	listedMu.Lock()
	out, ok := listed[string(schema)]
	listedMu.Unlock()
	if ok {
		return out, nil
	}
	out, err := withSchemaID(schema)
	if err != nil {
		return nil, err
	}
	listedMu.Lock()
	if len(listed) >= maxListed { // plugins replaced many times: start again
		clear(listed)
	}
	listed[string(schema)] = out
	listedMu.Unlock()
	return out, nil
}

// SchemaID is the "$id" ListedOutputSchema gives schema.
func SchemaID(schema json.RawMessage) string {
	sum := sha256.Sum256(schema)
	return SchemaIDPrefix + "sha256-" + hex.EncodeToString(sum[:])
}

const maxListed = 4096

var (
	listedMu sync.Mutex
	listed   = map[string]json.RawMessage{}
)

// withSchemaID puts the content-derived $id first in the schema's root
// object, keeping the schema's own bytes and key order when it had no $id.
func withSchemaID(schema json.RawMessage) (json.RawMessage, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(schema, &root); err != nil {
		return nil, fmt.Errorf("output schema: %w", err)
	}
	if root == nil {
		return nil, fmt.Errorf("output schema: must be a JSON object, not null")
	}
	idJSON, _ := json.Marshal(SchemaID(schema))
	if _, had := root["$id"]; had {
		root["$id"] = idJSON
		b, err := json.Marshal(root)
		if err != nil {
			return nil, fmt.Errorf("output schema: %w", err)
		}
		return b, nil
	}
	body := bytes.TrimSpace(schema)[1:] // after the root object's '{'
	out := make([]byte, 0, len(schema)+len(idJSON)+8)
	out = append(out, `{"$id":`...)
	out = append(out, idJSON...)
	if len(root) > 0 {
		out = append(out, ',')
	}
	return append(out, body...), nil
}
