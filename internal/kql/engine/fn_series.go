package engine

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Series analysis: series_decompose, series_decompose_anomalies and
// series_outliers, following Kusto's documented algorithms:
//   - https://learn.microsoft.com/kusto/query/series-decompose-function
//   - https://learn.microsoft.com/kusto/query/series-decompose-anomalies-function
//   - https://learn.microsoft.com/kusto/query/series-outliers-function
//   - https://learn.microsoft.com/kusto/query/series-periods-detect-function
//
// The functions returning several series (decompose: baseline, seasonal,
// trend, residual; decompose_anomalies: ad_flag, ad_score, baseline) are
// multi-column functions: `extend (a, b, c) = f(x)` names the columns,
// `extend x = f(y)` names them x_<output>, and an unnamed call
// f_<argument>_<output>. Every loop charges the query's budget (steps), so
// a long series or many of them stop with the budget's "too slow" error.

func registerSeries() {
	register("series_decompose", 1, 5, fixed(kDynamic), false, fnSeriesDecompose).outs =
		[]string{"baseline", "seasonal", "trend", "residual"}
	register("series_decompose_anomalies", 1, 7, fixed(kDynamic), false, fnSeriesDecomposeAnomalies).outs =
		[]string{"ad_flag", "ad_score", "baseline"}
	register("series_outliers", 1, 5, fixed(kDynamic), false, fnSeriesOutliers)
}

// decomposeOpts are series_decompose's optional parameters.
type decomposeOpts struct {
	season     int64   // -1 autodetect, 0 none, > 0 the period in bins
	trend      string  // avg, linefit or none
	testPoints int64   // points at the end left out of the learning
	seasThresh float64 // score a detected period needs (autodetect)
}

// optArg reads optional argument i, or leaves def when it is absent or null.
func optArg(a []value, i int) (value, bool) {
	if i >= len(a) || a[i].null {
		return value{}, false
	}
	return unwrapDyn(a[i]), true
}

// parseDecomposeOpts reads Seasonality, Trend and Test_points from
// a[first:] and Seasonality_threshold from a[threshAt].
func parseDecomposeOpts(fn string, a []value, first, threshAt int) (decomposeOpts, error) {
	o := decomposeOpts{season: -1, trend: "avg", seasThresh: 0.6}
	if v, ok := optArg(a, first); ok {
		s, ok := iArg(v)
		if !ok || s < -1 {
			return o, fmt.Errorf("%s: Seasonality must be -1 (detect), 0 (none) or a period in bins, got %s", fn, toStringValue(v))
		}
		o.season = s
	}
	if v, ok := optArg(a, first+1); ok {
		o.trend = strings.ToLower(sArg(v))
		if o.trend != "avg" && o.trend != "linefit" && o.trend != "none" {
			return o, fmt.Errorf("%s: Trend must be 'avg', 'linefit' or 'none', got %q", fn, sArg(v))
		}
	}
	if v, ok := optArg(a, first+2); ok {
		t, ok := iArg(v)
		if !ok || t < 0 {
			return o, fmt.Errorf("%s: Test_points must be a non-negative integer, got %s", fn, toStringValue(v))
		}
		o.testPoints = t
	}
	if v, ok := optArg(a, threshAt); ok {
		f, ok := fArg(v)
		if !ok || f < 0 || f > 1 {
			return o, fmt.Errorf("%s: Seasonality_threshold must be a score between 0 and 1, got %s", fn, toStringValue(v))
		}
		o.seasThresh = f
	}
	return o, nil
}

// seriesValues reads a dynamic numeric array; nulls and non-numbers are
// NaN (missing). ok is false when v is not an array.
func seriesValues(c *callCtx, v value) ([]float64, bool, error) {
	arr, ok := asArray(unwrapDyn(v))
	if !ok {
		return nil, false, nil
	}
	if err := c.step(len(arr)); err != nil {
		return nil, false, err
	}
	if err := c.need("series analysis", 8*int64(len(arr))*5); err != nil {
		return nil, false, err
	}
	x := make([]float64, len(arr))
	for i, e := range arr {
		f, ok := dynToValue(e).asFloat()
		if !ok {
			f = math.NaN()
		}
		x[i] = f
	}
	return x, true, nil
}

