package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Budget bounds the total work of one query, summed over every operator and
// expression it runs (not per operator): a query whose intermediate results
// grow as a product of its inputs (make-series groups × bins, joins,
// mv-expand, range, string building, high-cardinality summarize) stops with
// a "too large: …" error before it allocates past the budget, and one that
// runs past its context's deadline or Steps stops with "too slow: …".
// Zero fields take the defaults documented on each field.
type Budget struct {
	// Bytes caps the estimated bytes of all values the query produces:
	// every operator's new columns, computed strings and arrays, and
	// aggregation state. Default 128 MiB.
	Bytes int64
	// Cells caps the cells (rows × new columns) all operators produce.
	// Default 32,000,000.
	Cells int64
	// Rows caps the rows all operators produce. Default 8,000,000.
	Rows int64
	// Steps caps the units of work (rows visited by the engine's loops,
	// comparisons in sorts). Default 2,000,000,000.
	Steps int64
}

// Default budget values (see Budget).
const (
	DefaultBudgetBytes = 128 << 20
	DefaultBudgetCells = 32_000_000
	DefaultBudgetRows  = 8_000_000
	DefaultBudgetSteps = 2_000_000_000
)

func (b Budget) withDefaults() Budget {
	if b.Bytes <= 0 {
		b.Bytes = DefaultBudgetBytes
	}
	if b.Cells <= 0 {
		b.Cells = DefaultBudgetCells
	}
	if b.Rows <= 0 {
		b.Rows = DefaultBudgetRows
	}
	if b.Steps <= 0 {
		b.Steps = DefaultBudgetSteps
	}
	return b
}

// ErrTooLarge is wrapped (with ErrLimit) when a query would produce more
// than its Budget's bytes, cells or rows.
var ErrTooLarge = errors.New("too large")

// ErrTooSlow is wrapped (with ErrLimit) when a query exceeds its Budget's
// steps; a query stopped by its deadline also wraps the context's error.
var ErrTooSlow = errors.New("too slow")

// limitError is a budget refusal: its text says what to change, and it
// matches ErrLimit, ErrTooLarge or ErrTooSlow and any cause with errors.Is.
type limitError struct {
	msg  string
	errs []error
}

func (e *limitError) Error() string   { return e.msg }
func (e *limitError) Unwrap() []error { return e.errs }

func limitErr(msg string, errs ...error) error {
	return &limitError{msg: "engine: " + msg, errs: append(errs, ErrLimit)}
}

// meter is one query's budget and what it has spent. It is shared by the
// runner and the scalar functions (through callCtx), so a function can
// refuse to build a value the budget cannot hold before allocating it.
type meter struct {
	ctx   context.Context
	b     Budget
	start time.Time
	bytes int64
	cells int64
	rows  int64
	steps int64
	// nextCheck is the step count at which the context is next polled,
	// so hot loops pay an addition and a comparison per call.
	nextCheck int64
}

// checkEvery is how many steps pass between polls of the context.
const checkEvery = 1 << 14

func newMeter(ctx context.Context, b Budget) *meter {
	return &meter{ctx: ctx, b: b.withDefaults(), start: time.Now(), nextCheck: checkEvery}
}

// check polls the context now.
func (m *meter) check() error {
	if err := m.ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return limitErr(fmt.Sprintf("too slow: the query did not finish before its deadline (stopped after %s); add a filter, narrow the time range or summarize earlier",
				time.Since(m.start).Round(time.Millisecond)), ErrTooSlow, err)
		}
		return fmt.Errorf("engine: query stopped: %w", err)
	}
	return nil
}

// step counts n units of work, polling the context every checkEvery units.
func (m *meter) step(n int) error {
	m.steps += int64(n)
	if m.steps < m.nextCheck {
		return nil
	}
	m.nextCheck = m.steps + checkEvery
	if m.steps > m.b.Steps {
		return limitErr(fmt.Sprintf("too slow: the query needs more than %d steps of work (the budget's limit); add a filter, narrow the time range or summarize earlier",
			m.b.Steps), ErrTooSlow)
	}
	return m.check()
}

// tooLarge is the error for a budget of what (bytes, cells, rows) that the
// query would exceed while doing op.
func tooLarge(op, what string, limit int64) error {
	size := fmt.Sprintf("%d %s", limit, what)
	if what == "bytes" {
		size = formatBytes(limit)
	}
	return limitErr(fmt.Sprintf("too large: %s would exceed the query's budget of %s (limit); narrow the range or time window, add a filter, or summarize earlier",
		op, size), ErrTooLarge)
}

func formatBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// bytesLeft is what the query may still produce.
func (m *meter) bytesLeft() int64 { return m.b.Bytes - m.bytes }

// need refuses, before allocating, an operation that would produce n more
// bytes than the budget has left; it charges nothing.
func (m *meter) need(op string, n int64) error {
	if n > m.bytesLeft() || n < 0 {
		return tooLarge(op, "bytes", m.b.Bytes)
	}
	return nil
}

// addBytes charges n produced bytes.
func (m *meter) addBytes(op string, n int64) error {
	m.bytes += n
	if m.bytes > m.b.Bytes {
		return tooLarge(op, "bytes", m.b.Bytes)
	}
	return nil
}

