package ratelimit

import (
	"sync"
	"testing"
)

func TestInflightCapsPerKey(t *testing.T) {
	l := NewInflight(2)
	r1, ok1 := l.Acquire("contoso")
	r2, ok2 := l.Acquire("contoso")
	_, ok3 := l.Acquire("contoso")
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("want 2 slots then a refusal, got %v %v %v", ok1, ok2, ok3)
	}
	if _, ok := l.Acquire("fabrikam"); !ok {
		t.Fatal("another tenant must not be affected by contoso's calls")
	}
	r1()
	r1() // a second release must not free a second slot
	if _, ok := l.Acquire("contoso"); !ok {
		t.Fatal("a released slot must be reusable")
	}
	if _, ok := l.Acquire("contoso"); ok {
		t.Fatal("double release freed two slots")
	}
	r2()
	if got := l.Running("contoso"); got != 1 {
		t.Fatalf("running %d, want 1", got)
	}
}

func TestInflightConcurrent(t *testing.T) {
	l := NewInflight(3)
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak, cur := 0, 0
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, ok := l.Acquire("t")
			if !ok {
				return
			}
			mu.Lock()
			cur++
			peak = max(peak, cur)
			mu.Unlock()
			mu.Lock()
			cur--
			mu.Unlock()
			rel()
		}()
	}
	wg.Wait()
	if peak > 3 || l.Running("t") != 0 {
		t.Fatalf("peak %d (limit 3), left running %d", peak, l.Running("t"))
	}
}

// TestInflightTryAcquire: TryAcquire and Release share Acquire's slots and
// take none of another key's; TryAcquire allocates nothing.
func TestInflightTryAcquire(t *testing.T) {
	l := NewInflight(2)
	r, _ := l.Acquire("contoso")
	if !l.TryAcquire("contoso") || l.TryAcquire("contoso") {
		t.Fatal("want one more slot beside Acquire's, then a refusal")
	}
	if !l.TryAcquire("fabrikam") {
		t.Fatal("another key must not be affected")
	}
	l.Release("contoso")
	r()
	if got := l.Running("contoso"); got != 0 {
		t.Fatalf("running %d after both released, want 0", got)
	}
	if n := testing.AllocsPerRun(100, func() {
		if l.TryAcquire("contoso") {
			l.Release("contoso")
		}
	}); n != 0 {
		t.Errorf("TryAcquire+Release: %v allocations, want 0", n)
	}
}
