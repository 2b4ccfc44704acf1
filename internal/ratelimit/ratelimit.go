// Package ratelimit implements per-tenant capacity budgets, modelled on
// Security Compute Units: each tenant has a bucket of capacity units that
// refills at a steady rate, and each tool call spends the tool's cost. A call
// that would overdraw the bucket is refused at once with the time after which
// it would fit — it never queues, so a flooding tenant gets fast, clean
// refusals and holds no goroutines or upstream connections that other
// tenants need.
package ratelimit

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Config is one tenant's budget.
type Config struct {
	// UnitsPerMinute is the refill rate.
	UnitsPerMinute float64 `yaml:"unitsPerMinute" json:"unitsPerMinute"`
	// Burst is the bucket size: how many units can be spent at once after idling.
	Burst int `yaml:"burst" json:"burst"`
}

// Default is the budget a tenant gets when the configuration names none.
var Default = Config{UnitsPerMinute: 600, Burst: 120}

// Validate reports a configuration error in words an operator can act on.
func (c Config) Validate() error {
	if c.UnitsPerMinute <= 0 || math.IsInf(c.UnitsPerMinute, 0) || math.IsNaN(c.UnitsPerMinute) {
		return fmt.Errorf("unitsPerMinute must be a positive number, got %v", c.UnitsPerMinute)
	}
	if c.Burst < 1 {
		return fmt.Errorf("burst must be at least 1, got %d", c.Burst)
	}
	return nil
}

// Budget is one tenant's bucket. It is safe for concurrent use.
type Budget struct {
	cfg Config
	lim *rate.Limiter
	now func() time.Time
}

// New returns a full budget.
func New(cfg Config) *Budget {
	return &Budget{cfg: cfg, lim: rate.NewLimiter(rate.Limit(cfg.UnitsPerMinute/60), cfg.Burst), now: time.Now}
}

// Config returns the budget's configuration.
func (b *Budget) Config() Config { return b.cfg }

// Take spends cost units if they are available now. Otherwise it spends
// nothing and returns how long until they would be.
func (b *Budget) Take(cost int) (ok bool, retryAfter time.Duration) {
	if cost <= 0 {
		return true, 0
	}
	if cost > b.cfg.Burst {
		// Can never fit: report the time to refill a full bucket so the
		// message stays truthful; the caller explains the cost.
		return false, time.Duration(float64(b.cfg.Burst) / (b.cfg.UnitsPerMinute / 60) * float64(time.Second))
	}
	now := b.now()
	r := b.lim.ReserveN(now, cost)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Available reports the units available now (for status output).
func (b *Budget) Available() float64 { return b.lim.TokensAt(b.now()) }
