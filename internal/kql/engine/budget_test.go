package engine

import (
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
)

// hostileQueries are a few hundred bytes each, and each builds far more
// than any budget allows: output that grows as a product of the inputs.
var hostileQueries = []struct{ name, q string }{
	{"make-series groups x bins", `range x from 1 to 100000 step 1 | extend t = datetime(2024-01-01) + x * 1s
		| make-series c = count() default = 0 on t from datetime(2024-01-01) to datetime(2024-01-03) step 2s by x`},
	{"join cross product", `range x from 1 to 100000 step 1 | extend k = 1 | join kind=inner (range y from 1 to 100000 step 1 | extend k = 1) on k`},
	{"mv-expand of range arrays", `range x from 1 to 5000 step 1 | extend a = range(1, 10000) | mv-expand a`},
	{"range", `range x from 1 to 1000000000000 step 1`},
	{"strrep per row", `range x from 1 to 1000000 step 1 | extend s = strrep(strcat("abcdefgh", x), 100000)`},
	{"strcat doubling", `let a = strrep("x", 1000000); let b = strcat(a,a,a,a,a,a,a,a); let c = strcat(b,b,b,b,b,b,b,b);
		print n = strlen(strcat(c,c,c,c,c,c,c,c,c,c,c,c,c,c,c,c))`},
	{"replace_regex backrefs", `let a = strrep("a", 1000000); print n = strlen(replace_regex(a, "a", strrep(@"\0", 200)))`},
	{"replace_string growth", `let a = strrep("a", 1000000); print n = strlen(replace_string(a, "a", strrep("b", 1000)))`},
	{"summarize high cardinality", `range x from 1 to 5000000 step 1 | summarize s = make_set(x) by x`},
	{"make_list of strings", `range x from 1 to 5000000 step 1 | summarize l = make_list(strcat("item-", x, "-", x, "-", x))`},
	{"union of copies", `let r = range x from 1 to 5000000 step 1; union r, r, r, r, r, r, r, r`},
	{"broadcast result", `range x from 1 to 10000 step 1 | extend s = strrep("abcdefgh", 100000)`},
	{"array_concat doubling", `let a = range(1, 1000000); print n = array_length(array_concat(a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a))`},
	{"extend chain", `range x from 1 to 4000000 step 1 | extend a = x + 1, b = x * 2, c = x - 1, d = x / 2 | extend e = a + b, f = b + c, g = c + d, h = d + a`},
}

// smallBudget keeps the hostile tests' allocations small enough to measure.
var smallBudget = Budget{Bytes: 32 << 20, Cells: 8_000_000, Rows: 4_000_000, Steps: 500_000_000}

// hostileCPU is how much CPU time a hostile query may use before the budget
// refuses it. CPU time, not the clock: on a loaded machine the clock runs on
// while the process waits for a core, and a wall-clock deadline would stop
// the query before the budget (the subject here) does.
const hostileCPU = 10 * time.Second

