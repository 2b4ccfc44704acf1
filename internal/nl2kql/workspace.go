package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// tableShape is what a table's reference page says its rows are, where
// that is not "one event per row": the column a ranking groups by when the
// question names none, and the quantity a question about volume sums.
type tableShape struct {
	// key is what a row is "per" (Usage: one table, DataType).
	key string
	// sumName = sum(sumExpr) replaces count() in counts and rankings when
	// the question asks about volume, or always when each row is a
	// measurement rather than an event (always).
	sumName, sumExpr string
	always           bool
}

// tableShapes are the Log Analytics tables whose rows are measurements:
//   - Usage: one record per hour, table (DataType) and solution; Quantity is
//     the volume in MB (QuantityUnit), so "which tables ingest the most" sums
//     it per DataType, as Microsoft's own queries do
//     (https://learn.microsoft.com/azure/azure-monitor/reference/tables/usage,
//     https://learn.microsoft.com/azure/azure-monitor/logs/analyze-usage);
//   - VMConnection: one record per connection group and minute with the bytes
//     sent and received (https://learn.microsoft.com/azure/azure-monitor/reference/tables/vmconnection);
//   - ASimWebSessionLogs: NetworkBytes is a session's bytes in both directions
//     (https://learn.microsoft.com/azure/sentinel/normalization-schema-web);
//   - Watchlist: records of watchlists and their items, per WatchlistAlias
//     (https://learn.microsoft.com/azure/azure-monitor/reference/tables/watchlist).
var tableShapes = map[string]tableShape{
	"Usage":              {key: "DataType", sumName: "IngestedMB", sumExpr: "Quantity", always: true},
	"VMConnection":       {key: "Computer", sumName: "Bytes", sumExpr: "BytesSent + BytesReceived"},
	"ASimWebSessionLogs": {sumName: "Bytes", sumExpr: "NetworkBytes"},
	"Watchlist":          {key: "WatchlistAlias"},
}

// reVolume is a question about an amount of data rather than a number of
// events.
var reVolume = lazyre.New(`\b(?:data|volume|bytes?|size|mb|gb|megabytes?|gigabytes?|bandwidth|transferred|ingest\w*|billable)\b`)

// aggregate is the summarize aggregation of a count or ranking over t:
// Count = count(), or the table's measure summed (tableShapes).
func aggregate(t *schema.Table, p *Plan) (name, expr string) {
	if s, ok := tableShapes[t.Name]; ok && s.sumExpr != "" && (s.always || reVolume.MatchString(p.normalized)) {
		return s.sumName, "sum(" + s.sumExpr + ")"
	}
	return "Count", "count()"
}

// listsTotals reports whether a listing of t is its measurements' total per
// key: t's rows are measurements only (tableShapes' always).
func listsTotals(t *schema.Table, kind string) bool {
	s, ok := tableShapes[t.Name]
	return ok && s.always && kind == IntentList
}

// shapeKey is the table's own grouping key when the question names none.
func shapeKey(t *schema.Table) (Col, bool) {
	if s, ok := tableShapes[t.Name]; ok && s.key != "" {
		if _, has := t.Column(s.key); has {
			return Col{Name: s.key}, true
		}
	}
	return Col{}, false
}

// measureNote says what a summed measure is, for the assumptions.
func measureNote(t *schema.Table, p *Plan) string {
	if name, expr := aggregate(t, p); name != "Count" {
		return fmt.Sprintf("%s rows are measurements: %s = %s", t.Name, name, expr)
	}
	return ""
}

// ---- watchlists ----

// reWatchlistName is the name a question gives a watchlist: quoted, or the
// words just before "watchlist" ("the VIP users watchlist").
var reWatchlistName = lazyre.New(`(?i)["'“‘]([^"'”’]{2,60})["'”’]\s+watch\s*list|(?:the|our|my|a)\s+((?:[a-z0-9_\-]+\s+){0,2}?[a-z0-9_\-]+)\s+watch\s*list`)

// watchlistStop are words before "watchlist" that name none.
var watchlistStop = map[string]bool{"any": true, "every": true, "each": true, "all": true, "which": true, "sentinel": true, "current": true, "same": true, "this": true, "that": true}