// decomposition is series_decompose's result.
type decomposition struct {
	baseline, seasonal, trend, residual []float64
	train                               int // points used for learning
}

// decompose runs the documented steps: extract the seasonal series (median
// of the points in the same phase), subtract it, extract the trend from the
// deseasonalized series, baseline = seasonal + trend, residual = x - baseline.
func decompose(c *callCtx, x []float64, o decomposeOpts) (*decomposition, error) {
	n := len(x)
	d := &decomposition{baseline: make([]float64, n), seasonal: make([]float64, n), trend: make([]float64, n), residual: make([]float64, n)}
	d.train = max(n-int(o.testPoints), 0)
	period := int(o.season)
	if period < 0 {
		p, err := detectPeriod(c, x[:d.train], o.seasThresh)
		if err != nil {
			return nil, err
		}
		period = p
	}
	if period > 0 && period < d.train {
		if err := seasonalMedians(c, x, d, period); err != nil {
			return nil, err
		}
	}
	deseason := make([]float64, n)
	for i := range x {
		deseason[i] = x[i] - d.seasonal[i]
	}
	if err := fitTrend(c, deseason[:d.train], o.trend, d.trend); err != nil {
		return nil, err
	}
	for i := range x {
		d.baseline[i] = d.seasonal[i] + d.trend[i]
		d.residual[i] = x[i] - d.baseline[i]
	}
	return d, nil
}

// seasonalMedians sets d.seasonal to the median of the learning points in
// each phase of the period.
func seasonalMedians(c *callCtx, x []float64, d *decomposition, period int) error {
	meds := make([]float64, period)
	buf := make([]float64, 0, d.train/period+1)
	for ph := 0; ph < period; ph++ {
		buf = buf[:0]
		for i := ph; i < d.train; i += period {
			if !math.IsNaN(x[i]) {
				buf = append(buf, x[i])
			}
		}
		if err := c.step(len(buf) + 1); err != nil {
			return err
		}
		meds[ph] = percentileOf(buf, 50)
		if math.IsNaN(meds[ph]) {
			meds[ph] = 0
		}
	}
	for i := range d.seasonal {
		d.seasonal[i] = meds[i%period]
	}
	return nil
}

// fitTrend fills out (whole series) from the learning points y: their
// average (avg), their least-squares line (linefit), or zero (none).
func fitTrend(c *callCtx, y []float64, kind string, out []float64) error {
	if kind == "none" {
		return nil
	}
	if err := c.step(len(y) + len(out)); err != nil {
		return err
	}
	var n, sx, sy, sxx, sxy float64
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		f := float64(i)
		n, sx, sy, sxx, sxy = n+1, sx+f, sy+v, sxx+f*f, sxy+f*v
	}
	if n == 0 {
		return nil
	}
	a, b := sy/n, 0.0
	if kind == "linefit" && n > 1 {
		if den := n*sxx - sx*sx; den != 0 {
			b = (n*sxy - sx*sy) / den
			a = (sy - b*sx) / n
		}
	}
	for i := range out {
		out[i] = a + b*float64(i)
	}
	return nil
}

// detectPeriod returns the period (in bins) with the best autocorrelation
// score, when that score reaches threshold, else 0 (no seasonality). The
// candidates run from 2 to half the series (two whole cycles at least) and
// at most 2,016 bins (a week of 5-minute bins); the score is the lagged
// Pearson correlation of the series with itself, clamped to [0, 1] as
// series_periods_detect's scores are. The series is first clipped to its
// 2nd-98th percentile range so that the few outliers anomaly detection is
// looking for do not hide the period.
func detectPeriod(c *callCtx, x []float64, threshold float64) (int, error) {
	maxP := min(len(x)/2, 2016)
	x = winsorized(x, 2, 98)
	scores := make([]float64, maxP+2)
	best := 0.0
	for p := 2; p <= maxP; p++ {
		if err := c.step(len(x) - p); err != nil {
			return 0, err
		}
		scores[p] = lagCorrelation(x, p)
		best = max(best, scores[p])
	}
	if best < threshold {
		return 0, nil
	}
	// the fundamental period, not a multiple of it: the shortest lag that
	// is a local maximum scoring within 10% of the best
	for p := 2; p <= maxP; p++ {
		if scores[p] >= 0.9*best && scores[p] >= scores[p-1] && scores[p] >= scores[p+1] {
			return p, nil
		}
	}
	return 0, nil
}

