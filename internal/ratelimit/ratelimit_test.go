package ratelimit

import (
	"strings"
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

func TestSecondsRoundsUpToAtLeastOne(t *testing.T) {
	for d, want := range map[time.Duration]int{
		0: 1, -time.Second: 1, time.Millisecond: 1, 400 * time.Millisecond: 1, time.Second: 1,
		time.Second + time.Nanosecond: 2, 2100 * time.Millisecond: 3, time.Minute: 60,
	} {
		if got := Seconds(d); got != want {
			t.Errorf("Seconds(%v) = %d, want %d", d, got, want)
		}
	}
	if got := RetryText(300 * time.Millisecond); got != "1s" {
		t.Errorf("RetryText(300ms) = %q, want 1s", got)
	}
}

func TestSpendRefusalNeverSaysZeroSeconds(t *testing.T) {
	b := New(Config{UnitsPerMinute: 6000, Burst: 1}) // refills 1 unit in 10ms
	if err := b.Spend("alpha", "demo_get_echo", 1); err != nil {
		t.Fatal(err)
	}
	err := b.Spend("alpha", "demo_get_echo", 1)
	if err == nil || !strings.Contains(err.Error(), "retry after 1s") {
		t.Fatalf("refusal of a 10ms wait = %v; want it to say retry after 1s", err)
	}
	err = b.Spend("alpha", "50 × tool", 2)
	if err == nil || !strings.Contains(err.Error(), "more than tenant \"alpha\"'s whole budget of 1") {
		t.Fatalf("a cost over the burst: %v; want it to say it can never fit", err)
	}
	if err := (*Budget)(nil).Spend("alpha", "x", 5); err != nil {
		t.Fatalf("nil budget refused: %v", err)
	}
}

func TestNewHolding(t *testing.T) {
	cfg := Config{UnitsPerMinute: 0.06, Burst: 10} // no refill during the test
	for _, c := range []struct {
		tokens float64
		want   int
	}{{10, 10}, {4.7, 4}, {0.5, 0}, {-3, 0}, {25, 10}} {
		b, got := NewHolding(cfg, c.tokens), 0
		for ok, _ := b.Take(1); ok; ok, _ = b.Take(1) {
			got++
		}
		if got != c.want {
			t.Errorf("NewHolding(%v) granted %d units, want %d", c.tokens, got, c.want)
		}
	}
}
