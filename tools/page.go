package tools

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// Result caps. A listing returns at most MaxRows items and at most MaxBytes
// of JSON items; what is left is announced with a count and a cursor.
// MaxBytes leaves room within StructuredBudgetBytes for what a result adds
// to its items (each item's citation in sources, the page, the window).
const (
	DefaultTop = 25
	MaxTop     = 200
	MaxBytes   = 48 << 10
)

// PageInfo tells the caller whether more results exist and how to get them.
type PageInfo struct {
	Returned int    `json:"returned"`
	More     bool   `json:"more"`
	Cursor   string `json:"cursor,omitempty" jsonschema:"pass back as the cursor argument to get the next page"`
	Note     string `json:"note,omitempty"`
}

// MoreHint is the text listings append to their header when more exist.
func (p PageInfo) MoreHint() string {
	if p.More {
		return " (more available: pass the cursor)"
	}
	return ""
}

// cursorState is what a cursor carries; Tool binds it to the tool that issued it.
type cursorState struct {
	Tool string `json:"t"`
	Skip int    `json:"s,omitempty"`
	Next string `json:"n,omitempty"`
}

// EncodeCursor makes an opaque cursor for tool resuming at skip (or an upstream continuation).
func EncodeCursor(tool string, skip int, next string) string {
	b, _ := json.Marshal(cursorState{Tool: tool, Skip: skip, Next: next})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor issued by EncodeCursor for the same tool.
func DecodeCursor(tool, cursor string) (skip int, next string, err error) {
	if cursor == "" {
		return 0, "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	var st cursorState
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil || st.Tool != tool || st.Skip < 0 {
		return 0, "", Errorf("cursor %q is not a cursor of %s; pass the cursor value from the previous %s result unchanged", truncate(cursor, 40), tool, tool)
	}
	return st.Skip, st.Next, nil
}

// Top normalises a requested page size.
func Top(requested int) (int, error) {
	switch {
	case requested == 0:
		return DefaultTop, nil
	case requested < 0 || requested > MaxTop:
		return 0, Errorf("top must be between 1 and %d, got %d", MaxTop, requested)
	}
	return requested, nil
}

// FitBytes returns how many leading items fit in maxBytes of JSON (at least one).
func FitBytes[T any](items []T, maxBytes int) int {
	total := 0
	for i, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return i
		}
		total += len(b) + 1
		if total > maxBytes && i > 0 {
			return i
		}
	}
	return len(items)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Paging is the page arguments every listing takes; embed it in params.
type Paging struct {
	Top    int    `json:"top,omitempty" minimum:"1" maximum:"200" jsonschema:"Page size (default 25)."`
	Cursor string `json:"cursor,omitempty" maxLength:"4096" jsonschema:"Cursor from a previous page."`
}

// TimeWindow is the window arguments of listings over time; embed it in
// params and state the tool's default window in its description.
type TimeWindow struct {
	Since string `json:"since,omitempty" maxLength:"40" jsonschema:"Window start: 24h, 7d or an RFC 3339 time."`
	Until string `json:"until,omitempty" maxLength:"40" jsonschema:"Window end, same forms; default now."`
}

// Listing is a listing call's resolved page and window.
type Listing struct {
	Tool         string
	Since, Until time.Time
	Options      source.ListOptions
	// dropFirst items of a continuation page were returned by the previous
	// call (its page was cut to the byte budget).
	dropFirst int
}

// StartListing validates a listing's page and (when w is not nil) window
// arguments against the tenant clock now; def is the default window.
func StartListing(tool string, now time.Time, pg Paging, w *TimeWindow, def time.Duration) (Listing, error) {
	top, err := Top(pg.Top)
	if err != nil {
		return Listing{}, err
	}
	skip, next, err := DecodeCursor(tool, pg.Cursor)
	if err != nil {
		return Listing{}, err
	}
	l := Listing{Tool: tool, Options: source.ListOptions{Top: top, Skip: skip}}
	if next != "" {
		// An upstream continuation: Skip counts items of that page already returned.
		l.Options.Skip, l.Options.Continuation, l.dropFirst = 0, next, skip
	}
	if w != nil {
		if l.Since, l.Until, err = Window(w.Since, w.Until, now, def); err != nil {
			return Listing{}, err
		}
		l.Options.Since, l.Options.Until = l.Since, l.Until
	}
	return l, nil
}

// FinishPage trims a page to the byte budget, announces what is left with a
// cursor, and collects each item's citation. upstreamNext is the source's
// Page.Next.
func FinishPage[T any](l Listing, items []T, upstreamNext string, ref func(T) resources.Ref) ([]T, PageInfo, []resources.Ref) {
	items, info := PageOf(l, items, upstreamNext)
	refs := make([]resources.Ref, 0, len(items))
	for _, it := range items {
		refs = append(refs, ref(it))
	}
	return items, info, refs
}

// PageOf trims items to the byte budget and fills PageInfo with a cursor
// that resumes where this page stopped: within the page (an offset, or the
// same upstream continuation plus the items already returned) when the
// budget cut it, else at the source's next page (its offset or
// continuation). upstreamNext is the source's Page.Next.
func PageOf[T any](l Listing, items []T, upstreamNext string) ([]T, PageInfo) {
	if items == nil {
		items = []T{}
	}
	if l.dropFirst > 0 {
		items = items[min(l.dropFirst, len(items)):]
	}
	n := FitBytes(items, MaxBytes)
	info := PageInfo{Returned: n}
	switch {
	case n < len(items):
		info.More = true
		if l.Options.Continuation != "" {
			info.Cursor = EncodeCursor(l.Tool, l.dropFirst+n, l.Options.Continuation)
		} else {
			info.Cursor = EncodeCursor(l.Tool, l.Options.Skip+n, "")
		}
		info.Note = fmt.Sprintf("%d more in this page were cut to stay under %d KiB; pass the cursor to continue", len(items)-n, MaxBytes>>10)
	case upstreamNext != "":
		info.More = true
		if off, err := strconv.Atoi(upstreamNext); err == nil {
			info.Cursor = EncodeCursor(l.Tool, off, "")
		} else {
			info.Cursor = EncodeCursor(l.Tool, 0, upstreamNext)
		}
		info.Note = "more results exist; pass the cursor to continue"
	}
	return items[:n], info
}

// FinishFilteredPage is FinishPage for a listing filtered after the fetch
// (the source's Page.ItemNext is set): a page cut to the byte budget resumes
// right after its last item in the source's own offsets, since the items'
// positions in the page are not offsets upstream.
func FinishFilteredPage[T any](l Listing, items []T, upstreamNext string, itemNext []string, ref func(T) resources.Ref) ([]T, PageInfo, []resources.Ref) {
	if len(itemNext) == len(items) && len(items) > 0 && l.dropFirst == 0 {
		if n := FitBytes(items, MaxBytes); n < len(items) {
			items, upstreamNext = items[:n], itemNext[n-1]
		}
	}
	return FinishPage(l, items, upstreamNext, ref)
}

// Advance sets listing options to read the page after one whose source
// returned next (its Page.Next): a decimal next is a $skip offset; anything
// else is the upstream's continuation (Graph's @odata.nextLink), passed back
// unchanged — never rebuilt from offsets (internal/contract).
func Advance(o *source.ListOptions, next string) {
	if n, err := strconv.Atoi(next); err == nil {
		o.Skip, o.Continuation = n, ""
		return
	}
	o.Skip, o.Continuation = 0, next
}
