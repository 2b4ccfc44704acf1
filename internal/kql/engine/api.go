package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Result is a query's output table plus what the caller should know about it.
type Result struct {
	*Table
	// Truncated is true when the result had more rows than Options.MaxRows
	// and was cut to that many.
	Truncated bool
	// TotalRows is the row count before truncation.
	TotalRows int
}

// Run executes a parsed script against cat. The result is cut to
// opts.MaxRows rows (Result.Truncated says so). Unsupported features fail
// with an error wrapping ErrNotSupported; limits with ErrLimit; a missing
// table with ErrUnknownTable; externaldata with ErrExternalData.
func Run(ctx context.Context, script *syntax.Script, cat Catalog, opts Options) (res *Result, err error) {
	return runWith(newRunner(ctx, cat, opts), script)
}

// runWith is Run on a prepared runner (the fuzz target reads its meter).
func runWith(r *runner, script *syntax.Script) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("engine: internal error (please report): %v\n%s", p, firstLines(string(debug.Stack()), 12))
		}
	}()
	if script == nil {
		return nil, errors.New("engine: no script")
	}
	t, err := r.execScript(script, &scope{vars: map[string]*binding{}})
	if err != nil {
		return nil, err
	}
	out := &Result{Table: t, TotalRows: t.n}
	if t.n > r.opts.MaxRows {
		out.Table = t.slice(0, r.opts.MaxRows)
		out.Table.render = t.render
		out.Truncated = true
	}
	out.Table = out.Table.materialized()
	if err := r.chargeResult(out.Table); err != nil {
		return nil, err
	}
	return out, nil
}

// Query parses src with syntax.Parse and runs it; syntax errors are
// returned as one error listing the diagnostics.
func Query(ctx context.Context, src string, cat Catalog, opts Options) (*Result, error) {
	script, diags := syntax.Parse(src)
	if syntax.HasErrors(diags) {
		var msgs []string
		for _, d := range diags {
			if d.Severity == syntax.SeverityError {
				msgs = append(msgs, d.String())
			}
			if len(msgs) == 5 {
				break
			}
		}
		return nil, fmt.Errorf("engine: syntax error: %s", strings.Join(msgs, "; "))
	}
	return Run(ctx, script, cat, opts)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// materialized expands constant columns so the table owns full columns.
func (t *Table) materialized() *Table {
	out := *t
	out.data = make([]*vec, len(t.data))
	for j, v := range t.data {
		c := *v
		c.n = t.n
		out.data[j] = c.materialize()
	}
	return &out
}
