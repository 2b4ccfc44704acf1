package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"path"
	"strings"

	"github.com/secmcp/secmcp/tools"
)

// compactSchemas are the checked-in tool schemas, one file per tool holding
// its input schema and its output schema as two lines of compact JSON: the
// server serves them as they are, without reflecting every params and
// result type or parsing JSON at start-up (issue 16). TestSchemaSnapshots
// keeps them identical to the reviewed snapshots in testdata/schemas and to
// what the Go types generate; UPDATE_SNAPSHOTS=1 go test ./tools/catalog/
// rewrites both.
//
//go:embed testdata/compact/*.jsonl
var compactSchemas embed.FS

func init() { tools.UseSchemaCache(loadSnapshots()) }

// loadSnapshots reads the compact schemas by tool name. A file that cannot
// be read or split is skipped: the tool's schemas are then generated from
// its types.
func loadSnapshots() map[string][2]json.RawMessage {
	out := map[string][2]json.RawMessage{}
	entries, err := compactSchemas.ReadDir("testdata/compact")
	if err != nil {
		return out
	}
	for _, e := range entries {
		b, err := compactSchemas.ReadFile(path.Join("testdata/compact", e.Name()))
		if err != nil {
			continue
		}
		in, o, ok := splitCompact(b)
		if !ok {
			continue
		}
		out[strings.TrimSuffix(e.Name(), ".jsonl")] = [2]json.RawMessage{in, o}
	}
	return out
}

// splitCompact splits a compact file into its two schema lines.
func splitCompact(b []byte) (in, out []byte, ok bool) {
	in, rest, ok := bytes.Cut(b, []byte{'\n'})
	out, _, ok2 := bytes.Cut(rest, []byte{'\n'})
	return in, out, ok && ok2 && len(in) > 0 && len(out) > 0
}
