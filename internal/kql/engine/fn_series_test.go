package engine

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
)

// seasonalSpike is a daily (24-bin) pattern over 10 days with a small
// deterministic wobble, a spike at bin 100 and a dip at bin 180.
const seasonalSpike = `let s = range t from 0 to 239 step 1
| extend y = 10.0 + 5.0 * sin(2.0 * pi() * (t % 24) / 24.0) + 0.3 * ((t * 7) % 5)
| extend y = iff(t == 100, y + 60.0, iff(t == 180, y - 40.0, y))
| summarize y = make_list(y);
`

func queryRows(t *testing.T, q string) [][]any {
	t.Helper()
	res, err := Query(context.Background(), q, nil, fixedOpts())
	if err != nil {
		t.Fatalf("%s\n: %v", q, err)
	}
	return res.Rows()
}

func TestSeriesDecomposeAnomaliesFindsSpike(t *testing.T) {
	rows := queryRows(t, seasonalSpike+`s | extend (flag, score, baseline) = series_decompose_anomalies(y)
| mv-expand with_itemindex=i flag to typeof(long), score to typeof(double), baseline to typeof(double)
| where flag != 0 | project i, flag, score, baseline`)
	if len(rows) != 2 {
		t.Fatalf("want exactly the spike and the dip flagged, got %v", rows)
	}
	if rows[0][0] != int64(100) || rows[0][1] != int64(1) || rows[0][2].(float64) < 10 {
		t.Errorf("spike: %v", rows[0])
	}
	if rows[1][0] != int64(180) || rows[1][1] != int64(-1) || rows[1][2].(float64) > -10 {
		t.Errorf("dip: %v", rows[1])
	}
	// the baseline follows the daily pattern (seasonality detected): at the
	// spike's phase (100 % 24 = 4) the pattern is 10 + 5 sin(pi/3) ≈ 14.3
	if b := rows[0][3].(float64); math.Abs(b-14.9) > 1 {
		t.Errorf("baseline at the spike = %v, want about 14.9 (pattern + wobble)", b)
	}
}

func TestSeriesDecomposeComponents(t *testing.T) {
	// no seasonality, linear trend: baseline = the line, residual = spike
	rows := queryRows(t, `print y = dynamic([1, 2, 3, 4, 25, 6, 7, 8, 9, 10])
| extend d = series_decompose(y, 0, 'linefit')
| project series_decompose_y_trend, series_decompose_y_seasonal, series_decompose_y_residual`)
	trend, seasonal, resid := rows[0][0].([]any), rows[0][1].([]any), rows[0][2].([]any)
	if len(trend) != 10 || seasonal[3].(float64) != 0 {
		t.Fatalf("trend %v seasonal %v", trend, seasonal)
	}
	if r := resid[4].(float64); r < 15 {
		t.Errorf("residual at the spike = %v, want > 15", r)
	}
	// a given period: the seasonal series is the median per phase
	rows = queryRows(t, `print y = dynamic([1, 5, 1, 5, 1, 5, 1, 5]) | extend (b, s, tr, r) = series_decompose(y, 2, 'none') | project s`)
	if got := rows[0][0].([]any); got[0].(float64) != 1 || got[1].(float64) != 5 {
		t.Errorf("seasonal = %v, want 1, 5, ...", got)
	}
}

// One name takes the first output (the anomaly flag), as the Sentinel
// hunting queries' `extend outliers = series_decompose_anomalies(n) | where
// outliers == 1` rely on; the others keep their generated names, and print
// keeps only the named column.
func TestSeriesMultiOutputSingleName(t *testing.T) {
	rows := queryRows(t, seasonalSpike+`s | extend outliers = series_decompose_anomalies(y)
| mv-expand with_itemindex=i outliers to typeof(long), series_decompose_anomalies_y_ad_score to typeof(double)
| where outliers == 1 | project i, series_decompose_anomalies_y_ad_score`)
	if len(rows) != 1 || rows[0][0] != int64(100) || rows[0][1].(float64) < 10 {
		t.Fatalf("want the spike at 100 flagged under the single name, got %v", rows)
	}
	res, err := Query(context.Background(), `print f = series_decompose_anomalies(dynamic([1, 2, 3, 4, 5, 6, 7, 8]))`, nil, fixedOpts())
	if err != nil {
		t.Fatal(err)
	}
	if cols := res.Columns(); len(cols) != 1 || cols[0].Name != "f" {
		t.Fatalf("print with one name: columns %v, want [f]", cols)
	}
}

