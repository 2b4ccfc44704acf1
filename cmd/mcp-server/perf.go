package main

import (
	"fmt"
	"math"
	"os"
	"runtime/pprof"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
)

// checkDemoBudget refuses a --demo-budget that is negative, not a number,
// or given together with --config (a configuration sets budgets itself).
func (o *options) checkDemoBudget() error {
	switch {
	case o.demoBudget == 0:
		return nil
	case o.demoBudget < 0 || math.IsNaN(o.demoBudget) || math.IsInf(o.demoBudget, 0):
		return fmt.Errorf("--demo-budget %v must be a positive number of units per minute", o.demoBudget)
	case o.configPath != "":
		return fmt.Errorf("--demo-budget applies to the demo tenants only; with --config set budgets.default in the configuration instead")
	}
	return nil
}

// demoBudgetConfig is the budget --demo-budget gives each demo tenant.
func demoBudgetConfig(unitsPerMinute float64) ratelimit.Config {
	return ratelimit.Config{UnitsPerMinute: unitsPerMinute, Burst: max(1, int(unitsPerMinute/5))}
}

// applyDemoBudget gives every demo tenant a fresh budget of unitsPerMinute.
func applyDemoBudget(reg *tenant.Registry, unitsPerMinute float64) {
	for _, t := range reg.Permitted([]string{"*"}) {
		t.Budget = ratelimit.New(demoBudgetConfig(unitsPerMinute))
	}
}

// startCPUProfile starts --cpu-profile's profile and returns the function
// that stops it and closes the file (a no-op without the flag).
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
