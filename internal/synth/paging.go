package synth

import (
	"encoding/json"
	"fmt"
	"maps"
)

// maxPages bounds the pages a tenant-wide step reads from one listing.
const maxPages = 4

// pageInfo is a listing's page information (tools.PageInfo).
type pageInfo struct {
	More   bool   `json:"more"`
	Cursor string `json:"cursor"`
}

// pagesJob reads a listing page by page (at most maxPages, each page a
// call of its own under the same deadline and call budget), merging each
// page into an accumulator, and hands the whole to done; the accumulator's
// page information tells whether more remained unread.
func pagesJob[D any](key, source, tool string, args map[string]any, merge func(acc *D, page D) pageInfo, done func(r *run, acc D) error) job {
	var acc D
	return nextPage(key, source, tool, args, "", 1, acc, merge, done)
}

func nextPage[D any](key, source, tool string, args map[string]any, cursor string, page int, acc D,
	merge func(acc *D, page D) pageInfo, done func(r *run, acc D) error) job {
	a, k := maps.Clone(args), key
	if cursor != "" {
		a["cursor"] = cursor
		k = fmt.Sprintf("%s-page%d", key, page)
	}
	return job{key: k, source: source, tool: tool, args: a,
		then: func(r *run, raw json.RawMessage) error {
			var d D
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", tool, err)
			}
			next := acc
			p := merge(&next, d)
			if p.More && p.Cursor != "" && page < maxPages {
				r.spawn(nextPage(key, source, tool, args, p.Cursor, page+1, next, merge, done))
				return nil
			}
			return done(r, next)
		}}
}

// mergeAlerts appends a page of alerts.
func mergeAlerts(acc *alertListDoc, page alertListDoc) pageInfo {
	acc.Alerts = append(acc.Alerts, page.Alerts...)
	if acc.Since.IsZero() {
		acc.Since, acc.Until = page.Since, page.Until
	}
	acc.Page = page.Page
	return page.Page
}

// mergeSignIns appends a page of sign-ins.
func mergeSignIns(acc *signInListDoc, page signInListDoc) pageInfo {
	acc.SignIns = append(acc.SignIns, page.SignIns...)
	if acc.Since.IsZero() {
		acc.Since, acc.Until = page.Since, page.Until
	}
	acc.Page = page.Page
	return page.Page
}

// alertPagesJob lists the alerts of a window page by page.
func alertPagesJob(key, source string, w window, done func(r *run, d alertListDoc) error) job {
	return pagesJob(key, source, toolListAlerts, windowArgs(w, 200), mergeAlerts, done)
}
