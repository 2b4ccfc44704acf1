package kqlcheck

import (
	"errors"
	"sync"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kql/guard"
	"github.com/secmcp/secmcp/internal/kql/schema"
)

// BuiltinSchema returns the schema of the tables built into the server: the
// table catalogue's union of Microsoft's published Defender XDR Advanced
// Hunting and Sentinel table references (internal/kql/catalog), each table
// with its native time column. It is shared; callers must not add tables
// to it.
func BuiltinSchema() *schema.Schema { return catalog.Schema("") }

// TargetSchema returns the built-in tables as one product has them:
// "defender" (Advanced Hunting: no Sentinel-only tables, Timestamp, no time
// column on the DeviceTvm* snapshots) or "sentinel" (Log Analytics:
// TimeGenerated); "" is BuiltinSchema. An unknown target is nil.
func TargetSchema(target string) *schema.Schema {
	p, err := catalog.ParseProduct(target)
	if err != nil {
		return nil
	}
	return catalog.Schema(p)
}

// BuiltinSchemaErrors returns what is wrong with the table catalogue; it is
// empty unless the catalogue's data is inconsistent.
func BuiltinSchemaErrors() []error {
	err := catalog.Err()
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

var (
	defaultOnce    sync.Once
	defaultChecker *Checker
	targetOnce     sync.Once
	targetCheckers map[string]*Checker
)

// Default returns the shared Checker over BuiltinSchema with the guard's
// default options (every risky construct refused, rows capped at
// guard.DefaultMaxRows). It is built on first call, so wiring it costs
// nothing at start-up: pass kqlcheck.Default itself where a func is wanted.
func Default() *Checker {
	defaultOnce.Do(func() { defaultChecker = New(BuiltinSchema(), guard.Options{}) })
	return defaultChecker
}

// ErrUnknownTarget is returned by ForTarget for a target other than
// "defender", "sentinel" or "".
var ErrUnknownTarget = errors.New("kqlcheck: unknown target (use defender or sentinel)")

// ForTarget returns the shared Checker over TargetSchema(target) with the
// guard's default options; "" is Default.
func ForTarget(target string) (*Checker, error) {
	if target == "" {
		return Default(), nil
	}
	targetOnce.Do(func() {
		targetCheckers = map[string]*Checker{}
		for _, p := range []catalog.Product{catalog.Defender, catalog.Sentinel} {
			targetCheckers[string(p)] = New(catalog.Schema(p), guard.Options{})
		}
	})
	c, ok := targetCheckers[target]
	if !ok {
		return nil, ErrUnknownTarget
	}
	return c, nil
}