// watchlist writes the current items of the watchlist the question names
// (every watchlist's when it names none) the way Sentinel's _GetWatchlist
// reads them: item records only, the latest record of each item, deleted
// items dropped (https://learn.microsoft.com/azure/sentinel/watchlists-queries).
// A question about the watchlists themselves lists one row per watchlist.
// Watchlist records are re-ingested periodically, so no window applies.
func (g *Templates) watchlist(p *Plan, t *schema.Table) Draft {
	if t.Name != "Watchlist" {
		return Draft{}
	}
	var b strings.Builder
	var d Draft
	name := watchlistName(p.Question)
	lists := len(name) == 0 && reListsOnly.MatchString(p.Question)
	b.WriteString("Watchlist")
	if lists {
		b.WriteString("\n| where _DTItemType =~ \"watchlist\"")
	} else {
		b.WriteString("\n| where _DTItemType =~ \"watchlist-item\"")
	}
	if len(name) > 0 {
		// An alias has no spaces ("VIPUsers"); a display name has the
		// words ("VIP Users").
		quoted := make([]string, len(name))
		for i, w := range name {
			quoted[i] = quote(w)
		}
		fmt.Fprintf(&b, "\n| where WatchlistAlias =~ %s or WatchlistName has_all (%s)", quote(strings.Join(name, "")), strings.Join(quoted, ", "))
		d.Assumptions = append(d.Assumptions, fmt.Sprintf("the watchlist is the one whose alias is %q or whose name has %q", strings.Join(name, ""), strings.Join(name, " ")))
	}
	b.WriteString("\n| summarize arg_max(_DTTimestamp, *) by _DTItemId\n| where _DTItemStatus != \"Delete\"")
	switch {
	case lists:
		b.WriteString("\n| project WatchlistAlias, WatchlistName, WatchlistCategory, SearchKey, LastUpdatedTimeUTC\n| sort by WatchlistAlias asc")
	case p.Intent.Kind == IntentCount || p.Intent.Kind == IntentTop || p.Intent.Kind == IntentDCount:
		b.WriteString("\n| summarize Items = count() by WatchlistAlias\n| sort by Items desc")
	default:
		b.WriteString("\n| project SearchKey, WatchlistAlias, WatchlistItem, LastUpdatedTimeUTC\n| sort by WatchlistAlias asc, SearchKey asc")
	}
	d.Query = b.String()
	p.dropDefaultWindowNote()
	d.Assumptions = append(d.Assumptions, "read as _GetWatchlist does: the latest record of each watchlist or item, deleted ones left out, over every record the workspace keeps (watchlists are re-ingested periodically, so no time window)")
	return d
}

// reListsOnly asks for the watchlists, not their items.
var reListsOnly = lazyre.New(`(?i)\b(?:which|what|list|show|how many)\s+(?:(?:the|our|my|all)\s+)?watch\s*lists\b`)

// watchlistName is the words of the watchlist a question names (none when
// it names none).
func watchlistName(q string) []string {
	m := reWatchlistName.FindStringSubmatch(q)
	if m == nil {
		return nil
	}
	raw := m[1]
	if raw == "" {
		raw = m[2]
	}
	var kept []string
	for _, w := range strings.Fields(raw) {
		if !watchlistStop[strings.ToLower(w)] {
			kept = append(kept, w)
		}
	}
	return kept
}

// ---- "never" questions ----

// reEver is a question about all time: "never", "ever", "at any time".
var reEver = lazyre.New(`(?i)\b(?:never|ever|at any time|any time before|all time)\b`)

// retention is how far back each product answers by default: Advanced
// Hunting keeps 30 days (https://learn.microsoft.com/defender-xdr/advanced-hunting-overview#data-freshness-and-update-frequency
// and https://learn.microsoft.com/defender-xdr/advanced-hunting-limits);
// a Sentinel-enabled Log Analytics workspace keeps 90 days at no extra
// cost, its default (https://learn.microsoft.com/azure/sentinel/billing#free-data-retention,
// https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure).
var retention = map[string]string{PlatformDefender: "30d", PlatformSentinel: "90d"}

// everWindow widens a "never"/"ever" question with no time range to the
// longest window the product keeps, and says so. It runs once the product
// is known (after nativeForm).
func (p *Plan) everWindow() {
	if p.windowGiven || !reEver.MatchString(p.Question) {
		return
	}
	product := p.product()
	span, ok := retention[product]
	if !ok {
		span, product = retention[PlatformDefender], PlatformDefender
	}
	switch p.Intent.Kind {
	case IntentNew, IntentDormant, IntentOutlier:
		return
	}
	p.Window = Window{Start: "ago(" + span + ")", Span: spanHours(span)}
	p.dropDefaultWindowNote()
	p.Assumptions = append(p.Assumptions, fmt.Sprintf("\"never\"/\"ever\" with no time range: searched the last %s, all that %s keeps by default", span, catalog.ProductName(catalog.Product(product))))
}

// dropDefaultWindowNote removes the noRangeNote assumption of a
// plan whose window was replaced.
func (p *Plan) dropDefaultWindowNote() {
	kept := p.Assumptions[:0]
	for _, a := range p.Assumptions {
		if !strings.HasPrefix(a, noRangeNote) {
			kept = append(kept, a)
		}
	}
	p.Assumptions = kept
}