// winsorized is a copy of x clipped to its [lowP, highP] percentiles.
func winsorized(x []float64, lowP, highP float64) []float64 {
	pts := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			pts = append(pts, v)
		}
	}
	lo, hi := percentileOf(pts, lowP), percentileOf(pts, highP)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v
		if !math.IsNaN(v) {
			out[i] = max(lo, min(hi, v))
		}
	}
	return out
}

func lagCorrelation(x []float64, p int) float64 {
	var n, sa, sb, saa, sbb, sab float64
	for i := 0; i+p < len(x); i++ {
		a, b := x[i], x[i+p]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		n, sa, sb, saa, sbb, sab = n+1, sa+a, sb+b, saa+a*a, sbb+b*b, sab+a*b
	}
	if n < 2 {
		return 0
	}
	va, vb := saa-sa*sa/n, sbb-sb*sb/n
	if va <= 1e-12 || vb <= 1e-12 {
		return 0
	}
	r := (sab - sa*sb/n) / math.Sqrt(va*vb)
	return max(0, min(1, r))
}

// percentileOf is the p-th percentile of xs (linear interpolation between
// the closest ranks); NaN for no values. xs is sorted in place.
func percentileOf(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sort.Float64s(xs)
	pos := p / 100 * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(xs)-1)
	return xs[lo] + (pos-float64(lo))*(xs[hi]-xs[lo])
}

// decomposeArg reads the series argument v and decomposes it with o; ok is
// false (and d nil) when v is not a series, which the functions answer with
// null, as Kusto does.
func decomposeArg(c *callCtx, v value, o decomposeOpts) (x []float64, d *decomposition, ok bool, err error) {
	x, ok, err = seriesValues(c, v)
	if err != nil || !ok {
		return nil, nil, false, err
	}
	d, err = decompose(c, x, o)
	if err != nil {
		return nil, nil, false, err
	}
	return x, d, true, nil
}

func fnSeriesDecompose(c *callCtx, a []value) (value, error) {
	o, err := parseDecomposeOpts("series_decompose()", a, 1, 4)
	if err != nil {
		return value{}, err
	}
	_, d, ok, err := decomposeArg(c, a[0], o)
	if err != nil || !ok {
		return nullOf(kDynamic), err
	}
	return dynV([]any{floatsDyn(d.baseline), floatsDyn(d.seasonal), floatsDyn(d.trend), floatsDyn(d.residual)}), nil
}

func fnSeriesDecomposeAnomalies(c *callCtx, a []value) (value, error) {
	const fn = "series_decompose_anomalies()"
	threshold := 1.5
	if v, ok := optArg(a, 1); ok {
		f, ok := fArg(v)
		if !ok || f < 0 {
			return value{}, fmt.Errorf("%s: Threshold must be a non-negative number, got %s", fn, toStringValue(v))
		}
		threshold = f
	}
	o, err := parseDecomposeOpts(fn, a, 2, 6)
	if err != nil {
		return value{}, err
	}
	method := ""
	if v, ok := optArg(a, 5); ok {
		method = sArg(v)
	}
	lowP, highP, err := outlierRange(fn, method)
	if err != nil {
		return value{}, err
	}
	x, d, ok, err := decomposeArg(c, a[0], o)
	if err != nil || !ok {
		return nullOf(kDynamic), err
	}
	for i, v := range x {
		if math.IsNaN(v) {
			d.residual[i] = math.NaN()
		}
	}
	score, err := outlierScores(c, d.residual, d.train, lowP, highP)
	if err != nil {
		return value{}, err
	}
	flags := make([]any, len(score))
	for i, s := range score {
		switch {
		case s > threshold:
			flags[i] = int64(1)
		case s < -threshold:
			flags[i] = int64(-1)
		default:
			flags[i] = int64(0)
		}
	}
	return dynV([]any{flags, floatsDyn(score), floatsDyn(d.baseline)}), nil
}

// floatsDyn is a dynamic array of xs (non-finite values become null).
func floatsDyn(xs []float64) []any {
	out := make([]any, len(xs))
	for i, f := range xs {
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			out[i] = f
		}
	}
	return out
}
