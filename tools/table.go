package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// MaxQueryRows caps the rows a query tool returns.
const MaxQueryRows = 500

// QueryResult is a query's result table, capped by rows and bytes.
type QueryResult struct {
	Columns   []source.Column `json:"columns"`
	Rows      [][]any         `json:"rows"`
	TotalRows int             `json:"totalRows"`
	Truncated bool            `json:"truncated"`
	Note      string          `json:"note,omitempty"`
}

// NewQueryResult trims t to at most maxRows rows and MaxBytes of JSON.
func NewQueryResult(t *source.Table, maxRows int) QueryResult {
	if maxRows <= 0 || maxRows > MaxQueryRows {
		maxRows = MaxQueryRows
	}
	res := QueryResult{Columns: t.Columns, Rows: [][]any{}, TotalRows: len(t.Rows)}
	if res.Columns == nil {
		res.Columns = []source.Column{}
	}
	size := 0
	for i, r := range t.Rows {
		if i >= maxRows {
			break
		}
		row := make([]any, len(r))
		for j, v := range r {
			row[j] = cell(v)
		}
		b, _ := json.Marshal(row)
		if size+len(b) > MaxBytes && i > 0 {
			break
		}
		size += len(b)
		res.Rows = append(res.Rows, row)
	}
	if len(res.Rows) < len(t.Rows) {
		res.Truncated = true
		res.Note = fmt.Sprintf("%d more row(s) not shown (limit %d rows / %d KiB); add filters, summarize, or `take` to narrow the query", len(t.Rows)-len(res.Rows), maxRows, MaxBytes>>10)
	}
	return res
}

func cell(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	}
	return v
}

// Markdown renders the first rows as a Markdown table. Column names and
// cells are upstream data: each is sanitized first (so hidden characters
// are removed, not turned into spaces, and do not count toward the clip),
// then kept to one line with its pipes escaped (MDCell); cells are clipped
// to 80 characters.
func (q QueryResult) Markdown(maxRows int) string {
	if len(q.Columns) == 0 {
		return "(no columns)\n"
	}
	var b strings.Builder
	names := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		names[i] = MDCell(SanitizeText(c.Name))
	}
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(names, " | "), strings.Repeat(" --- |", len(names)))
	for i, r := range q.Rows {
		if i >= maxRows {
			fmt.Fprintf(&b, "… %d more row(s) in structuredContent\n", len(q.Rows)-maxRows)
			break
		}
		cells := make([]string, len(r))
		for j, v := range r {
			s := ""
			if v != nil {
				s = fmt.Sprint(v)
			}
			cells[j] = MDCell(Clip(MDInline(SanitizeText(s)), 80))
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	return b.String()
}
