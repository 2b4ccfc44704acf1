package ratelimit

import "sync"

// Inflight caps how many calls each key (a tenant alias) may have running at
// once, so one tenant's expensive calls cannot take every CPU from the
// others. Like Budget it never queues: a call over the cap is refused at
// once. It is safe for concurrent use.
type Inflight struct {
	limit int
	mu    sync.Mutex
	n     map[string]int
}

// NewInflight returns a limiter allowing limit concurrent calls per key.
func NewInflight(limit int) *Inflight {
	return &Inflight{limit: limit, n: map[string]int{}}
}

// Limit is the most calls one key may have running.
func (l *Inflight) Limit() int { return l.limit }

// Acquire takes a slot for key and returns the func that gives it back
// (safe to call more than once), or ok=false when key is at its limit.
func (l *Inflight) Acquire(key string) (release func(), ok bool) {
	if !l.TryAcquire(key) {
		return nil, false
	}
	var once sync.Once
	return func() { once.Do(func() { l.Release(key) }) }, true
}

// TryAcquire takes a slot for key, or reports false when key is at its
// limit. Unlike Acquire it allocates nothing (the HTTP gate takes a slot on
// every request; issue 16): the caller gives the slot back with exactly
// one Release(key).
func (l *Inflight) TryAcquire(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] >= l.limit {
		return false
	}
	l.n[key]++
	return true
}

// Release gives back a slot TryAcquire took.
func (l *Inflight) Release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key]--; l.n[key] <= 0 {
		delete(l.n, key)
	}
}

// Running reports how many calls key has running now.
func (l *Inflight) Running(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[key]
}
