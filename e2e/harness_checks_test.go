//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

var uriRE = regexp.MustCompile(`secmcp://[^\s<>"'()\[\]|,` + "`" + `]+`)

// urisIn returns every secmcp:// URI in the text and the structured content,
// mapped to the id an object citing it names ("" when none).
func urisIn(r *mcp.CallToolResult) map[string]string {
	out := map[string]string{}
	addAll := func(s, id string) {
		for _, u := range uriRE.FindAllString(s, -1) {
			u = strings.TrimRight(u, ".:;")
			if strings.ContainsAny(u, "{}") {
				continue // a template quoted in guidance, not a citation
			}
			if _, ok := out[u]; !ok || out[u] == "" {
				out[u] = id
			}
		}
	}
	addAll(textOf(r), "")
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			id, _ := x["id"].(string)
			for k, c := range x {
				if s, ok := c.(string); ok && k == "uri" {
					addAll(s, id)
				} else {
					walk(c)
				}
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		case string:
			addAll(x, "")
		}
	}
	var m any
	b, _ := json.Marshal(r.StructuredContent)
	_ = json.Unmarshal(b, &m)
	walk(m)
	return out
}

// checkURIs opens every cited URI in the same session and in a new one.
func (h *harness) checkURIs(fig *figures, tool string, r *mcp.CallToolResult) {
	for u, id := range urisIn(r) {
		if h.seenURIs[u] {
			continue
		}
		h.seenURIs[u] = true
		fig.add(func(f *figures) { f.urisTotal++ })
		text, err := h.s.read(u)
		if err != nil {
			fig.fail("%s %s cites %s, which does not open in the same session: %v", h.where(), tool, u, err)
			continue
		}
		fig.add(func(f *figures) { f.urisOpened++ })
		// Where the URI is the citing object's own (…/{kind}/{id}), the
		// resource must hold that id.
		own := id != "" && strings.HasSuffix(u, "/"+resources.EscapeID(id))
		if own && !strings.Contains(text, id) && !strings.Contains(text, jsonEscape(id)) {
			fig.fail("%s %s cites %s for %q, which the resource does not contain", h.where(), tool, u, id)
		}
		if _, err := h.fresh.read(u); err != nil {
			fig.fail("%s %s cites %s, which does not open in a new %s: %v", h.where(), tool, u, map[bool]string{true: "process", false: "session"}[h.stdio], err)
			continue
		}
		fig.add(func(f *figures) { f.urisOpenedFresh++ })
	}
}

func jsonEscape(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) }

// checkBudget holds text and structured content to the stated budget.
func (h *harness) checkBudget(fig *figures, tool string, args map[string]any, r *mcp.CallToolResult) {
	text := len(textOf(r))
	b, _ := json.Marshal(r.StructuredContent)
	if text > tools.TextBudgetBytes || len(b) > tools.StructuredBudgetBytes {
		fig.add(func(f *figures) { f.overBudget++ })
		fig.fail("%s %s %v: over budget: %d bytes of text (budget %d), %d of structured content (budget %d)",
			h.where(), tool, args, text, tools.TextBudgetBytes, len(b), tools.StructuredBudgetBytes)
	}
}

// page is a listing page: its items (by id or JSON) and its page info.
type page struct {
	ids    []string
	more   bool
	cursor string
	key    string
}

// pageOf finds the listing array (the largest top-level array of objects)
// and the page info of a result; ok is false when the result does not page.
func pageOf(m map[string]any) (page, bool) {
	info, _ := m["page"].(map[string]any)
	if info == nil {
		return page{}, false
	}
	var p page
	p.more, _ = info["more"].(bool)
	p.cursor, _ = info["cursor"].(string)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best := -1
	for _, k := range keys {
		if k == "sources" {
			continue
		}
		if arr, ok := m[k].([]any); ok && len(arr) > best {
			best, p.key = len(arr), k
		}
	}
	for _, o := range items(m, p.key) {
		id := str(o, "id")
		if id == "" {
			b, _ := json.Marshal(o)
			id = string(b)
		}
		p.ids = append(p.ids, id)
	}
	return p, true
}

// checkAgreement: a listing's text names every item id its structured
// content holds, and page.returned counts them.
func (h *harness) checkAgreement(fig *figures, tool string, args map[string]any, r *mcp.CallToolResult) {
	m := structured(r)
	p, ok := pageOf(m)
	if !ok {
		return
	}
	text := textOf(r)
	info, _ := m["page"].(map[string]any)
	if n, ok := info["returned"].(float64); ok && int(n) != len(p.ids) {
		fig.add(func(f *figures) { f.disagreements++ })
		fig.fail("%s %s %v: page.returned %d but %d %s", h.where(), tool, args, int(n), len(p.ids), p.key)
	}
	for _, o := range items(m, p.key) {
		if id := str(o, "id"); id != "" && !strings.Contains(text, id) && (str(o, "uri") == "" || !strings.Contains(text, str(o, "uri"))) {
			fig.add(func(f *figures) { f.disagreements++ })
			fig.fail("%s %s %v: structured %s has %s, the text does not name it", h.where(), tool, args, p.key, id)
			break
		}
	}
}

