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
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] >= l.limit {
		return nil, false
	}
	l.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.n[key]--; l.n[key] <= 0 {
				delete(l.n, key)
			}
		})
	}, true
}

// Running reports how many calls key has running now.
func (l *Inflight) Running(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[key]
}
