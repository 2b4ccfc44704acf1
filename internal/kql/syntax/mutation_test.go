package syntax

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Mutation testing: corpus queries are broken in typical ways (dropped
// pipe, unbalanced parenthesis, misspelled operator, truncation, doubled
// operator, dropped comma) and Parse's verdict is compared with that of
// Microsoft's parser, saved in testdata/mutations.oracle.jsonl.
//
// Regenerate (needs Node and @kusto/language-service-next@12.4.1):
//
//	KQL_MUTATIONS_OUT=/tmp/mutations.jsonl go test ./internal/kql/syntax -run TestGenerateMutations
//	node ../shared/tools/kql-oracle.js --lib /tmp/kqloracle/node_modules/@kusto/language-service-next \
//	  < /tmp/mutations.jsonl > /tmp/mutations.verdicts.jsonl
//	python3 (or jq) join of the two files into testdata/mutations.oracle.jsonl
//	(see internal/kql/syntax/testdata/README.md)

type mutation struct {
	ID    string `json:"id"`
	Query string `json:"query"`
	OK    *bool  `json:"ok,omitempty"`
}

// mutate returns the k-th mutation kind applied to q, or "" if it does
// not apply.
func mutate(q string, k int) (string, string) {
	switch k % 7 {
	case 0:
		if i := strings.LastIndex(q, "\n|"); i >= 0 {
			return "drop-pipe", q[:i+1] + q[i+2:]
		}
	case 1:
		if i := strings.LastIndex(q, ")"); i >= 0 {
			return "drop-close-paren", q[:i] + q[i+1:]
		}
	case 2:
		for _, w := range []string{"| where ", "| summarize ", "| project ", "| extend ", "| join "} {
			if i := strings.Index(q, w); i >= 0 {
				bad := w[:len(w)-2] + w[len(w)-1:]
				return "misspell-operator", q[:i] + bad + q[i+len(w):]
			}
		}
	case 3:
		return "truncate", q[:len(q)*2/3]
	case 4:
		if i := strings.Index(q, "=="); i >= 0 {
			return "double-operator", q[:i] + "== ==" + q[i+2:]
		}
	case 5:
		if i := strings.Index(q, ", "); i >= 0 {
			return "drop-comma", q[:i] + q[i+1:]
		}
	case 6:
		if i := strings.Index(q, "("); i >= 0 {
			return "extra-open-paren", q[:i] + "(" + q[i:]
		}
	}
	return "", ""
}

func TestGenerateMutations(t *testing.T) {
	out := os.Getenv("KQL_MUTATIONS_OUT")
	if out == "" {
		t.Skip("set KQL_MUTATIONS_OUT to write generated mutations")
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	n := 0
	for i, q := range loadCorpus(t) {
		if len(q.Query) > 1200 {
			continue
		}
		for k := i; k < i+2; k++ {
			kind, m := mutate(q.Query, k)
			if kind == "" {
				continue
			}
			b, _ := json.Marshal(mutation{ID: fmt.Sprintf("%s~%s", q.ID, kind), Query: m})
			w.Write(append(b, '\n'))
			n++
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d mutations to %s", n, out)
}

// minMutationAgreement is the number of mutations on which Parse agrees
// with Microsoft's parser; raise it, never lower it.
const minMutationAgreement = 1481

func TestMutationAgreement(t *testing.T) {
	fh, err := os.Open(filepath.Join("testdata", "mutations.oracle.jsonl"))
	if err != nil {
		t.Skip("no mutation oracle file")
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	total, agree := 0, 0
	for sc.Scan() {
		var m mutation
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m.OK == nil {
			t.Fatalf("bad line: %v", err)
		}
		total++
		_, d := Parse(m.Query)
		if !HasErrors(d) == *m.OK {
			agree++
		} else if os.Getenv("KQL_CORPUS_VERBOSE") != "" {
			t.Logf("%s: oracle ok=%v, ours=%v %v", m.ID, *m.OK, !HasErrors(d), d)
		}
	}
	t.Logf("mutation agreement: %d/%d (%.2f%%)", agree, total, 100*float64(agree)/float64(max(total, 1)))
	if agree < minMutationAgreement {
		t.Fatalf("mutation agreement dropped to %d, want at least %d", agree, minMutationAgreement)
	}
}
