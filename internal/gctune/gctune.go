// Package gctune sets the garbage collector's pace after start-up: each
// collection may wait until the heap has grown by Headroom, or by as much
// as the collector's default allows (GOGC=100: the live heap and its
// roots), whichever is more.
//
// secmcp's live heap is small (about 3 MB serving HTTP), so with GOGC=100
// the collector ran every ~3 MB of allocation — tens of times a second
// under load, ~10 % of the HTTP call path's CPU (issue 16). With the
// headroom it runs about a quarter as often. Memory stays bounded: the heap
// goal is never more than Headroom above the default collector's goal, and
// a large live heap (a big query) is collected as with GOGC=100.
//
// After every collection the tuner reads the live heap and the scanned
// roots (runtime/metrics) and sets GOGC to 100 × max(base, Headroom) /
// base, where base = live heap + globals + stacks: the Go collector's heap
// goal is live + base × GOGC/100 (https://go.dev/doc/gc-guide#GOGC), so the
// goal becomes live + max(base, Headroom). An operator's GOGC or GOMEMLIMIT
// in the environment turns the tuner off.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Headroom is the least the heap may grow between collections.
const Headroom = 12 << 20

// maxPercent bounds GOGC when the live heap is tiny.
const maxPercent = 2000

var (
	once    sync.Once
	samples = []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/globals:bytes"},
		{Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	last int // GOGC last set, 0 before the first
)

// Start begins tuning after every collection, unless GOGC or GOMEMLIMIT
// is set in the environment. Later calls do nothing.
func Start() {
	once.Do(func() {
		if _, set := os.LookupEnv("GOGC"); set {
			return
		}
		if _, set := os.LookupEnv("GOMEMLIMIT"); set {
			return
		}
		adjust()
		arm()
	})
}

// Percent is the GOGC that lets the heap grow by max(base, Headroom)
// before the next collection, base being the live heap and its roots in
// bytes.
func Percent(base uint64) int {
	if base == 0 || base >= Headroom {
		return 100
	}
	return min(maxPercent, int(100*Headroom/base))
}

// adjust sets GOGC for the heap the last collection left. It runs on the
// finalizer goroutine, one call at a time.
func adjust() {
	metrics.Read(samples)
	var v [4]uint64
	for i, s := range samples {
		if s.Value.Kind() != metrics.KindUint64 {
			return // a metric this Go release does not have: keep the default
		}
		v[i] = s.Value.Uint64()
	}
	if v[3] == 0 {
		return // no collection yet: the live heap is not known
	}
	p := Percent(v[0] + v[1] + v[2])
	// A change under a tenth is not worth moving the pace for.
	if last == 0 || p*10 < last*9 || p*10 > last*11 {
		debug.SetGCPercent(p)
		last = p
	}
}

// sentinel is an object that only a collection frees; its finalizer runs
// after each collection and arms the next one. It is larger than the tiny
// allocator's 16 bytes, whose objects may never be finalized.
type sentinel struct{ _ [32]byte }

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		adjust()
		arm()
	})
}
