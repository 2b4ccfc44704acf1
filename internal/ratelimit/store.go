package ratelimit

import (
	"math"
	"time"
)

// Store keeps budget buckets somewhere other than this process, so that
// several replicas of the server spend one budget per tenant (Redis, in
// package redisstore). A Store never fails a call: when it cannot reach its
// backend it applies its own stated fail-safe policy and answers anyway.
type Store interface {
	// Take spends cost units (0 < cost <= cfg.Burst) from the bucket named
	// key, whose size and refill rate are cfg, if they are there now.
	// Otherwise it spends nothing and returns how long until they would
	// be (cfg.RefillTime of the shortfall).
	Take(key string, cfg Config, cost int) (ok bool, retryAfter time.Duration)
}

// Shared returns a budget with b's configuration whose bucket is kept in
// store under key (the tenant alias), instead of in this process. The
// checks that need no bucket (free calls, a cost above the burst) stay
// here, so both kinds refuse with the same words and waits.
func (b *Budget) Shared(store Store, key string) *Budget {
	return &Budget{cfg: b.cfg, lim: b.lim, now: b.now, store: store, key: key}
}

// NewHolding returns a budget of cfg that holds tokens units now (at most
// cfg.Burst, rounded down to whole units) instead of a full bucket: a
// stand-in bucket that must not grant more than the one it stands in for.
func NewHolding(cfg Config, tokens float64) *Budget {
	b := New(cfg)
	if spent := int(math.Ceil(float64(cfg.Burst) - tokens)); spent > 0 {
		b.lim.AllowN(b.now(), min(spent, cfg.Burst))
	}
	return b
}
