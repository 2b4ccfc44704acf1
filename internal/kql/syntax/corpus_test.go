package syntax

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// corpusQuery is one line of ../shared/kql-corpus/*.jsonl.
type corpusQuery struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}

// sharedDir is ../shared; the test skips when the KQL corpus is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(sharedcorpus.Path(t, "kql-corpus"))
}

func loadCorpus(t testing.TB) []corpusQuery {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), "kql-corpus", "*.jsonl"))
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
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, q)
		}
		fh.Close()
	}
	return out
}

// minCorpusAccepted is the number of corpus queries (all accepted by
// Microsoft's parser) that Parse must accept; raise it, never lower it.
const minCorpusAccepted = 1016

func TestCorpusAgreement(t *testing.T) {
	qs := loadCorpus(t)
	accepted := 0
	for _, q := range qs {
		_, diags := Parse(q.Query)
		if !HasErrors(diags) {
			accepted++
			continue
		}
		if os.Getenv("KQL_CORPUS_VERBOSE") != "" {
			d := diags[0]
			lo, hi := max(0, d.Start-60), min(len(q.Query), d.Start+d.Length+40)
			t.Logf("%s: %s\n    …%s…", q.ID, d.Message, q.Query[lo:hi])
		}
	}
	t.Logf("corpus agreement: %d/%d accepted (%.2f%%)", accepted, len(qs), 100*float64(accepted)/float64(len(qs)))
	if accepted < minCorpusAccepted {
		t.Fatalf("corpus agreement dropped: %d accepted, want at least %d", accepted, minCorpusAccepted)
	}
}

// BenchmarkParseCorpus parses all corpus queries once per iteration.
func BenchmarkParseCorpus(b *testing.B) {
	qs := loadCorpus(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range qs {
			Parse(q.Query)
		}
	}
}
