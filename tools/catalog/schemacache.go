package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"path"

	"github.com/secmcp/secmcp/tools"
)

// snapshots are the checked-in tool schemas. TestSchemaSnapshots keeps them
// identical to what the Go types generate, so the server can serve them
// without reflecting every params and result type at start-up.
//
//go:embed testdata/schemas/*.json
var snapshots embed.FS

func init() { tools.UseSchemaCache(loadSnapshots()) }

// loadSnapshots reads the snapshots as compact schemas by tool name. A
// snapshot that cannot be read is skipped: the tool's schemas are then
// generated from its types.
func loadSnapshots() map[string][2]json.RawMessage {
	out := map[string][2]json.RawMessage{}
	entries, err := snapshots.ReadDir("testdata/schemas")
	if err != nil {
		return out
	}
	for _, e := range entries {
		b, err := snapshots.ReadFile(path.Join("testdata/schemas", e.Name()))
		if err != nil {
			continue
		}
		var snap struct {
			Name         string          `json:"name"`
			InputSchema  json.RawMessage `json:"inputSchema"`
			OutputSchema json.RawMessage `json:"outputSchema"`
		}
		if json.Unmarshal(b, &snap) != nil || snap.Name == "" {
			continue
		}
		var in, o bytes.Buffer
		if json.Compact(&in, snap.InputSchema) != nil || json.Compact(&o, snap.OutputSchema) != nil {
			continue
		}
		out[snap.Name] = [2]json.RawMessage{in.Bytes(), o.Bytes()}
	}
	return out
}