// TestHostileQueriesStayInBudget: each hostile class is refused by the
// budget's own accounting (bytes, cells, rows, steps) with a "too
// large"/"too slow" error naming the limit, within 10 s of CPU time, and the
// heap grows by at most a small multiple of the byte budget. (Stopping at a
// deadline is TestDeadlineStopsLongWork's subject; here the deadline is a
// backstop.)
func TestHostileQueriesStayInBudget(t *testing.T) {
	for _, hq := range hostileQueries {
		t.Run(hq.name, func(t *testing.T) {
			opts := fixedOpts()
			opts.Budget = smallBudget
			r := runMeasured(t, hq.q, opts, 5*time.Minute, hostileCPU)
			err := r.err
			if err == nil {
				t.Fatal("the query succeeded; want a budget error")
			}
			if r.cpuOut {
				t.Fatalf("the budget did not refuse the query within %v of CPU time (stopped: %v)", hostileCPU, err)
			}
			if !errors.Is(err, ErrLimit) || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("want a budget error (ErrLimit, not the deadline), got %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "too large") && !strings.Contains(msg, "too slow") {
				t.Errorf("the error does not say too large/too slow: %v", err)
			}
			if !strings.Contains(msg, "limit") || !strings.Contains(msg, ";") {
				t.Errorf("the error does not name the limit and what to change: %v", err)
			}
			if r.cpu > hostileCPU {
				t.Errorf("used %v of CPU time, more than %v", r.cpu, hostileCPU)
			}
			if bound := uint64(3*smallBudget.Bytes + 48<<20); r.alloc > bound {
				t.Errorf("the heap grew by %d MiB, more than %d MiB for a %d MiB budget", r.alloc>>20, bound>>20, smallBudget.Bytes>>20)
			}
			t.Logf("%v in %v (%v CPU), %d MiB peak heap growth", err, r.took.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.alloc>>20)
		})
	}
}

// TestHostileQueriesDefaultBudget: with the default budget every class is
// refused too (none runs to completion or out of memory).
func TestHostileQueriesDefaultBudget(t *testing.T) {
	if os.Getenv("KQL_HOSTILE") == "" {
		t.Skip("set KQL_HOSTILE=1 to run each hostile query up to the default budget (~25 s)")
	}
	for _, hq := range hostileQueries {
		t.Run(hq.name, func(t *testing.T) {
			r := runMeasured(t, hq.q, fixedOpts(), 20*time.Second, 0)
			if r.err == nil || !errors.Is(r.err, ErrLimit) {
				t.Fatalf("want a budget error, got %v", r.err)
			}
			if bound := uint64(3*DefaultBudgetBytes + 64<<20); r.alloc > bound {
				t.Errorf("the heap grew by %d MiB, more than %d MiB", r.alloc>>20, bound>>20)
			}
			t.Logf("%v in %v (%v CPU), %d MiB peak heap growth", r.err, r.took.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.alloc>>20)
		})
	}
}

// TestDeadlineStopsLongWork: a query that fits the budget but runs past
// its deadline stops soon after the deadline, in each kind of loop. "Soon"
// is measured in the process's CPU time, which a loaded machine does not
// stretch as it does the clock: within 150 ms on the clock the query can
// use at most 300 ms of CPU on two cores, so a 1 s bound leaves 700 ms of
// CPU after the deadline; run to the end, each query takes 0.8-4 s of CPU.
// The clock's bound only catches a query that blocks instead of stopping.
func TestDeadlineStopsLongWork(t *testing.T) {
	const deadline, cpuBound = 150 * time.Millisecond, time.Second
	for _, q := range []string{
		`range x from 1 to 3000000 step 1 | extend y = hash(tostring(x)) | sort by y asc | take 1`,
		`range x from 1 to 3000000 step 1 | extend s = tostring(x) | where s matches regex "(a|b|c|d)*1(2|3)*$" | count`,
		`range x from 1 to 3000000 step 1 | extend k = x % 1000 | join kind=inner (range y from 1 to 3000 step 1 | extend k = y % 1000) on k | count`,
		`range x from 1 to 3000000 step 1 | extend s = strcat("a", x) | summarize dcount(s), make_set(s, 100) by x % 100000`,
	} {
		opts := fixedOpts()
		opts.Budget = Budget{Bytes: 1 << 30, Cells: 1 << 30, Rows: 1 << 30}
		runtime.GC()
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start, cpu0 := time.Now(), cputime.Used()
		_, err := Query(ctx, q, nil, opts)
		took, cpu := time.Since(start), cputime.Used()-cpu0
		cancel()
		if cpu > cpuBound || took > deadline+30*time.Second {
			t.Errorf("stopped after %v of CPU time, %v on the clock, with a %v deadline (error: %v): %s", cpu, took, deadline, err, q)
		}
		if err == nil {
			t.Logf("finished, in %v (%v CPU): %s", took, cpu, q)
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "too slow") {
			t.Errorf("want a too-slow deadline error, got %v", err)
		}
	}
}

