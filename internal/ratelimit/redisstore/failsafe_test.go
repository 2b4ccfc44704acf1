package redisstore

import (
	"context"
	"errors"

	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// TestFailSafe: with Redis gone each replica grants 1/N of what the shared
// bucket held, without stalling calls, logs the change once, and shares
// again once Redis is back.
func TestFailSafe(t *testing.T) {
	r := startRedis(t)
	logs := &logBuffer{}
	s := openTest(t, r.URL("replicas=2"), logs)
	b := ratelimit.New(ratelimit.Config{UnitsPerMinute: 0.06, Burst: 10}).Shared(s, "gamma")
	lim := s.Inflight(4)
	if ok, _ := b.Take(2); !ok { // 8 left in Redis
		t.Fatal("refused with Redis up")
	}
	r.Stop()
	start := time.Now()
	granted := 0
	for i := 0; i < 50; i++ {
		if ok, _ := b.Take(1); ok {
			granted++
		}
	}
	if d := time.Since(start); d > DefaultTimeout+300*time.Millisecond {
		t.Errorf("50 calls during the outage took %v; only the first may wait for the %v timeout", d, DefaultTimeout)
	}
	if !s.Down() || granted != 4 {
		t.Fatalf("outage: down=%v, granted %d units; want the fallback's 8/2 = 4", s.Down(), granted)
	}
	var rels []func()
	for i := 0; i < 3; i++ {
		if rel, ok := lim.Acquire("gamma"); ok {
			rels = append(rels, rel)
		}
	}
	if len(rels) != 2 {
		t.Fatalf("in-flight during the outage: %d slots, want 4/2 = 2", len(rels))
	}
	for _, rel := range rels {
		rel()
	}
	time.Sleep(300 * time.Millisecond) // several failed heartbeats
	if n := logs.count("budget store unreachable"); n != 1 {
		t.Fatalf("the outage was logged %d times, want once:\n%s", n, logs)
	}
	r.Restart()
	waitFor(t, func() bool { return !s.Down() }, "the store to share again after Redis restarted")
	if ok, _ := b.Take(10); !ok { // the restarted Redis is empty: a full bucket
		t.Fatal("Redis's full bucket refused after recovery")
	}
	if ok, _ := b.Take(1); ok {
		t.Fatal("after recovery the shared bucket over-granted")
	}
	if n := logs.count("budget store reachable again"); n != 1 {
		t.Fatalf("the recovery was logged %d times, want once:\n%s", n, logs)
	}
}

// TestStartsDownAndRecovers: a replica started while Redis is unreachable
// serves from its fallback and shares once Redis answers.
func TestStartsDownAndRecovers(t *testing.T) {
	r := startRedis(t, "--requirepass", "hunter2hunter2")
	r.Stop()
	logs := &logBuffer{}
	s := openTest(t, r.URLAs("hunter2hunter2", "replicas=3"), logs)
	if !s.Down() {
		t.Fatal("up without Redis")
	}
	b := ratelimit.New(ratelimit.Config{UnitsPerMinute: 0.06, Burst: 9}).Shared(s, "delta")
	granted := 0
	for i := 0; i < 10; i++ {
		if ok, _ := b.Take(1); ok {
			granted++
		}
	}
	if granted != 3 {
		t.Fatalf("granted %d with Redis never seen and replicas=3; want 9/3 = 3", granted)
	}
	r.Restart()
	waitFor(t, func() bool { return !s.Down() }, "the store to share once Redis started")
	if ok, _ := b.Take(9); !ok {
		t.Fatal("the shared bucket (authenticated) refused")
	}
	if c := logs.String(); logs.count("budget store unreachable") != 1 || contains(c, "hunter2") {
		t.Fatalf("want one outage line and no password in the log:\n%s", c)
	}
}

func TestOpenRefusesBadURL(t *testing.T) {
	_, err := Open(context.Background(), "redis://:pw@127.0.0.1:1/notanumber", slog.New(slog.DiscardHandler))
	if err == nil || contains(err.Error(), ":pw@") {
		t.Fatalf("bad DB: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestOneSlowAnswerIsNoOutage: a single failed round trip (a slow answer on
// a busy machine) is answered by the fallback without entering the
// fail-safe; a second in a row enters it; a success in between resets.
func TestOneSlowAnswerIsNoOutage(t *testing.T) {
	logs := &logBuffer{}
	s := &Store{log: slog.New(slog.NewJSONHandler(logs, nil)), last: map[string]lastLevel{}, replicas: 1, timeout: time.Second}
	slow := func(context.Context) error { return errors.New("i/o timeout") }
	fine := func(context.Context) error { return nil }
	_ = s.call(slow)
	if s.Down() {
		t.Fatal("one failure entered the fail-safe")
	}
	_ = s.call(fine)
	_ = s.call(slow)
	if s.Down() {
		t.Fatal("a success did not reset the count")
	}
	_ = s.call(slow)
	if !s.Down() || logs.count("budget store unreachable") != 1 {
		t.Fatalf("two failures in a row: down=%v, log:\n%s", s.Down(), logs)
	}
}
