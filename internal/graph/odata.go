package graph

import (
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// filter accumulates OData $filter clauses joined with "and".
type filter []string

// eq adds `prop eq 'value'` when value is non-empty.
func (f *filter) eq(prop, value string) {
	if value != "" {
		*f = append(*f, prop+" eq "+quote(value))
	}
}

// window adds the ListOptions time bounds on prop.
func (f *filter) window(prop string, o source.ListOptions) {
	if !o.Since.IsZero() {
		*f = append(*f, prop+" ge "+o.Since.UTC().Format(time.RFC3339))
	}
	if !o.Until.IsZero() {
		*f = append(*f, prop+" le "+o.Until.UTC().Format(time.RFC3339))
	}
}

func (f *filter) add(clause string) { *f = append(*f, clause) }

// ptr returns the $filter value, or nil when there are no clauses.
func (f filter) ptr() *string {
	if len(f) == 0 {
		return nil
	}
	s := strings.Join(f, " and ")
	return &s
}

// quote renders an OData string literal (” escapes a quote).
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// paging returns $top and $skip pointers for an endpoint that documents
// $skip (def = default top, maxTop the documented maximum).
func paging(o source.ListOptions, def, maxTop int) (top, skip *int32) {
	t := o.Top
	if t <= 0 {
		t = def
	}
	if t > maxTop {
		t = maxTop
	}
	t32 := int32(t)
	top = &t32
	if o.Skip > 0 {
		s := int32(min(o.Skip, 1<<30))
		skip = &s
	}
	return top, skip
}

// tokenPaging is paging for an endpoint that continues with $skiptoken and
// refuses $skip: a Skip (from a cursor that cut a first page short) is
// applied locally, by asking for Skip more rows and dropping them (drop).
func tokenPaging(o source.ListOptions, def, maxTop int) (top *int32, drop int) {
	t := o.Top
	if t <= 0 {
		t = def
	}
	drop = max(o.Skip, 0)
	t32 := int32(min(t+drop, maxTop))
	return &t32, min(drop, int(t32))
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func boolv(p *bool) bool { return p != nil && *p }

func i32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func i64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func tm(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// enum renders an SDK enum pointer as Graph's string value.
func enum[T interface{ String() string }](p *T) string {
	if p == nil {
		return ""
	}
	return (*p).String()
}

func enums[T interface{ String() string }](xs []T) []string {
	if len(xs) == 0 {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

// kind strips the namespace from an @odata.type ("#microsoft.graph.security.userEvidence" → "userEvidence").
func kind(odataType *string) string {
	s := str(odataType)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return strings.TrimPrefix(s, "#")
}
