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
	return pagesJobN(key, source, tool, args, maxPages, merge, done, settle)
}

// pagesJobN is pagesJob reading at most pages pages. A page after the
// first that fails, times out or is refused by the call budget still hands
// the pages read before it to done (their page information says more
// remained), so a ranking is made over what was read and says so.
func pagesJobN[D any](key, source, tool string, args map[string]any, pages int, merge func(acc *D, page D) pageInfo,
	done func(r *run, acc D) error, settle func(r *run)) job {
	var acc D
	p := pager[D]{key: key, source: source, tool: tool, args: args, pages: max(pages, 1), merge: merge, done: done, settle: settle}
	return p.page("", 1, acc)
}

// pager is one listing read page by page.
type pager[D any] struct {
	key, source, tool string
	args              map[string]any
	pages             int
	merge             func(acc *D, page D) pageInfo
	done              func(r *run, acc D) error
	settle            func(r *run)
}

// page is one page's call; the listing's settle runs once after the last
// page's call ended (or a page failed, or the next page was refused).
func (p pager[D]) page(cursor string, n int, acc D) job {
	a, k := maps.Clone(p.args), p.key
	if cursor != "" {
		a["cursor"] = cursor
		k = fmt.Sprintf("%s-page%d", p.key, n)
	}
	// applied: this page's result reached then; continued: a next page was
	// asked for (it settles the listing instead).
	applied, continued := false, false
	j := job{key: k, source: p.source, tool: p.tool, args: a,
		then: func(r *run, raw json.RawMessage) error {
			var d D
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", p.tool, err)
			}
			applied = true
			next := acc
			pi := p.merge(&next, d)
			if pi.More && pi.Cursor != "" && n < p.pages {
				continued = true
				r.spawn(p.page(pi.Cursor, n+1, next))
				return nil
			}
			return p.done(r, next)
		}}
	if n > 1 || p.settle != nil {
		j.settle = func(r *run) {
			if !applied && n > 1 {
				// The pages before this one were read: rank them.
				if err := p.done(r, acc); err != nil {
					r.note(fmt.Sprintf("%s: %v", p.source, err))
				}
			}
			if !continued && p.settle != nil {
				p.settle(r)
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
