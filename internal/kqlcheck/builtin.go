package kqlcheck

import (
	"sync"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kql/guard"
	"github.com/secmcp/secmcp/internal/kql/schema"
)

var (
	builtinOnce   sync.Once
	builtinSchema *schema.Schema
	builtinErrs   []error
)

// BuiltinSchema returns the schema of the tables built into the server: the
// columns of Microsoft's published Defender XDR Advanced Hunting and Sentinel
// table references, as the fixtures package embeds them. It is built once, on
// first call, and shared; callers must not add tables to it.
func BuiltinSchema() *schema.Schema {
	builtinOnce.Do(buildBuiltin)
	return builtinSchema
}

// BuiltinSchemaErrors returns the tables BuiltinSchema had to leave out
// (a column of an unknown type); it is empty unless the fixtures are broken.
func BuiltinSchemaErrors() []error {
	builtinOnce.Do(buildBuiltin)
	return builtinErrs
}

func buildBuiltin() {
	s := schema.New()
	for _, name := range fixtures.TableNames() {
		cols, ok := fixtures.TableColumns(name)
		if !ok {
			continue
		}
		sc := make([]schema.Column, len(cols))
		for i, c := range cols {
			sc[i] = schema.Column{Name: c.Name, Type: c.Type}
		}
		if err := s.AddTable(name, sc); err != nil {
			builtinErrs = append(builtinErrs, err)
		}
	}
	builtinSchema = s
}

var (
	defaultOnce    sync.Once
	defaultChecker *Checker
)

// Default returns the shared Checker over BuiltinSchema with the guard's
// default options (every risky construct refused, rows capped at
// guard.DefaultMaxRows). It is built on first call, so wiring it costs
// nothing at start-up: pass kqlcheck.Default itself where a func is wanted.
func Default() *Checker {
	defaultOnce.Do(func() { defaultChecker = New(BuiltinSchema(), guard.Options{}) })
	return defaultChecker
}
