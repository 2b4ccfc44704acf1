package nl2kql

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kqlcheck"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// devRow is one line of ../shared/nl2kql-dev/nl2kql_dev.jsonl.
type devRow struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	KQL      string   `json:"kql"`
	Tables   []string `json:"tables"`
	// Target is where the question is asked ("" for the shared dev set).
	Target string `json:"target,omitempty"`
}

func loadDev(t *testing.T) []devRow {
	t.Helper()
	return loadRows(t, sharedcorpus.Path(t, "nl2kql-dev/nl2kql_dev.jsonl"))
}

func loadRows(t *testing.T, path string) []devRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []devRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r devRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// evalFigures are the evaluation's results over a set of questions.
type evalFigures struct {
	n, syntaxOK, schemaOK, tableExact, tableMain          int
	tableJaccard, filterJaccard                           float64
	bothRan, sameColumns, sameRows, sameRowsAndCols, errs int
	// sameEmptiness counts both-ran pairs where both results are empty or
	// both are not; valueJaccard sums the Jaccard of the two results'
	// distinct string cell values (the entities they name).
	sameEmptiness int
	valueJaccard  float64
}

// TestEvalDevSet measures the generator on the dev set. Run with
//
//	NL2KQL_EVAL=1 go test ./internal/nl2kql/ -run TestEvalDevSet -v
//
// Metrics (per question, then averaged or counted):
//   - syntax validity: kqlcheck reports no syntax error;
//   - schema validity: no error of any kind (unknown table/column/function);
//   - table selection: the set of tables the generated query reads equals
//     the set the reference reads (exact), or contains the reference's
//     first table (main), and the mean Jaccard of the two sets;
//   - filter-column overlap: mean Jaccard of the columns of the read tables
//     named inside where clauses (FilterColumns), generated vs reference;
//   - execution equivalence on the contoso demo data, over the pairs where
//     both queries run without error: same output column-name set, same
//     row count, and both.
func TestEvalDevSet(t *testing.T) {
	if os.Getenv("NL2KQL_EVAL") != "1" {
		t.Skip("set NL2KQL_EVAL=1 to run the dev-set evaluation")
	}
	rows := loadDev(t)
	var seen, heldOut []devRow
	for _, r := range rows {
		if isHeldOut(r.ID) {
			heldOut = append(heldOut, r)
		} else {
			seen = append(seen, r)
		}
	}
	verbose := os.Getenv("NL2KQL_EVAL_VERBOSE") != ""
	fs := evaluate(t, seen, verbose)
	fh := evaluate(t, heldOut, false) // never printed question by question: it is not tuned on
	report(t, "dev set, tuning split (seen)", fs)
	report(t, "dev set, held-out split (sha256(id)[0] < 64, not tuned on)", fh)
	f := fs.add(fh)
	report(t, "dev set, all", f)
	// Fail below the validity rates achieved when this test was written.
	if f.syntaxOK < f.n || f.schemaOK < f.n {
		t.Errorf("validity fell: syntax %d/%d, schema %d/%d (want 100%%)", f.syntaxOK, f.n, f.schemaOK, f.n)
	}
}

// isHeldOut picks the held-out split of the dev set, fixed before any
// tuning: the rows whose id's SHA-256 starts with a byte below 64 (48 of
// the 200). Generator changes are tuned on the other rows only, and the
// held-out rows are never printed one by one (see TestEvalDevSet).
func isHeldOut(id string) bool {
	h := sha256.Sum256([]byte(id))
	return h[0] < 64
}

// add sums two sets of figures.
func (f evalFigures) add(g evalFigures) evalFigures {
	return evalFigures{n: f.n + g.n, syntaxOK: f.syntaxOK + g.syntaxOK, schemaOK: f.schemaOK + g.schemaOK,
		tableExact: f.tableExact + g.tableExact, tableMain: f.tableMain + g.tableMain,
		tableJaccard: f.tableJaccard + g.tableJaccard, filterJaccard: f.filterJaccard + g.filterJaccard,
		bothRan: f.bothRan + g.bothRan, sameColumns: f.sameColumns + g.sameColumns, sameRows: f.sameRows + g.sameRows,
		sameRowsAndCols: f.sameRowsAndCols + g.sameRowsAndCols, errs: f.errs + g.errs,
		sameEmptiness: f.sameEmptiness + g.sameEmptiness, valueJaccard: f.valueJaccard + g.valueJaccard}
}

