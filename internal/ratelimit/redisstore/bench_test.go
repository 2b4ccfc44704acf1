package redisstore

import (
	"slices"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// BenchmarkCallOverhead is what the budget machinery adds to one tool call
// (take an in-flight slot, spend the cost, give the slot back), in this
// process and through Redis over loopback, in the same run:
//
//	go test -run '^$' -bench CallOverhead ./internal/ratelimit/redisstore/
//
// It reports the median and 99th percentile of single calls (p50-ns, p99-ns).
func BenchmarkCallOverhead(b *testing.B) {
	cfg := ratelimit.Config{UnitsPerMinute: 6e9, Burst: 1 << 30} // never refuses
	b.Run("memory", func(b *testing.B) {
		benchCalls(b, ratelimit.New(cfg), ratelimit.NewInflight(16))
	})
	b.Run("redis", func(b *testing.B) {
		r := startRedis(b)
		s := openTest(b, r.URL(""), nil)
		benchCalls(b, ratelimit.New(cfg).Shared(s, "bench"), s.Inflight(16))
		if s.Down() {
			b.Fatal("the store fell back during the benchmark; the figure would not be Redis's")
		}
	})
}

func benchCalls(b *testing.B, budget *ratelimit.Budget, lim interface {
	Acquire(string) (func(), bool)
}) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		release, ok := lim.Acquire("bench")
		if !ok {
			b.Fatal("in-flight slot refused")
		}
		if ok, _ := budget.Take(1); !ok {
			b.Fatal("budget refused")
		}
		release()
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
