package kusto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/Azure/azure-kusto-go/azkustodata/query"
	queryv2 "github.com/Azure/azure-kusto-go/azkustodata/query/v2"
	"github.com/Azure/azure-kusto-go/azkustodata/value"

	"github.com/secmcp/secmcp/internal/source"
)

// Cell values, by column type:
//
//	string             string ("" for null: Kusto strings are never null)
//	datetime           time.Time (UTC)
//	long, int          int64
//	real               float64 (NaN and ±Inf included)
//	decimal            float64 (nearest)
//	bool               bool
//	guid               string (lower case)
//	timespan           time.Duration
//	dynamic            map[string]any, []any, string, bool, int64, float64 (the
//	                   JSON value; integers are int64, numbers with a fraction
//	                   or exponent float64)
//	any null           nil
//
// SDK quirk: a dynamic cell holding a JSON string reaches us without its
// quotes, so a dynamic string that itself reads as JSON ("42", "true",
// "[1]") comes back as that JSON value, not as a string.

// readDataSet decodes a v2 response body with the SDK behind the guard and
// keeps the first primary result, at most maxRows rows of it.
func readDataSet(ctx context.Context, body io.ReadCloser, maxRows int, maxBytes int64) (*Result, error) {
	guard := newFrameGuard(body, maxBytes)
	ds, err := queryv2.NewIterativeDataset(ctx, guard, queryv2.DefaultIoCapacity, queryv2.DefaultRowCapacity, queryv2.DefaultTableCapacity)
	if err != nil {
		_ = guard.Close()
		return nil, firstError(guard.Err(), err)
	}
	defer func() { _ = ds.Close() }()
	var res *Result
	for tr := range ds.Tables() {
		if err := tr.Err(); err != nil {
			return nil, firstError(guard.Err(), err)
		}
		t := tr.Table()
		if res != nil || !t.IsPrimaryResult() {
			if err := drain(t); err != nil {
				return nil, firstError(guard.Err(), err)
			}
			continue
		}
		if res, err = readPrimary(t, maxRows); err != nil {
			return nil, firstError(guard.Err(), err)
		}
		if res.Truncated {
			return res, nil // the rest is not needed; Close cancels the reader
		}
	}
	if err := guard.Err(); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, fmt.Errorf("%w: no primary result table", ErrMalformedResponse)
	}
	return res, nil
}

// firstError prefers the guard's diagnosis over what the SDK made of it.
func firstError(guardErr, sdkErr error) error {
	if guardErr != nil {
		return guardErr
	}
	return sdkErr
}

func drain(t query.IterativeTable) error {
	for r := range t.Rows() {
		if r.Err() != nil {
			return r.Err()
		}
	}
	return nil
}

func readPrimary(t query.IterativeTable, maxRows int) (*Result, error) {
	cols := t.Columns()
	out := &source.Table{Columns: make([]source.Column, len(cols)), Rows: [][]any{}}
	for i, c := range cols {
		out.Columns[i] = source.Column{Name: c.Name(), Type: string(c.Type())}
	}
	for r := range t.Rows() {
		if r.Err() != nil {
			return nil, r.Err()
		}
		if len(out.Rows) == maxRows {
			return &Result{Table: out, Truncated: true}, nil
		}
		vals := r.Row().Values()
		if len(vals) != len(cols) {
			return nil, fmt.Errorf("%w: row %d has %d cells for %d columns", ErrMalformedResponse, len(out.Rows), len(vals), len(cols))
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			cell, err := goValue(v)
			if err != nil {
				return nil, fmt.Errorf("row %d column %q: %w", len(out.Rows), cols[i].Name(), err)
			}
			row[i] = cell
		}
		out.Rows = append(out.Rows, row)
	}
	return &Result{Table: out}, nil
}

// goValue converts one SDK cell to the Go value documented above.
func goValue(v value.Kusto) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case *value.String:
		return x.Value, nil
	case *value.Bool:
		return deref(x.Ptr()), nil
	case *value.Int:
		if p := x.Ptr(); p != nil {
			return int64(*p), nil
		}
		return nil, nil
	case *value.Long:
		return deref(x.Ptr()), nil
	case *value.Real:
		return deref(x.Ptr()), nil
	case *value.DateTime:
		if p := x.Ptr(); p != nil {
			return p.UTC(), nil
		}
		return nil, nil
	case *value.Timespan:
		return deref(x.Ptr()), nil
	case *value.GUID:
		if p := x.Ptr(); p != nil {
			return p.String(), nil
		}
		return nil, nil
	case *value.Decimal:
		if p := x.Ptr(); p != nil {
			f, _ := p.Float64()
			return f, nil
		}
		return nil, nil
	case *value.Dynamic:
		return dynamicValue(x.Value)
	}
	return nil, fmt.Errorf("unsupported kusto value type %T", v)
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// dynamicValue decodes a dynamic cell's JSON; text that is not JSON is a
// string the SDK unquoted (see the quirk above).
func dynamicValue(raw []byte) (any, error) {
	if raw == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return string(raw), nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return string(raw), nil
	}
	return normalizeNumbers(v), nil
}

// normalizeNumbers replaces json.Number by int64 (integers) or float64.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}