func TestSeriesOutliersTukey(t *testing.T) {
	rows := queryRows(t, `print s = series_outliers(dynamic([1, 2, 3, 4, 5, 6, 7, 8, 9, 100]), 'tukey')`)
	sc := rows[0][0].([]any)
	if sc[9].(float64) <= 1.5 || sc[4].(float64) != 0 {
		t.Fatalf("scores = %v", sc)
	}
}

func TestSeriesFunctionsMakeSeries(t *testing.T) {
	// the Defender Experts skill's shape: make-series without from/to, the
	// tuple assignment, and mv-expand of the series with a typed column
	rows := queryRows(t, `range i from 0 to 199 step 1
| extend Timestamp = datetime(2026-11-01) + 1h * (i % 100), who = iff(i < 100, "a", "b")
| union (range k from 1 to 40 step 1 | project Timestamp = datetime(2026-11-03 05:00), who = "a")
| make-series n = count() on Timestamp step 1h by who
| extend (Anomalies, AnomalyScore, Expected) = series_decompose_anomalies(n)
| mv-expand n, Anomalies, AnomalyScore, Expected to typeof(double), Timestamp
| where Anomalies != 0 | project who, Timestamp, n`)
	if len(rows) != 1 || rows[0][0] != "a" || !strings.HasPrefix(rows[0][1].(string), "2026-11-03T05:00") {
		t.Fatalf("want one anomaly for a at 2026-11-03 05:00, got %v", rows)
	}
}

func TestSeriesFunctionErrors(t *testing.T) {
	for q, want := range map[string]string{
		`print x = series_decompose_anomalies(dynamic([1,2,3]))[0]`:                     "returns 3 columns",
		`print (a, b, c, d) = series_decompose_anomalies(dynamic([1,2,3]))`:             "but 4 names",
		`print x = series_decompose(dynamic([1,2,3]), 0, 'cubic')`:                      "Trend must be",
		`print x = series_decompose_anomalies(dynamic([1,2]), 1.5, -1, 'avg', 0, 'zz')`: "'ctukey' or 'tukey'",
		`print x = series_outliers(dynamic([1,2]), 'ctukey', 0, 1, 50)`:                 "between 2 and 98",
	} {
		_, err := Query(context.Background(), q, nil, fixedOpts())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want an error containing %q, got %v", q, want, err)
		}
	}
}

func TestSeriesDecomposeStopsAtDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start, cpu0 := time.Now(), cputime.Used()
	_, err := Query(ctx, `range g from 1 to 2000 step 1
| extend y = range(1, 20000, 1)
| extend (f, s, b) = series_decompose_anomalies(y)`, nil, fixedOpts())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline error, got %v", err)
	}
	// CPU time, not the clock, which a loaded machine stretches (see
	// TestDeadlineStopsLongWork).
	if cpu, d := cputime.Used()-cpu0, time.Since(start); cpu > time.Second || d > 30*time.Second {
		t.Fatalf("stopping took %v of CPU time, %v on the clock", cpu, d)
	}
}

func TestMakeSeriesStartsAtFirstBin(t *testing.T) {
	rows := queryRows(t, `print T = datetime(2026-11-01 05:30), T2 = datetime(2026-11-01 07:10)
| mv-expand x = pack_array(T, T2) to typeof(datetime)
| make-series n = count() on x step 1h`)
	axis, n := rows[0][1].([]any), rows[0][0].([]any)
	if len(axis) != 3 || !strings.HasPrefix(axis[0].(string), "2026-11-01T05:00:00") || n[0] != int64(1) || n[2] != int64(1) {
		t.Fatalf("axis %v counts %v, want 05:00, 06:00, 07:00 with 1, 0, 1", axis, n)
	}
}
