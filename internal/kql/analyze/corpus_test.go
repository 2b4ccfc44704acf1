package analyze

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

type corpusQuery struct {
	ID    string `json:"id"`
	Query string `json:"query"`
	OK    bool   `json:"ok"`
}

// sharedDir is ../shared; the test skips when the corpus and its oracle verdicts are absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(filepath.Dir(sharedcorpus.Path(t, "kql-corpus/oracle")))
}

func readJSONL(t testing.TB, pattern string) []corpusQuery {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	sort.Strings(files)
	var out []corpusQuery
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var q corpusQuery
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatal(err)
			}
			out = append(out, q)
		}
		fh.Close()
	}
	return out
}

// minSemanticAgreement is the number of corpus queries on which the
// analyzer's verdict (clean or not) matches Microsoft's semantic oracle;
// raise it, never lower it.
const minSemanticAgreement = 1010

func TestSemanticAgreement(t *testing.T) {
	shared := sharedDir(t)
	s, err := schema.Load(filepath.Join(shared, "kql-schemas", "tables.json"))
	if err != nil {
		t.Fatal(err)
	}
	queries := readJSONL(t, filepath.Join(shared, "kql-corpus", "*.jsonl"))
	oracle := map[string]bool{}
	for _, o := range readJSONL(t, filepath.Join(shared, "kql-corpus", "oracle", "*.semantic-tables.jsonl")) {
		oracle[o.ID] = o.OK
	}
	agree := 0
	for _, q := range queries {
		_, res := Check(q.Query, Options{Schema: s})
		ok := !syntax.HasErrors(res.Diagnostics)
		if ok == oracle[q.ID] {
			agree++
			continue
		}
		if os.Getenv("KQL_CORPUS_VERBOSE") != "" {
			msg := "(clean)"
			if !ok {
				msg = res.Diagnostics[0].Message
			}
			t.Logf("%s oracle ok=%v: %s", q.ID, oracle[q.ID], msg)
		}
	}
	t.Logf("semantic agreement: %d/%d (%.2f%%)", agree, len(queries), 100*float64(agree)/float64(len(queries)))
	if agree < minSemanticAgreement {
		t.Fatalf("semantic agreement dropped to %d, want at least %d", agree, minSemanticAgreement)
	}
}
