package guard

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// TestCorpusRewritesParse applies every cap to the whole shared corpus and
// checks that each rewritten query still parses.
func TestCorpusRewritesParse(t *testing.T) {
	root := filepath.Dir(sharedcorpus.Path(t, "kql-corpus"))
	files, _ := filepath.Glob(filepath.Join(root, "kql-corpus", "*.jsonl"))
	s, err := schema.Load(filepath.Join(root, "kql-schemas", "tables.json"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{MaxRows: 1000, MaxWindow: 30 * day, Schema: s}
	allowed, refused := 0, 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var q struct{ ID, Query string }
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatal(err)
			}
			r := Check(q.Query, opts)
			if !r.Allowed() {
				refused++
				continue
			}
			allowed++
			if _, d := syntax.Parse(r.Query); syntax.HasErrors(d) {
				t.Errorf("%s: rewritten query does not parse: %v\n%s", q.ID, d[0], r.Query)
			}
		}
		fh.Close()
	}
	t.Logf("guard over corpus: %d allowed (rewritten), %d refused", allowed, refused)
}
