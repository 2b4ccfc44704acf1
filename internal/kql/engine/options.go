package engine

import (
	"errors"
	"time"
)

// Options bound and parameterise one execution. Zero fields take the defaults
// documented on each field.
type Options struct {
	// Clock supplies now() and ago(); it is read once per query, so every
	// now() in a query sees the same instant (as in Kusto). Default time.Now.
	Clock func() time.Time
	// MaxRows caps the result; a larger result is truncated and Result
	// reports it. Default 10,000.
	MaxRows int
	// MaxIntermediateRows caps any intermediate table (join output,
	// mv-expand, range, union ...). Default 5,000,000.
	MaxIntermediateRows int
	// MaxCells caps rows×columns of any intermediate table, a proxy for
	// memory. Default 200,000,000.
	MaxCells int
	// Budget bounds the query's total bytes, cells, rows and steps over all
	// its operators (see Budget); computed strings and arrays count against
	// Budget.Bytes.
	Budget Budget
	// MaxRegexBytes caps the length of a regular expression. Default 4,096.
	MaxRegexBytes int
	// Seed seeds rand(), sample and new_guid() so runs are reproducible.
	// Default 1.
	Seed int64
}

// ErrLimit is wrapped by errors for exceeded execution limits.
var ErrLimit = errors.New("limit exceeded")

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 10_000
	}
	if o.MaxIntermediateRows <= 0 {
		o.MaxIntermediateRows = 5_000_000
	}
	if o.MaxCells <= 0 {
		o.MaxCells = 200_000_000
	}
	o.Budget = o.Budget.withDefaults()
	if o.MaxRegexBytes <= 0 {
		o.MaxRegexBytes = 4096
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}