// followCursor follows a listing's cursor to the end and compares what it
// returned with a recount at the largest page size.
func (h *harness) followCursor(fig *figures, tool string, args map[string]any, r *mcp.CallToolResult) {
	first, ok := pageOf(structured(r))
	if !ok || !first.more {
		return
	}
	fig.add(func(f *figures) { f.chains++ })
	chain := func(start page, a map[string]any) ([]string, error) {
		all := append([]string{}, start.ids...)
		p := start
		for n := 1; p.more; n++ {
			fig.add(func(f *figures) { f.pages++ })
			if len(p.ids) == 0 {
				fig.add(func(f *figures) { f.emptyClaims++ })
				return all, fmt.Errorf("page %d is empty but claims more", n)
			}
			if p.cursor == "" {
				return all, fmt.Errorf("page %d claims more without a cursor", n)
			}
			if n > 500 {
				return all, errors.New("the chain did not end after 500 pages")
			}
			next := map[string]any{}
			for k, v := range a {
				next[k] = v
			}
			next["cursor"] = p.cursor
			res, err := h.s.call(tool, next)
			if err != nil || res.IsError {
				return all, fmt.Errorf("page %d: %v %.200s", n+1, err, textOf(res))
			}
			h.checkBudget(fig, tool, next, res)
			p, _ = pageOf(structured(res))
			all = append(all, p.ids...)
		}
		return all, nil
	}
	paged, err := chain(first, args)
	if err != nil {
		fig.fail("%s %s %v: cursor chain: %v", h.where(), tool, args, err)
		return
	}
	seen := map[string]bool{}
	for _, id := range paged {
		if seen[id] {
			fig.add(func(f *figures) { f.repeats++ })
			fig.fail("%s %s %v: cursor chain repeats %.80s", h.where(), tool, args, id)
		}
		seen[id] = true
	}
	big := map[string]any{}
	for k, v := range args {
		big[k] = v
	}
	big["top"] = tools.MaxTop
	res, err := h.s.call(tool, big)
	if err != nil || res.IsError {
		fig.fail("%s %s %v: recount: %v", h.where(), tool, big, err)
		return
	}
	h.checkBudget(fig, tool, big, res)
	bp, _ := pageOf(structured(res))
	recount, err := chain(bp, big)
	if err != nil {
		fig.fail("%s %s %v: recount chain: %v", h.where(), tool, big, err)
		return
	}
	for _, id := range recount {
		if !seen[id] {
			fig.add(func(f *figures) { f.skips++ })
			fig.fail("%s %s %v: cursor chain skipped %.80s (in the recount at top=%d)", h.where(), tool, args, id, tools.MaxTop)
			break
		}
	}
}

// checkRefusals: an unknown reference and another tenant's reference are
// refused by tools with isError and by resources/read with a JSON-RPC error
// that is not an internal error, in the same words; a sloppy client's
// numeric id and unknown argument get the answers a client can act on.
func (h *harness) checkRefusals(fig *figures, list []mcp.Tool) {
	cases := []struct{ tool, arg, kind, id string }{
		{"defender_get_incident", "id", "incidents", h.facts.incident},
		{"defender_get_alert", "id", "alerts", h.facts.alert},
		{"intune_get_device_compliance", "deviceId", "devices", h.facts.deviceID},
	}
	for _, c := range cases {
		const unknown = "does-not-exist-4711"
		res, err := h.s.call(c.tool, h.withTenant(map[string]any{c.arg: unknown}))
		_, rerr := h.s.read(fmt.Sprintf("secmcp://%s/%s/%s", h.tenant, c.kind, unknown))
		h.compareRefusal(fig, c.tool+" unknown id", res, err, rerr, "not found")
		if !h.stdio { // over HTTP the key reaches one tenant only
			res, err = h.s.call(c.tool, map[string]any{c.arg: c.id, "tenant": h.other})
			_, rerr = h.s.read(fmt.Sprintf("secmcp://%s/%s/%s", h.other, c.kind, url.PathEscape(c.id)))
			h.compareRefusal(fig, c.tool+" other tenant", res, err, rerr, "not available to this caller")
		}
	}
	// Unknown arguments: the message lists every valid argument, tenant included.
	res, err := h.s.call("defender_list_incidents", h.withTenant(map[string]any{"sevrity": "high"}))
	if err != nil || !res.IsError || !strings.Contains(textOf(res), "tenant") || !strings.Contains(textOf(res), "severity") {
		fig.fail("%s unknown argument: want a tool error listing every valid argument including tenant, got %v %.300s", h.where(), err, textOf(res))
	}
	// String IDs sent as JSON numbers (the Inspector CLI sends id=1000 so).
	var n json.Number = json.Number(h.facts.incident)
	if _, err := n.Int64(); err == nil {
		res, err := h.s.call("defender_get_incident", h.withTenant(map[string]any{"id": n}))
		if err != nil || res.IsError {
			fig.fail("%s defender_get_incident with a numeric id %s: %v %.300s", h.where(), n, err, textOf(res))
		}
	}
}

func (h *harness) compareRefusal(fig *figures, label string, res *mcp.CallToolResult, err, rerr error, phrase string) {
	fig.add(func(f *figures) { f.refusals++ })
	switch {
	case err != nil || res == nil || !res.IsError:
		fig.fail("%s %s: the tool did not refuse: %v", h.where(), label, err)
	case rerr == nil:
		fig.fail("%s %s: resources/read did not refuse", h.where(), label)
	case errors.Is(rerr, mcp.ErrInternalError):
		fig.add(func(f *figures) { f.refusalMismatch++ })
		fig.fail("%s %s: resources/read answered with an internal error: %v", h.where(), label, rerr)
	case !strings.Contains(textOf(res), phrase) || !strings.Contains(rerr.Error(), phrase):
		fig.add(func(f *figures) { f.refusalMismatch++ })
		fig.fail("%s %s: refusals differ: tool %q, resource %q (want both to say %q)", h.where(), label, textOf(res), rerr.Error(), phrase)
	}
}
