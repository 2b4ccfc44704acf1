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
	// store, when set, keeps the bucket instead of lim (see Shared).
	store Store
	key   string
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
		return false, b.cfg.RefillTime(float64(b.cfg.Burst))
	}
	if b.store != nil {
		return b.store.Take(b.key, b.cfg, cost)
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

// Available reports the units available now in this process's bucket (for
// status output and tests); a budget kept in a shared Store reports its
// burst, since only the store knows the shared bucket.
func (b *Budget) Available() float64 {
	if b.store != nil {
		return float64(b.cfg.Burst)
	}
	return b.lim.TokensAt(b.now())
}

// RefillTime is how long the bucket takes to refill units units: the wait a
// refusal advises, computed the same way for every Store.
func (c Config) RefillTime(units float64) time.Duration {
	return time.Duration(units / (c.UnitsPerMinute / 60) * float64(time.Second))
}

// Seconds is d in whole seconds, rounded up and at least 1: the figure a
// refusal advises waiting. Rounding to the nearest second would advise
// "retry after 0s" for a wait under half a second, and a caller retrying at
// once would be refused again.
func Seconds(d time.Duration) int {
	if d <= time.Second {
		return 1
	}
	return int((d + time.Second - 1) / time.Second)
}

// RetryText words a wait for a refusal message: "retry after 3s" advises
// RetryText(2100*time.Millisecond) == "3s".
func RetryText(d time.Duration) string { return fmt.Sprintf("%ds", Seconds(d)) }

// Refusal is a budget's refusal of a cost, worded for the caller.
type Refusal struct {
	// Tenant is the alias of the tenant whose budget refused.
	Tenant string
	// What was refused: a tool name, "reading secmcp://…", "3 × tool".
	What string
	// Cost is what it would have cost; Burst the budget's size.
	Cost, Burst int
	// RetryAfter is when the units will be there.
	RetryAfter time.Duration
}

func (r *Refusal) Error() string {
	if r.Cost > r.Burst {
		return fmt.Sprintf("%s costs %d capacity units, more than tenant %q's whole budget of %d; do less in one call (a lower max or top), or ask the operator to raise the tenant's burst",
			r.What, r.Cost, r.Tenant, r.Burst)
	}
	return fmt.Sprintf("tenant %q has spent its capacity budget (%s costs %s); retry after %s",
		r.Tenant, r.What, units(r.Cost), RetryText(r.RetryAfter))
}

func units(n int) string {
	if n == 1 {
		return "1 unit"
	}
	return fmt.Sprintf("%d units", n)
}

// Spend takes cost units for what (named in the refusal), or spends nothing
// and returns a *Refusal. A nil budget spends nothing and refuses nothing.
func (b *Budget) Spend(tenant, what string, cost int) error {
	if b == nil {
		return nil
	}
	ok, wait := b.Take(cost)
	if ok {
		return nil
	}
	return &Refusal{Tenant: tenant, What: what, Cost: cost, Burst: b.cfg.Burst, RetryAfter: wait}
}
