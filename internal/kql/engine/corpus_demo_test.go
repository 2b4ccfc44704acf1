package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kql/engine"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// TestCorpusOnDemoTenant runs every corpus query against the contoso demo
// tenant's tables (KQL_CORPUS=1): the same counts as TestCorpusExecution, on
// realistic data; tables the demo tenant lacks count as excluded.
func TestCorpusOnDemoTenant(t *testing.T) {
	if os.Getenv("KQL_CORPUS") == "" {
		t.Skip("set KQL_CORPUS=1 to run the corpus over the demo tenant")
	}
	clock := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tenant, err := fixtures.Load("contoso", clock)
	if err != nil {
		t.Fatal(err)
	}
	cat := engine.MapCatalog{}
	rows := 0
	for name, src := range tenant.Tables {
		cols := make([]engine.Column, len(src.Columns))
		for i, c := range src.Columns {
			cols[i] = engine.Column(c)
		}
		tab, err := engine.FromRows(name, cols, src.Rows)
		if err != nil {
			t.Fatal(err)
		}
		cat[name] = tab
		rows += tab.NumRows()
	}
	files, _ := filepath.Glob(filepath.Join(sharedcorpus.Path(t, "kql-corpus"), "*.jsonl"))
	if len(files) == 0 {
		t.Fatal("corpus not found")
	}
	var ran, unsupported, failed, excluded, nonEmpty int
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
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			res, err := engine.Query(ctx, q.Query, cat, engine.Options{Clock: func() time.Time { return clock }})
			cancel()
			switch {
			case err == nil:
				ran++
				if res.TotalRows > 0 {
					nonEmpty++
				}
			case errors.Is(err, engine.ErrExternalData), errors.Is(err, engine.ErrUnknownTable):
				excluded++
			case errors.Is(err, engine.ErrNotSupported):
				unsupported++
			default:
				failed++
				if os.Getenv("KQL_CORPUS_VERBOSE") != "" && !strings.Contains(err.Error(), "unknown column") {
					t.Logf("%s: %v", q.ID, err)
				}
			}
		}
		fh.Close()
	}
	considered := ran + unsupported + failed
	fmt.Printf("demo tenant (contoso, %d tables, %d rows): excluded %d; of %d considered ran %d (%.1f%%, %d with rows), not supported %d, failed %d\n",
		len(cat), rows, excluded, considered, ran, 100*float64(ran)/float64(max(1, considered)), nonEmpty, unsupported, failed)
}
