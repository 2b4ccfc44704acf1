package scoring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/psdeob"
)

// Analyze is the function under test.
type Analyze func(ctx context.Context, script string) (*psdeob.Analysis, error)

type sourceStats struct {
	samples, withInd, expected, found int
	macroSum                          float64
	reported, halluc                  int
	withOrig, exact                   int
	simSum                            float64
	crashes, nondet, hangs            int
	lat                               []time.Duration
}

// Report holds per-source statistics and notes for verbose output.
type Report struct {
	bySource map[string]*sourceStats
	order    []string
	notes    []string
	// budget use: the largest bytes and steps of any sample, and how many
	// samples a budget cut short
	maxBytes, maxSteps int64
	maxBytesID         string
	maxStepsID         string
	limited            int
}

// Run analyses every sample twice and scores the results.
func Run(ctx context.Context, samples []Sample, analyze Analyze) *Report {
	r := &Report{bySource: map[string]*sourceStats{}}
	for _, s := range samples {
		st := r.stats(s.Source)
		all := r.stats("ALL")
		for _, x := range []*sourceStats{st, all} {
			x.samples++
		}
		t0 := time.Now()
		a, err := safe(ctx, analyze, s.Script)
		d := time.Since(t0)
		st.lat, all.lat = append(st.lat, d), append(all.lat, d)
		if err != nil || a == nil {
			st.crashes++
			all.crashes++
			r.notes = append(r.notes, fmt.Sprintf("%s CRASH %v", s.ID, err))
			continue
		}
		r.budget(s.ID, a)
		if d > 15*time.Second || a.Limit != nil && a.Limit.Key == "" {
			st.hangs++
			all.hangs++
			r.notes = append(r.notes, fmt.Sprintf("%s HANG %s %s", s.ID, d, a.Incomplete))
		}
		b, _ := safe(ctx, analyze, s.Script)
		j1, _ := json.Marshal(a)
		j2, _ := json.Marshal(b)
		if !bytes.Equal(j1, j2) {
			st.nondet++
			all.nondet++
			r.notes = append(r.notes, s.ID+" NONDETERMINISTIC")
		}
		r.score(s, a, st, all)
	}
	return r
}

// budget records the work sample id took.
func (r *Report) budget(id string, a *psdeob.Analysis) {
	if a.Used.Bytes > r.maxBytes {
		r.maxBytes, r.maxBytesID = a.Used.Bytes, id
	}
	if a.Used.Steps > r.maxSteps {
		r.maxSteps, r.maxStepsID = a.Used.Steps, id
	}
	if a.Limit != nil {
		r.limited++
		r.notes = append(r.notes, fmt.Sprintf("%s LIMIT %s", id, a.Incomplete))
	}
}

func safe(ctx context.Context, f Analyze, s string) (a *psdeob.Analysis, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f(ctx, s)
}

func (r *Report) stats(src string) *sourceStats {
	if st, ok := r.bySource[src]; ok {
		return st
	}
	st := &sourceStats{}
	r.bySource[src] = st
	r.order = append(r.order, src)
	return st
}

func (r *Report) score(s Sample, a *psdeob.Analysis, st, all *sourceStats) {
	reported := map[string]bool{}
	for _, ind := range a.Indicators {
		reported[NormIndicator(ind.Value)] = true
	}
	expected := map[string]bool{}
	foundAll := true
	if len(s.Expected) > 0 {
		found := 0
		for _, e := range s.Expected {
			n := NormIndicator(e)
			expected[n] = true
			if reported[n] {
				found++
			} else {
				foundAll = false
				r.notes = append(r.notes, fmt.Sprintf("%s MISS %s", s.ID, e))
			}
		}
		for _, x := range []*sourceStats{st, all} {
			x.withInd++
			x.expected += len(s.Expected)
			x.found += found
			x.macroSum += float64(found) / float64(len(s.Expected))
		}
	}
	var layerText strings.Builder
	for _, l := range a.Layers {
		layerText.WriteString(l.Text)
		layerText.WriteByte('\n')
	}
	for _, str := range s.Strings {
		if !strings.Contains(strings.ToLower(layerText.String()), strings.ToLower(str)) {
			foundAll = false
			r.notes = append(r.notes, fmt.Sprintf("%s MISS-STRING %s", s.ID, str))
		}
	}
	if s.Source != "pp" && s.HasOrig {
		truth := strings.ToLower(strings.ReplaceAll(s.Original, "`", ""))
		for _, ind := range a.Indicators {
			for _, x := range []*sourceStats{st, all} {
				x.reported++
			}
			n := NormIndicator(ind.Value)
			if expected[n] || strings.Contains(truth, strings.ToLower(ind.Value)) {
				continue
			}
			st.halluc++
			all.halluc++
			r.notes = append(r.notes, fmt.Sprintf("%s HALLUCINATION %s %q (layer %d)", s.ID, ind.Type, ind.Value, ind.Layer))
		}
	}
	if s.HasOrig {
		final := a.Layers[a.FinalLayer].Text
		nf, no := NormScript(final), NormScript(s.Original)
		sim := Similarity(nf, no)
		for _, x := range []*sourceStats{st, all} {
			x.withOrig++
			x.simSum += sim
			if foundAll && nf == no {
				x.exact++
			}
		}
		if nf != no && sim < 0.9 {
			r.notes = append(r.notes, fmt.Sprintf("%s LOW-SIMILARITY %.2f layers=%d", s.ID, sim, len(a.Layers)))
		}
	}
}

// Print writes the summary table (and notes when verbose).
func (r *Report) Print(w io.Writer, verbose bool) {
	if verbose {
		sort.Strings(r.notes)
		for _, n := range r.notes {
			fmt.Fprintln(w, n)
		}
	}
	fmt.Fprintf(w, "%-7s %5s %8s %8s %8s %9s %8s %8s %7s %5s %5s %5s %8s\n", "source", "n", "withInd", "microR", "macroR", "precision", "halluc", "exact", "meanSim", "crash", "hang", "nondet", "p95ms")
	order := append([]string(nil), r.order...)
	sort.Strings(order)
	for _, src := range order {
		st := r.bySource[src]
		prec := "-"
		if st.reported > 0 {
			prec = fmt.Sprintf("%.4f", 1-float64(st.halluc)/float64(st.reported))
		}
		exact, sim := "-", "-"
		if st.withOrig > 0 {
			exact = fmt.Sprintf("%d/%d", st.exact, st.withOrig)
			sim = fmt.Sprintf("%.3f", st.simSum/float64(st.withOrig))
		}
		fmt.Fprintf(w, "%-7s %5d %8d %8s %8s %9s %8d %8s %7s %5d %5d %5d %8d\n", src, st.samples, st.withInd,
			ratio(st.found, st.expected), pct(st.macroSum, st.withInd), prec, st.halluc, exact, sim, st.crashes, st.hangs, st.nondet, p95(st.lat).Milliseconds())
	}
	fmt.Fprintf(w, "budget: most bytes %d (%s), most steps %d (%s), %d samples cut short by a limit\n",
		r.maxBytes, r.maxBytesID, r.maxSteps, r.maxStepsID, r.limited)
}

func ratio(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.4f", float64(a)/float64(b))
}

func pct(sum float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.4f", sum/float64(n))
}

func p95(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)*95+99)/100-1]
}
