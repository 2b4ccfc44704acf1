package tools

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Result caps. A listing returns at most MaxRows items and at most MaxBytes
// of JSON items; what is left is announced with a count and a cursor.
const (
	DefaultTop = 25
	MaxTop     = 200
	MaxBytes   = 64 << 10
)

// PageInfo tells the caller whether more results exist and how to get them.
type PageInfo struct {
	Returned int    `json:"returned"`
	More     bool   `json:"more"`
	Cursor   string `json:"cursor,omitempty" jsonschema:"pass back as the cursor argument to get the next page"`
	Note     string `json:"note,omitempty"`
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

// Paginate trims items to the byte budget and fills PageInfo. skip is the
// offset of items[0]; upstreamMore says the source has more beyond items.
func Paginate[T any](tool string, items []T, skip int, upstreamMore bool) ([]T, PageInfo) {
	n := FitBytes(items, MaxBytes)
	info := PageInfo{Returned: n}
	if n < len(items) || upstreamMore {
		info.More = true
		info.Cursor = EncodeCursor(tool, skip+n, "")
		if n < len(items) {
			info.Note = fmt.Sprintf("%d more in this page were cut to stay under %d KiB; pass the cursor to continue", len(items)-n, MaxBytes>>10)
		} else {
			info.Note = "more results exist; pass the cursor to continue"
		}
	}
	return items[:n], info
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
