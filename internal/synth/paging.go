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
// page information tells whether more remained unread. settle, when set,
// runs once after the last page's call ended (a group waits for the whole
// listing).
func pagesJob[D any](key, source, tool string, args map[string]any, merge func(acc *D, page D) pageInfo, done func(r *run, acc D) error,
	settle func(r *run)) job {
	var acc D
	return nextPage(key, source, tool, args, "", 1, acc, merge, done, settle)
}

// nextPage is one page's call; settle, when set, runs once after the last
// page's call ended (or a page failed, or the next page was refused).
func nextPage[D any](key, source, tool string, args map[string]any, cursor string, page int, acc D,
	merge func(acc *D, page D) pageInfo, done func(r *run, acc D) error, settle func(r *run)) job {
	a, k := maps.Clone(args), key
	if cursor != "" {
		a["cursor"] = cursor
		k = fmt.Sprintf("%s-page%d", key, page)
	}
	continued := false
	j := job{key: k, source: source, tool: tool, args: a,
		then: func(r *run, raw json.RawMessage) error {
			var d D
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", tool, err)
			}
			next := acc
			p := merge(&next, d)
			if p.More && p.Cursor != "" && page < maxPages {
				continued = true
				r.spawn(nextPage(key, source, tool, args, p.Cursor, page+1, next, merge, done, settle))
				return nil
			}
			return done(r, next)
		}}
	if settle != nil {
		j.settle = func(r *run) {
			if !continued {
				settle(r)
			}
		}
	}
	return j
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

// alertPagesJob lists the alerts of a window page by page (settle as for
// pagesJob).
func alertPagesJob(key, source string, w window, done func(r *run, d alertListDoc) error, settle func(r *run)) job {
	return pagesJob(key, source, toolListAlerts, windowArgs(w, 200), mergeAlerts, done, settle)
}
