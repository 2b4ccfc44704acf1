package redisstore

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

func TestParseURL(t *testing.T) {
	opt, set, err := ParseURL("rediss://:s3cret@cache.example:6380/2?timeout=150ms&replicas=3")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Addr != "cache.example:6380" || opt.DB != 2 || opt.Password != "s3cret" || opt.TLSConfig == nil ||
		set.Timeout != 150*time.Millisecond || set.Replicas != 3 || opt.Timeout != 150*time.Millisecond {
		t.Fatalf("parsed %+v %+v", opt, set)
	}
	if _, set, _ := ParseURL("redis://127.0.0.1:6379/0"); set.Timeout != DefaultTimeout || set.Replicas != 1 {
		t.Fatalf("defaults: %+v", set)
	}
	for _, bad := range []string{
		"http://:s3cret@host:6379/0", "redis://", "s3cret", "redis://:s3cret@host:6379/x",
		"redis://:s3cret@host:6379/0?timeout=forever", "redis://:s3cret@host:6379/0?replicas=0",
		"redis://:s3cret@host:6379/0?bogus=1", "redis://:s3cret@ho st:6379/0",
	} {
		_, _, err := ParseURL(bad)
		if err == nil {
			t.Errorf("%s accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error repeats the password: %v", bad, err)
		}
	}
}

// TestTakeSameAsInProcess: the same sequence of takes gets the same
// answers and waits from Redis as from the in-process bucket.
func TestTakeSameAsInProcess(t *testing.T) {
	r := startRedis(t)
	s := openTest(t, r.URL(""), nil)
	cfg := ratelimit.Config{UnitsPerMinute: 60, Burst: 5}
	shared, local := ratelimit.New(cfg).Shared(s, "alpha"), ratelimit.New(cfg)
	for i, cost := range []int{1, 2, 2, 1, 3, 0} {
		ok1, w1 := shared.Take(cost)
		ok2, w2 := local.Take(cost)
		if ok1 != ok2 || (w1-w2).Abs() > 100*time.Millisecond {
			t.Fatalf("take %d (cost %d): redis %v %v, in-process %v %v", i, cost, ok1, w1, ok2, w2)
		}
	}
	// 5 spent: 3 more units is ~3s away on both; the cost-above-burst refusal too.
	if ok, w := shared.Take(3); ok || w < 2800*time.Millisecond || w > 3*time.Second {
		t.Fatalf("over budget: %v %v, want refused with ~3s", ok, w)
	}
	err := shared.Spend("alpha", "demo_tool", 9)
	if err == nil || !strings.Contains(err.Error(), "more than tenant \"alpha\"'s whole budget of 5") {
		t.Fatalf("cost above burst: %v", err)
	}
	if s.Down() {
		t.Fatal("store fell back with Redis up")
	}
}

// TestRefill: Redis refills at the configured rate on its own clock.
func TestRefill(t *testing.T) {
	r := startRedis(t)
	s := openTest(t, r.URL(""), nil)
	b := ratelimit.New(ratelimit.Config{UnitsPerMinute: 600, Burst: 2}).Shared(s, "beta") // 10 units/s
	if ok, _ := b.Take(2); !ok {
		t.Fatal("full bucket refused")
	}
	if ok, w := b.Take(1); ok || w < 50*time.Millisecond || w > 100*time.Millisecond {
		t.Fatalf("empty bucket: %v %v, want ~100ms", ok, w)
	}
	time.Sleep(250 * time.Millisecond)
	if ok, w := b.Take(2); !ok {
		t.Fatalf("2 units not back after 250ms at 10/s (wait %v)", w)
	}
}

// TestConcurrentNeverOverGrants: many goroutines over three stores (three
// replicas) get exactly one burst between them, never more.
func TestConcurrentNeverOverGrants(t *testing.T) {
	r := startRedis(t)
	// A generous timeout: this test is about atomicity, not the fail-safe,
	// and the race detector slows every round trip.
	u := r.URL("timeout=5s")
	stores := []*Store{openTest(t, u, nil), openTest(t, u, nil), openTest(t, u, nil)}
	cfg := ratelimit.Config{UnitsPerMinute: 0.6, Burst: 50} // refills 1 unit in 100 s: none during the test
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 300; i++ {
		b := ratelimit.New(cfg).Shared(stores[i%3], "flood")
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := b.Take(1 + i%2); ok {
				granted.Add(int64(1 + i%2))
			}
		}()
	}
	wg.Wait()
	for _, s := range stores {
		if s.Down() {
			t.Fatal("a store fell back during the test; the figure would not be Redis's")
		}
	}
	if g := granted.Load(); g > 50 || g < 49 {
		t.Fatalf("granted %d units over three stores; the budget is 50", g)
	}
}

// TestInflightAcrossReplicas: the limit holds across stores at peak.
func TestInflightAcrossReplicas(t *testing.T) {
	r := startRedis(t)
	u := r.URL("timeout=5s")
	ls := []*Inflight{openTest(t, u, nil).Inflight(4), openTest(t, u, nil).Inflight(4), openTest(t, u, nil).Inflight(4)}
	var cur, peak, refused atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 120; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, ok := ls[i%3].Acquire("t")
			if !ok {
				refused.Add(1)
				return
			}
			n := cur.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			cur.Add(-1)
			rel()
			rel() // a second release frees nothing
		}()
	}
	wg.Wait()
	for _, l := range ls {
		if l.s.Down() {
			t.Fatal("a store fell back during the test; the figure would not be Redis's")
		}
	}
	if peak.Load() > 4 || peak.Load() < 1 || refused.Load() == 0 {
		t.Fatalf("peak %d (limit 4), refused %d", peak.Load(), refused.Load())
	}
	if rel, ok := ls[0].Acquire("t"); !ok {
		t.Fatal("slots not given back")
	} else {
		rel()
	}
}

// TestLeasesLapseWhenReplicaDies: a live replica's leases are renewed; a
// dead one's lapse within the lease TTL.
func TestLeasesLapseWhenReplicaDies(t *testing.T) {
	r := startRedis(t)
	a, b := openTest(t, r.URL(""), nil), openTest(t, r.URL(""), nil)
	la, lb := a.Inflight(2), b.Inflight(2)
	for i := 0; i < 2; i++ {
		if _, ok := la.Acquire("t"); !ok {
			t.Fatal("slot refused")
		}
	}
	time.Sleep(1500 * time.Millisecond) // past the 1s lease: renewed by a's heartbeat
	if _, ok := lb.Acquire("t"); ok {
		t.Fatal("a live replica's lease lapsed")
	}
	a.halt() // a "dies": no more heartbeats or renewals
	deadline := time.Now().Add(3 * time.Second)
	for {
		if rel, ok := lb.Acquire("t"); ok {
			rel()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a dead replica's leases did not lapse")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
