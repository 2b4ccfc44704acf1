package gctune

import (
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	cases := []struct {
		base uint64
		want int
	}{
		{0, 100},
		{3 << 20, 400},          // a 3 MiB heap may grow by 12 MiB
		{6 << 20, 200},          // 6 MiB: by 12 MiB
		{Headroom, 100},         // at the headroom: the default
		{200 << 20, 100},        // a big heap: the default, never less
		{1 << 10, maxPercent},   // a tiny heap: bounded
		{Headroom - 1<<20, 109}, // just under
	}
	for _, c := range cases {
		if got := Percent(c.base); got != c.want {
			t.Errorf("Percent(%d) = %d, want %d", c.base, got, c.want)
		}
	}
}

// TestTunesAfterCollections: once started, each collection sets GOGC from
// the heap it leaves; the collector's own figure shows it.
func TestTunesAfterCollections(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set in the environment, which turns the tuner off")
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		t.Skip("GOMEMLIMIT is set in the environment, which turns the tuner off")
	}
	Start()
	gogc := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	// Its own samples: the package's are the tuner's, read on the
	// finalizer goroutine after each collection.
	heap := make([]metrics.Sample, len(samples))
	for i := range samples {
		heap[i].Name = samples[i].Name
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		metrics.Read(gogc)
		metrics.Read(heap)
		base := heap[0].Value.Uint64() + heap[1].Value.Uint64() + heap[2].Value.Uint64() // after a collection
		got, want := int(gogc[0].Value.Uint64()), Percent(base)
		if got != 100 && got*10 >= want*9 && got*10 <= want*11 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GOGC %d after collections; want about %d for a base of %d bytes", got, want, base)
		}
		time.Sleep(10 * time.Millisecond) // let the finalizer run
	}
}
