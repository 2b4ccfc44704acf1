package engine

import (
	"fmt"
	"math"
	"strings"
)

// outlierScores scores each point with Tukey's fence test: with lo and hi
// the learning points' low and high percentiles, a point above hi scores
// (x-hi)/(hi-lo), one below lo (x-lo)/(hi-lo), others 0; missing points
// score 0 (series_outliers). Where the documentation is silent — every
// learning point inside a zero-width range, as in a count series that is
// mostly zero — the range is replaced by the learning points' standard
// deviation (0 when they are all equal: nothing is scored).
func outlierScores(c *callCtx, x []float64, learn int, lowP, highP float64) ([]float64, error) {
	if err := c.step(2 * len(x)); err != nil {
		return nil, err
	}
	pts := make([]float64, 0, learn)
	for _, v := range x[:learn] {
		if !math.IsNaN(v) {
			pts = append(pts, v)
		}
	}
	out := make([]float64, len(x))
	if len(pts) == 0 {
		return out, nil
	}
	lo, hi := percentileOf(pts, lowP), percentileOf(pts, highP)
	scale := hi - lo
	if scale <= 0 {
		scale = stdDev(pts)
	}
	if scale <= 0 {
		return out, nil
	}
	for i, v := range x {
		switch {
		case math.IsNaN(v):
		case v > hi:
			out[i] = (v - hi) / scale
		case v < lo:
			out[i] = (v - lo) / scale
		}
	}
	return out, nil
}

func stdDev(xs []float64) float64 {
	var s, ss float64
	for _, v := range xs {
		s += v
	}
	m := s / float64(len(xs))
	for _, v := range xs {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(xs)))
}

// outlierRange is the percentile pair of an AD method / series_outliers
// kind: tukey 25-75, ctukey 10-90 unless given.
func outlierRange(fn, kind string) (float64, float64, error) {
	switch strings.ToLower(kind) {
	case "tukey":
		return 25, 75, nil
	case "ctukey", "":
		return 10, 90, nil
	}
	return 0, 0, fmt.Errorf("%s: the anomaly detection method must be 'ctukey' or 'tukey', got %q", fn, kind)
}

func fnSeriesOutliers(c *callCtx, a []value) (value, error) {
	const fn = "series_outliers()"
	kind := ""
	if v, ok := optArg(a, 1); ok {
		kind = sArg(v)
	}
	lowP, highP, err := outlierRange(fn, kind)
	if err != nil {
		return value{}, err
	}
	for i, p := range []*float64{&lowP, &highP} {
		if v, ok := optArg(a, 3+i); ok && !strings.EqualFold(kind, "tukey") {
			f, ok := fArg(v)
			if !ok || f < 2 || f > 98 {
				return value{}, fmt.Errorf("%s: percentiles must be between 2 and 98, got %s", fn, toStringValue(v))
			}
			*p = f
		}
	}
	if lowP >= highP {
		return value{}, fmt.Errorf("%s: min_percentile (%g) must be below max_percentile (%g)", fn, lowP, highP)
	}
	x, ok, err := seriesValues(c, a[0])
	if err != nil || !ok {
		return nullOf(kDynamic), err
	}
	if v, ok := optArg(a, 2); ok {
		if ig, ok := fArg(v); ok {
			for i := range x {
				if x[i] == ig {
					x[i] = math.NaN()
				}
			}
		}
	}
	score, err := outlierScores(c, x, len(x), lowP, highP)
	if err != nil {
		return value{}, err
	}
	return dynV(floatsDyn(score)), nil
}
