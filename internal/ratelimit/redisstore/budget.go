package redisstore

import (
	"context"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

var _ ratelimit.Store = (*Store)(nil)

// lastLevel is a bucket's level as Redis last reported it.
type lastLevel struct {
	tokens float64
	at     time.Time
}

// localBudget is one bucket's fail-safe stand-in.
type localBudget = ratelimit.Budget

// Take spends cost units from the shared bucket key (ratelimit.Store). When
// Redis cannot answer within the timeout it spends them from this replica's
// local 1/N bucket instead (the package's fail-safe policy).
func (s *Store) Take(key string, cfg ratelimit.Config, cost int) (bool, time.Duration) {
	if s.Down() {
		return s.takeLocal(key, cfg, cost)
	}
	var res []int64
	err := s.call(func(ctx context.Context) error {
		var err error
		res, err = toInts(takeScript.run(ctx, s.rdb, []string{keyPrefix + "budget:" + key},
			cfg.UnitsPerMinute/60, cfg.Burst, cost))
		return err
	})
	if err != nil || len(res) != 3 {
		return s.takeLocal(key, cfg, cost)
	}
	s.mu.Lock()
	s.last[key] = lastLevel{tokens: float64(res[2]) / 1e6, at: time.Now()}
	s.mu.Unlock()
	if res[0] == 1 {
		return true, 0
	}
	return false, cfg.RefillTime(float64(res[1]) / 1e6)
}

// takeLocal spends from the fail-safe bucket: 1/N of the budget's rate and
// burst, starting from 1/N of what the shared bucket held when last seen
// (refilled since at the full rate, as Redis would have).
func (s *Store) takeLocal(key string, cfg ratelimit.Config, cost int) (bool, time.Duration) {
	s.mu.Lock()
	if s.local == nil { // a first failure, or Redis came back meanwhile
		s.local = map[string]*localBudget{}
	}
	b := s.local[key]
	if b == nil {
		n := float64(s.fraction())
		part := ratelimit.Config{UnitsPerMinute: cfg.UnitsPerMinute / n, Burst: max(1, int(float64(cfg.Burst)/n))}
		level := float64(cfg.Burst)
		if l, ok := s.last[key]; ok {
			level = min(level, l.tokens+time.Since(l.at).Seconds()*cfg.UnitsPerMinute/60)
		}
		b = ratelimit.NewHolding(part, level/n)
		s.local[key] = b
	}
	s.mu.Unlock()
	return b.Take(cost)
}