// TestEvalOwnPairs measures the generator on the project's own development
// pairs (testdata/dev_own.jsonl: Defender and Sentinel questions of the
// shapes the shared dev set lacks — tenant-wide outliers and rankings,
// alerts by title, on-premises identity logons, two kinds of evidence —
// each with its target and a reference query written for the demo data).
// Run with
//
//	NL2KQL_EVAL=1 go test ./internal/nl2kql/ -run TestEvalOwnPairs -v
func TestEvalOwnPairs(t *testing.T) {
	if os.Getenv("NL2KQL_EVAL") != "1" {
		t.Skip("set NL2KQL_EVAL=1 to run the evaluation on the project's own pairs")
	}
	rows := loadRows(t, "testdata/dev_own.jsonl")
	f := evaluate(t, rows, os.Getenv("NL2KQL_EVAL_VERBOSE") != "")
	report(t, "own pairs (testdata/dev_own.jsonl)", f)
	if f.syntaxOK < f.n || f.schemaOK < f.n {
		t.Errorf("validity fell: syntax %d/%d, schema %d/%d (want 100%%)", f.syntaxOK, f.n, f.schemaOK, f.n)
	}
}

// TestEvalFrozenSet measures the generator on a second held-out set
// (testdata/frozen_new.jsonl): 42 questions written and committed before
// the generator changes they measure, in the project's own wording, with
// reference queries for the demo data. Like the dev set's held-out split it
// is not tuned on: only its totals are printed. Run with
//
//	NL2KQL_EVAL=1 go test ./internal/nl2kql/ -run TestEvalFrozenSet -v
func TestEvalFrozenSet(t *testing.T) {
	if os.Getenv("NL2KQL_EVAL") != "1" {
		t.Skip("set NL2KQL_EVAL=1 to run the evaluation on the frozen held-out set")
	}
	f := evaluate(t, loadRows(t, "testdata/frozen_new.jsonl"), false)
	report(t, "frozen held-out set (testdata/frozen_new.jsonl, not tuned on)", f)
	if f.syntaxOK < f.n || f.schemaOK < f.n {
		t.Errorf("validity fell: syntax %d/%d, schema %d/%d (want 100%%)", f.syntaxOK, f.n, f.schemaOK, f.n)
	}
}

// TestOwnPairsReferencesRun keeps the own pairs and the frozen set honest:
// every reference query is valid in its target and runs on the demo data.
func TestOwnPairsReferencesRun(t *testing.T) {
	demo := demoTenant(t)
	runner := &fixtures.EngineRunner{}
	rows := append(loadRows(t, "testdata/dev_own.jsonl"), loadRows(t, "testdata/frozen_new.jsonl")...)
	for _, r := range rows {
		rep, err := kqlcheck.Default().ValidateTarget(r.KQL, r.Target)
		if err != nil || !rep.Valid || rep.Errors > 0 {
			t.Errorf("%s: reference not valid in %s: %v %+v", r.ID, r.Target, err, rep.Diagnostics)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = runner.Run(ctx, demo, demo.WorkspaceID, r.KQL)
		cancel()
		if err != nil {
			t.Errorf("%s: reference does not run on the demo data: %v", r.ID, err)
		}
	}
}

func report(t *testing.T, name string, f evalFigures) {
	t.Helper()
	pct := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return 100 * float64(a) / float64(b)
	}
	t.Logf("%s: %d questions", name, f.n)
	t.Logf("syntax validity      %5.1f%% (%d/%d)", pct(f.syntaxOK, f.n), f.syntaxOK, f.n)
	t.Logf("schema validity      %5.1f%% (%d/%d)", pct(f.schemaOK, f.n), f.schemaOK, f.n)
	t.Logf("tables exact match   %5.1f%% (%d/%d)", pct(f.tableExact, f.n), f.tableExact, f.n)
	t.Logf("main table read      %5.1f%% (%d/%d)", pct(f.tableMain, f.n), f.tableMain, f.n)
	t.Logf("tables Jaccard mean  %5.3f", f.tableJaccard/float64(max(f.n, 1)))
	t.Logf("filter-col Jaccard   %5.3f", f.filterJaccard/float64(max(f.n, 1)))
	t.Logf("both ran on demo     %d/%d (generation errors %d)", f.bothRan, f.n, f.errs)
	t.Logf("same column set      %5.1f%% (%d/%d of both-ran)", pct(f.sameColumns, f.bothRan), f.sameColumns, f.bothRan)
	t.Logf("same row count       %5.1f%% (%d/%d of both-ran)", pct(f.sameRows, f.bothRan), f.sameRows, f.bothRan)
	t.Logf("same rows and cols   %5.1f%% (%d/%d of both-ran)", pct(f.sameRowsAndCols, f.bothRan), f.sameRowsAndCols, f.bothRan)
	t.Logf("same emptiness       %5.1f%% (%d/%d of both-ran)", pct(f.sameEmptiness, f.bothRan), f.sameEmptiness, f.bothRan)
	t.Logf("value Jaccard mean   %5.3f (of both-ran)", f.valueJaccard/float64(max(f.bothRan, 1)))
}