func TestStepsBudget(t *testing.T) {
	opts := fixedOpts()
	opts.Budget.Steps = 100_000
	_, err := Query(context.Background(), `range x from 1 to 1000000 step 1 | extend y = x * 2 | sort by y | take 3`, nil, opts)
	if !errors.Is(err, ErrTooSlow) || !strings.Contains(err.Error(), "100000 steps") {
		t.Fatalf("want a too-slow steps error, got %v", err)
	}
}

// TestBudgetIsTotal: two operators that each fit the budget exceed it together.
func TestBudgetIsTotal(t *testing.T) {
	opts := fixedOpts()
	opts.Budget.Rows = 150_000
	if _, err := Query(context.Background(), `range x from 1 to 100000 step 1 | summarize count() by x % 10`, nil, opts); err != nil {
		t.Fatalf("one 100,000-row operator fits a 150,000-row budget: %v", err)
	}
	_, err := Query(context.Background(), `range x from 1 to 100000 step 1 | union (range y from 1 to 100000 step 1) | count`, nil, opts)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "150000 rows") {
		t.Fatalf("want too large naming 150000 rows, got %v", err)
	}
}

func TestTooLargeMessage(t *testing.T) {
	opts := fixedOpts()
	opts.Budget.Bytes = 64 << 20
	_, err := Query(context.Background(), `print s = strcat(strrep("a", 1000000), strrep("a", 1000000), strrep("a", 1000000)) | extend t = strcat(s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s)`, nil, opts)
	want := "too large: strcat would exceed the query's budget of 64 MiB (limit); narrow the range or time window, add a filter, or summarize earlier"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant it to contain %q", err, want)
	}
}

// measured is what runMeasured observed of one query.
type measured struct {
	err    error
	took   time.Duration // on the clock
	cpu    time.Duration // CPU time of the process meanwhile (GC included)
	alloc  uint64        // peak growth of the live heap
	cpuOut bool          // the query was cancelled for using its CPU limit
}

// runMeasured runs q with a deadline (and, when cpuLimit > 0, cancels it
// once the process has used cpuLimit of CPU time since the start) and
// reports the error, the time taken on the clock and in CPU, and the peak
// growth of the live heap meanwhile (sampled every millisecond).
func runMeasured(t *testing.T, q string, opts Options, deadline, cpuLimit time.Duration) measured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	runtime.GC()
	base := heapObjects()
	peak := base
	done := make(chan struct{})
	sampled := make(chan struct{})
	var cpuOut bool
	cpu0 := cputime.Used()
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, heapObjects())
			if cpuLimit > 0 && !cpuOut && cputime.Used()-cpu0 > cpuLimit {
				cpuOut = true
				stop()
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	_, err := Query(ctx, q, nil, opts)
	took, cpu := time.Since(start), cputime.Used()-cpu0
	close(done)
	<-sampled
	return measured{err: err, took: took, cpu: cpu, alloc: max(peak, heapObjects()) - base, cpuOut: cpuOut}
}

// heapObjects is the bytes of live and not yet swept heap objects.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func TestWidePluginsInBudget(t *testing.T) {
	opts := fixedOpts()
	opts.Budget = smallBudget
	for q, want := range map[string]string{
		`range x from 1 to 3000 step 1 | extend k = x, v = tostring(x) | evaluate pivot(v, count(), k)`: "pivot (3000 rows × 3000 columns)",
		`range x from 1 to 20000 step 1 | extend b = bag_pack(tostring(x), x) | evaluate bag_unpack(b)`: "bag_unpack (20000 columns)",
	} {
		_, err := Query(context.Background(), q, nil, opts)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want too large naming %q", q, err, want)
		}
	}
}
