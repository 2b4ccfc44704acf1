package ratelimit

import (
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	b := New(Config{UnitsPerMinute: 60, Burst: 5})
	b.now = func() time.Time { return now }
	for i := 0; i < 5; i++ {
		if ok, _ := b.Take(1); !ok {
			t.Fatalf("call %d refused within the burst", i)
		}
	}
	ok, wait := b.Take(2)
	if ok || wait < 1900*time.Millisecond || wait > 2100*time.Millisecond {
		t.Fatalf("over budget: ok=%v wait=%v, want refused with ~2s", ok, wait)
	}
	// A refusal spends nothing: after one second one unit is back.
	now = now.Add(time.Second)
	if ok, _ := b.Take(1); !ok {
		t.Fatal("refill not honoured (a refusal must not spend units)")
	}
	if ok, wait := b.Take(6); ok || wait <= 0 {
		t.Fatalf("a cost above the burst can never fit: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := b.Take(0); !ok {
		t.Fatal("free calls must pass")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{0, 1}, {-1, 1}, {10, 0}} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if err := Default.Validate(); err != nil {
		t.Fatal(err)
	}
}