// needRows refuses, before allocating, rows×cols more cells and rows than
// the budget has left (bytesPerCell estimates their memory); it charges nothing.
func (m *meter) needRows(op string, rows, cols, bytesPerCell int64) error {
	switch {
	case rows < 0 || m.rows+rows > m.b.Rows:
		return tooLarge(op, "rows", m.b.Rows)
	case cols > 0 && rows > (m.b.Cells-m.cells)/cols:
		return tooLarge(op, "cells", m.b.Cells)
	case cols > 0 && bytesPerCell > 0 && rows > m.bytesLeft()/(cols*bytesPerCell):
		return tooLarge(op, "bytes", m.b.Bytes)
	}
	return nil
}

// rowsFit is how many more rows of cols columns (bytesPerCell each) the
// budget can still hold; loops that grow a table compare against it.
func (m *meter) rowsFit(cols, bytesPerCell int64) int64 {
	n := m.b.Rows - m.rows
	if cols > 0 {
		n = min(n, (m.b.Cells-m.cells)/cols)
		if bytesPerCell > 0 {
			n = min(n, m.bytesLeft()/(cols*bytesPerCell))
		}
	}
	return max(n, 0)
}

// reserve charges, before they are allocated, cells that a table's
// accounting would not see (array elements, aggregation state) and their
// estimated bytes.
func (m *meter) reserve(op string, cells, bytesPerCell int64) error {
	if cells < 0 || cells > m.b.Cells-m.cells {
		return tooLarge(op, "cells", m.b.Cells)
	}
	if bytesPerCell > 0 && cells > m.bytesLeft()/bytesPerCell {
		return tooLarge(op, "bytes", m.b.Bytes)
	}
	m.cells += cells
	m.bytes += cells * bytesPerCell
	return nil
}

// addTable charges an operator's output: its rows, the cells of its new
// columns and their estimated bytes.
func (m *meter) addTable(op string, rows int, cells, bytes int64) error {
	m.rows += int64(rows)
	m.cells += cells
	m.bytes += bytes
	switch {
	case m.rows > m.b.Rows:
		return tooLarge(op, "rows", m.b.Rows)
	case m.cells > m.b.Cells:
		return tooLarge(op, "cells", m.b.Cells)
	case m.bytes > m.b.Bytes:
		return tooLarge(op, "bytes", m.b.Bytes)
	}
	return nil
}

// cellBytes estimates a materialised cell's memory by kind (string payloads
// are charged where they are computed; gathered strings share them).
func cellBytes(k kind) int64 {
	switch k {
	case kString, kGuid, kDynamic:
		return 16
	case kNull:
		return 1
	}
	return 8
}

// chargeTable charges out, the result of op over in: columns out shares
// with in cost nothing, lazy gathers cost their index slices (counted once
// when columns share one), materialised columns their cells.
func (r *runner) chargeTable(op string, in, out *Table) error {
	if out == nil || out == in {
		return nil
	}
	var old map[*vec]bool
	if in != nil {
		old = make(map[*vec]bool, len(in.data))
		for _, v := range in.data {
			old[v] = true
		}
	}
	var cells, bytes int64
	var lastSel *int32
	for _, v := range out.data {
		if old[v] {
			continue
		}
		cells += int64(out.n)
		switch {
		case v.cst:
		case v.src != nil:
			if len(v.sel) > 0 && &v.sel[0] != lastSel {
				lastSel = &v.sel[0]
				bytes += 4 * int64(len(v.sel))
			}
		default:
			bytes += cellBytes(v.k) * int64(v.n)
			if v.null != nil {
				bytes += int64(v.n)
			}
		}
	}
	rows := out.n
	if in != nil && out.n <= in.n && cells == 0 {
		rows = 0 // a rename, reorder or pass-through produces nothing new
	}
	return r.m.addTable(op, rows, cells, bytes)
}

// need is meter.need for scalar functions; a callCtx without a meter
// (none in the engine today) has no budget.
func (c *callCtx) need(op string, n int64) error {
	if c == nil || c.m == nil {
		return nil
	}
	return c.m.need(op, n)
}

// chargeResult charges the payload of the result's strings and dynamic
// values: a constant column broadcast over the result's rows shares one
// value in memory but is repeated by every rendering of the result.
func (r *runner) chargeResult(t *Table) error {
	var n int64
	for _, v := range t.data {
		var col int64
		switch v.k {
		case kString, kGuid:
			for _, s := range v.s {
				col += int64(len(s))
			}
		case kDynamic:
			for _, d := range v.d {
				col += shallowSize(d)
			}
		}
		if v.cst {
			col *= int64(t.n)
		}
		n += col
	}
	return r.m.addBytes("the result", n)
}

// shallowSize estimates a dynamic value's size from its top level.
func shallowSize(d any) int64 {
	switch x := d.(type) {
	case string:
		return int64(len(x))
	case []any:
		return 16 * int64(len(x))
	case map[string]any:
		return 32 * int64(len(x))
	}
	return 8
}

// step is meter.step for scalar functions that loop.
func (c *callCtx) step(n int) error {
	if c == nil || c.m == nil {
		return nil
	}
	return c.m.step(n)
}
