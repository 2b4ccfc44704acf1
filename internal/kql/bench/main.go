// Command bench measures the KQL engine against DuckDB on the same data.
//
//	go run ./internal/kql/bench -dir /tmp/kqlbench gen     # data + CSVs + our timings
//	node internal/kql/bench/duck.mjs /tmp/kqlbench         # DuckDB timings (threads=1)
//	go run ./internal/kql/bench -dir /tmp/kqlbench compare # ratios
//
// run.sh does all three. Data is generated from a fixed seed, written once
// as CSV for DuckDB and loaded from the same rows into the engine, so both
// sides query identical values. Times are the median of several runs after
// a warm-up; loading is not timed.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"time"

	"github.com/secmcp/secmcp/internal/kql/engine"
)

func main() {
	dir := flag.String("dir", "/tmp/kqlbench", "working directory for CSVs and timings")
	rows := flag.Int("rows", 1_000_000, "rows per large table")
	runs := flag.Int("runs", 5, "timed runs per query (median is reported)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the timed queries to this file")
	flag.StringVar(&only, "only", "", "run only the named query")
	flag.Parse()
	var err error
	switch flag.Arg(0) {
	case "gen":
		err = gen(*dir, *rows, *runs)
	case "compare":
		err = compare(*dir)
	default:
		err = fmt.Errorf("usage: bench [-dir D] [-rows N] gen|compare")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Query is one benchmark query in both languages.
type Query struct {
	Name string `json:"name"`
	KQL  string `json:"kql"`
	SQL  string `json:"sql"`
}

// Queries are the six shapes the brief asks for.
var Queries = []Query{
	{"filter", `DeviceProcessEvents | where FileName == "powershell.exe" and Timestamp > ago(1d) | count`,
		`SELECT count(*) FROM DeviceProcessEvents WHERE FileName = 'powershell.exe' AND Timestamp > TIMESTAMP '2024-05-31 00:00:00'`},
	{"has-search", `DeviceProcessEvents | where ProcessCommandLine has "bypass" | count`,
		`SELECT count(*) FROM DeviceProcessEvents WHERE ProcessCommandLine ILIKE '%bypass%'`},
	{"summarize-by-key", `SigninLogs | summarize c = count() by UserPrincipalName`,
		`SELECT UserPrincipalName, count(*) AS c FROM SigninLogs GROUP BY UserPrincipalName`},
	{"dcount", `SigninLogs | summarize dcount(IPAddress) by AppDisplayName`,
		`SELECT AppDisplayName, count(DISTINCT IPAddress) FROM SigninLogs GROUP BY AppDisplayName`},
	{"top-n", `DeviceProcessEvents | top 10 by Timestamp desc`,
		`SELECT * FROM DeviceProcessEvents ORDER BY Timestamp DESC LIMIT 10`},
	{"join-small", `DeviceProcessEvents | where ActionType == "ProcessCreated" | join kind=inner DeviceInfo on DeviceId | summarize count() by OSPlatform`,
		`SELECT OSPlatform, count(*) FROM DeviceProcessEvents JOIN DeviceInfo USING (DeviceId) WHERE ActionType = 'ProcessCreated' GROUP BY OSPlatform`},
}

// Timing is one side's measurement of one query.
type Timing struct {
	Name   string  `json:"name"`
	Millis float64 `json:"ms"`
	Rows   int     `json:"rows"`
	First  string  `json:"first"`
}

// Report is one side's results file.
type Report struct {
	Engine      string   `json:"engine"`
	BytesPerRow float64  `json:"bytes_per_row"`
	Timings     []Timing `json:"timings"`
}

var cpuProfile, only string

var clock = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func gen(dir string, n, runs int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "queries.json"), Queries); err != nil {
		return err
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cat := engine.MapCatalog{}
	total := 0
	for _, spec := range tables(n) {
		rows := spec.rows()
		if err := writeCSV(filepath.Join(dir, spec.name+".csv"), spec.cols, rows); err != nil {
			return err
		}
		t, err := engine.FromRows(spec.name, spec.cols, rows)
		if err != nil {
			return err
		}
		cat[spec.name] = t
		total += len(rows)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	rep := Report{Engine: "secmcp-kql", BytesPerRow: float64(after.HeapAlloc-before.HeapAlloc) / float64(total)}
	opts := engine.Options{Clock: func() time.Time { return clock }, MaxRows: 1_000_000}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, q := range Queries {
		if only != "" && q.Name != only {
			continue
		}
		var ms []float64
		var last *engine.Result
		for i := 0; i <= runs; i++ {
			start := time.Now()
			res, err := engine.Query(context.Background(), q.KQL, cat, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", q.Name, err)
			}
			if i > 0 {
				ms = append(ms, float64(time.Since(start).Microseconds())/1000)
			}
			last = res
		}
		rep.Timings = append(rep.Timings, Timing{Name: q.Name, Millis: median(ms), Rows: last.TotalRows, First: firstCell(last)})
	}
	runtime.KeepAlive(cat)
	return writeJSON(filepath.Join(dir, "ours.json"), rep)
}

func firstCell(r *engine.Result) string {
	rows := r.Rows()
	if len(rows) == 0 || len(rows[0]) == 0 {
		return ""
	}
	return fmt.Sprint(rows[0][len(rows[0])-1])
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)/2]
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func writeCSV(path string, cols []engine.Column, rows [][]any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	if err := w.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, row := range rows {
		for i, cell := range row {
			switch x := cell.(type) {
			case time.Time:
				rec[i] = x.Format("2006-01-02 15:04:05.000")
			case int64:
				rec[i] = strconv.FormatInt(x, 10)
			default:
				rec[i] = fmt.Sprint(x)
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

func compare(dir string) error {
	var ours, duck Report
	if err := readJSON(filepath.Join(dir, "ours.json"), &ours); err != nil {
		return err
	}
	if err := readJSON(filepath.Join(dir, "duck.json"), &duck); err != nil {
		return err
	}
	fmt.Printf("%-18s %10s %10s %7s  %s\n", "query", "ours ms", "duckdb ms", "ratio", "result check")
	var ratios []float64
	for i, o := range ours.Timings {
		d := duck.Timings[i]
		ratio := o.Millis / max(d.Millis, 0.001)
		ratios = append(ratios, ratio)
		check := "same row count"
		if o.Rows != d.Rows {
			check = fmt.Sprintf("ROW COUNT DIFFERS (%d vs %d)", o.Rows, d.Rows)
		} else if o.Rows == 1 && o.First != d.First {
			check = fmt.Sprintf("VALUE DIFFERS (%s vs %s)", o.First, d.First)
		}
		fmt.Printf("%-18s %10.1f %10.1f %7.2f  %s\n", o.Name, o.Millis, d.Millis, ratio, check)
	}
	fmt.Printf("median ratio (ours/duckdb): %.2f\n", median(ratios))
	fmt.Printf("memory per row: ours %.0f B, duckdb %.0f B\n", ours.BytesPerRow, duck.BytesPerRow)
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
