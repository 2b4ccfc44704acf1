package redisstore

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// Inflight caps the tool calls each tenant has running at once across
// every replica sharing the store. Each running call holds a lease in
// Redis that its replica renews every second; a replica that dies stops
// renewing, and its leases lapse within ten seconds. It implements the
// invoker's in-flight limiter (Acquire, Limit). Safe for concurrent use.
type Inflight struct {
	s     *Store
	limit int
	seq   atomic.Uint64

	mu    sync.Mutex
	held  map[string]map[string]struct{} // tenant -> lease IDs held in Redis
	local *ratelimit.Inflight            // the fail-safe's 1/N limiter
}

// Inflight returns the store's in-flight limiter allowing limit calls per
// tenant across all replicas.
func (s *Store) Inflight(limit int) *Inflight {
	l := &Inflight{s: s, limit: limit, held: map[string]map[string]struct{}{}}
	s.mu.Lock()
	n, down := s.fraction(), s.down
	s.inflights = append(s.inflights, l)
	s.mu.Unlock()
	if down {
		l.fallBack(n)
	}
	return l
}

// Limit is the most calls one tenant may have running on all replicas.
func (l *Inflight) Limit() int { return l.limit }

// fallBack readies the local limiter of limit/N (at least 1) for an
// outage. The same limiter serves every outage while N stays the same, so
// calls still running from an earlier outage keep counting against it.
func (l *Inflight) fallBack(n int) {
	want := max(1, l.limit/n)
	l.mu.Lock()
	if l.local == nil || l.local.Limit() != want {
		l.local = ratelimit.NewInflight(want)
	}
	l.mu.Unlock()
}

// Acquire takes a slot for tenant and returns the func that gives it back
// (safe to call more than once), or ok=false when the tenant is at its limit.
func (l *Inflight) Acquire(tenant string) (release func(), ok bool) {
	if l.s.Down() {
		return l.acquireLocal(tenant)
	}
	key := keyPrefix + "inflight:" + tenant
	id := l.s.id + ":" + strconv.FormatUint(l.seq.Add(1), 10)
	var got int64
	err := l.s.call(func(ctx context.Context) error {
		var err error
		got, err = toInt(acquireScript.run(ctx, l.s.rdb, []string{key}, l.limit, id, l.s.lease.Milliseconds()))
		return err
	})
	if err != nil {
		return l.acquireLocal(tenant)
	}
	if got != 1 {
		return nil, false
	}
	l.mu.Lock()
	if l.held[tenant] == nil {
		l.held[tenant] = map[string]struct{}{}
	}
	l.held[tenant][id] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.held[tenant], id)
			l.mu.Unlock()
			if !l.s.Down() { // else the lease lapses by itself
				_ = l.s.call(func(ctx context.Context) error { _, err := l.s.rdb.do(ctx, "ZREM", key, id); return err })
			}
		})
	}, true
}

func (l *Inflight) acquireLocal(tenant string) (func(), bool) {
	l.fallBack(l.s.n())
	l.mu.Lock()
	local := l.local
	l.mu.Unlock()
	return local.Acquire(tenant)
}

// renew extends the leases this replica holds (called by the heartbeat).
func (l *Inflight) renew() {
	l.mu.Lock()
	batches := map[string][]any{}
	for tenant, ids := range l.held {
		if len(ids) == 0 {
			delete(l.held, tenant)
			continue
		}
		args := []any{l.s.lease.Milliseconds()}
		for id := range ids {
			args = append(args, id)
		}
		batches[tenant] = args
	}
	l.mu.Unlock()
	for tenant, args := range batches {
		err := l.s.call(func(ctx context.Context) error {
			_, err := renewScript.run(ctx, l.s.rdb, []string{keyPrefix + "inflight:" + tenant}, args...)
			return err
		})
		if err != nil {
			return
		}
	}
}
