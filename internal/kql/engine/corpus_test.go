package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// sharedDir is ../shared; the test skips when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(sharedcorpus.Path(t, "kql-corpus"))
}

var corpusClock = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// schemaCatalog builds a catalog from kql-schemas/tables.json with rows
// synthetic rows per table (deterministic values of each column's type).
func schemaCatalog(t testing.TB, rows int) MapCatalog {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "kql-schemas", "tables.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string][]Column
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	cat := MapCatalog{}
	for name, cols := range schema {
		data := make([][]any, rows)
		for i := range data {
			row := make([]any, len(cols))
			for j, c := range cols {
				row[j] = synthCell(c, i)
			}
			data[i] = row
		}
		tab, err := FromRows(name, cols, data)
		if err != nil {
			t.Fatal(err)
		}
		cat[name] = tab
	}
	return cat
}

func synthCell(c Column, i int) any {
	switch strings.ToLower(c.Type) {
	case "string":
		return fmt.Sprintf("%s-%d value.exe 10.0.0.%d", c.Name, i%5, i%7)
	case "long", "int":
		return int64(i % 9)
	case "real", "double", "decimal":
		return float64(i%9) / 2
	case "bool", "boolean":
		return i%2 == 0
	case "datetime":
		return corpusClock.Add(-time.Duration(i) * 37 * time.Minute)
	case "timespan":
		return time.Duration(i) * time.Second
	case "guid":
		return fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
	case "dynamic":
		return map[string]any{"id": int64(i), "name": fmt.Sprintf("n%d", i%3), "list": []any{"a", "b"}}
	}
	return nil
}

type corpusQuery struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}

// TestCorpusExecution runs every corpus query (KQL_CORPUS=1) and prints how
// many ran, were refused as not supported, or were excluded.
func TestCorpusExecution(t *testing.T) {
	if os.Getenv("KQL_CORPUS") == "" {
		t.Skip("set KQL_CORPUS=1 to run the corpus execution coverage")
	}
	rows := 40
	if v := os.Getenv("KQL_CORPUS_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	cat := schemaCatalog(t, rows)
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), "kql-corpus", "*.jsonl"))
	var ran, unsupported, failed, excludedExt, excludedTable, syntaxErr int
	reasons := map[string]int{}
	failures := map[string]int{}
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
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, err := Query(ctx, q.Query, cat, Options{Clock: func() time.Time { return corpusClock }})
			cancel()
			switch {
			case err == nil:
				ran++
			case errors.Is(err, ErrExternalData):
				excludedExt++
			case errors.Is(err, ErrUnknownTable):
				excludedTable++
			case errors.Is(err, ErrNotSupported):
				unsupported++
				reasons[normReason(err)]++
			case strings.Contains(err.Error(), "syntax error"):
				syntaxErr++
				failures["syntax: "+firstN(err.Error(), 90)]++
			default:
				failed++
				failures[normReason(err)]++
				if os.Getenv("KQL_CORPUS_VERBOSE") != "" {
					t.Logf("%s: %v", q.ID, err)
				}
			}
		}
		fh.Close()
	}
	excluded := excludedExt + excludedTable
	total := ran + unsupported + failed + syntaxErr + excluded
	considered := total - excluded
	fmt.Printf("corpus execution: %d queries; excluded %d (externaldata %d, tables outside the catalog %d)\n", total, excluded, excludedExt, excludedTable)
	fmt.Printf("of %d considered: ran %d (%.1f%%), not supported %d, failed %d, syntax errors %d\n",
		considered, ran, 100*float64(ran)/float64(max(1, considered)), unsupported, failed, syntaxErr)
	printTop("not supported", reasons)
	printTop("failed", failures)
}

var digitsRE = regexp.MustCompile(`\d+`)

func normReason(err error) string {
	s := err.Error()
	if i := strings.Index(s, "not supported:"); i >= 0 {
		s = s[i:]
	}
	return firstN(digitsRE.ReplaceAllString(s, "N"), 110)
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func printTop(title string, m map[string]int) {
	type kv struct {
		k string
		n int
	}
	var xs []kv
	for k, n := range m {
		xs = append(xs, kv{k, n})
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].n > xs[j].n || xs[i].n == xs[j].n && xs[i].k < xs[j].k })
	fmt.Printf("top %s reasons:\n", title)
	for i, x := range xs {
		if i == 25 {
			break
		}
		fmt.Printf("  %4d  %s\n", x.n, x.k)
	}
}