func evaluate(t *testing.T, rows []devRow, verbose bool) evalFigures {
	t.Helper()
	svc := New(Options{})
	chk := kqlcheck.Default()
	demo := demoTenant(t)
	runner := &fixtures.EngineRunner{}
	var f evalFigures
	for _, r := range rows {
		f.n++
		res, err := svc.Generate(context.Background(), Request{Question: r.Question, Target: r.Target})
		if err != nil {
			f.errs++
			t.Logf("%s: %v", r.ID, err)
			continue
		}
		// Schema validity is judged in the product the query was written
		// for (its target, or its main table's native product): a table or
		// column only the other product has is an error.
		rep, err := chk.ValidateTarget(res.Query, res.Product)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Valid {
			f.syntaxOK++
		}
		if rep.Valid && rep.Errors == 0 {
			f.schemaOK++
		}
		_, ref := analyze.Check(r.KQL, analyze.Options{Schema: chk.Schema()})
		refTables := ref.Tables
		if len(refTables) == 0 {
			refTables = r.Tables
		}
		// A deprecated table and its replacement count as the same table
		// (catalog.Current): the reference queries predate
		// EntraIdSignInEvents, which the generator now prefers to
		// AADSignInEventsBeta.
		gt, rt := set(currentTables(rep.Tables)), set(currentTables(refTables))
		j := Jaccard(gt, rt)
		f.tableJaccard += j
		if j == 1 {
			f.tableExact++
		}
		if len(r.Tables) > 0 && gt[catalog.Current(r.Tables[0])] || len(r.Tables) == 0 && j == 1 {
			f.tableMain++
		}
		f.filterJaccard += Jaccard(FilterColumns(chk.Schema(), res.Query, rep.Tables), FilterColumns(chk.Schema(), r.KQL, refTables))
		same := execCompare(runner, demo, res.Query, r.KQL, &f)
		if verbose {
			t.Logf("%s tables gen=%v ref=%v exec=%s\n  Q: %s\n%s", r.ID, keys(gt), keys(rt), same, r.Question, res.Query)
		}
	}
	return f
}

// currentTables maps each table to the one Microsoft wants read today.
func currentTables(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = catalog.Current(n)
	}
	return out
}

// execCompare runs both queries on the demo data and counts the outcome.
func execCompare(runner *fixtures.EngineRunner, demo *fixtures.Tenant, gen, ref string, f *evalFigures) string {
	run := func(q string) (*fixtures.Table, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return runner.Run(ctx, demo, demo.WorkspaceID, q)
	}
	g, err := run(gen)
	if err != nil {
		return "gen-error: " + err.Error()
	}
	r, err := run(ref)
	if err != nil {
		return "ref-error"
	}
	f.bothRan++
	gc, rc := map[string]bool{}, map[string]bool{}
	for _, c := range g.Columns {
		gc[c.Name] = true
	}
	for _, c := range r.Columns {
		rc[c.Name] = true
	}
	if (len(g.Rows) == 0) == (len(r.Rows) == 0) {
		f.sameEmptiness++
	}
	f.valueJaccard += Jaccard(stringValues(g), stringValues(r))
	cols := Jaccard(gc, rc) == 1
	rowsEq := len(g.Rows) == len(r.Rows)
	if cols {
		f.sameColumns++
	}
	if rowsEq {
		f.sameRows++
	}
	if cols && rowsEq {
		f.sameRowsAndCols++
	}
	return strings.TrimSpace(map[bool]string{true: "cols", false: ""}[cols] + " " + map[bool]string{true: "rows", false: ""}[rowsEq])
}

func set(ss []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range ss {
		out[s] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// stringValues is the set of distinct non-empty string cells of a result.
func stringValues(t *fixtures.Table) map[string]bool {
	out := map[string]bool{}
	for _, row := range t.Rows {
		for _, v := range row {
			if s, ok := v.(string); ok && s != "" {
				out[s] = true
			}
		}
	}
	return out
}
