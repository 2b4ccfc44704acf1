package purview

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
)

// Event is one step of the narrative. Events from alerts cite the alert;
// events from query rows (FromQuery) cite the user, device and alert
// resources they relate to and name their queries.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"`
	What      string    `json:"what"`
	Device    string    `json:"device,omitempty"`
	FromQuery bool      `json:"fromQueryResult"`
	Queries   []string  `json:"queries,omitempty"`
	Citations []string  `json:"citations"`
	// facts are the values of What that the cited resources hold.
	facts   []string
	key     string
	alertID string
}

// runHunting builds the scope, runs the queries and turns rows into events.
func (st *invState) runHunting(ctx context.Context) {
	sc := scope{upn: st.upn, objectID: st.user.ID, from: st.res.From, to: st.res.To}
	names := map[string]bool{}
	for n := range st.devices {
		names[n] = true
	}
	domains := map[string]bool{}
	for _, d := range personalStorage {
		domains[d] = true
	}
	for _, a := range st.alerts {
		d := parseDLP(a)
		if d.DeviceName != "" && domainRe.MatchString(d.DeviceName+".x") {
			names[strings.ToLower(d.DeviceName)] = true
		}
		if t := strings.ToLower(d.TargetDomain); domainRe.MatchString(t) {
			domains[t] = true
		}
	}
	sc.devices, sc.domains = sortedKeys(names), sortedKeys(domains)
	runs, tables := runQueries(ctx, st.call, st.g, buildQueries(sc))
	st.res.Queries, st.tables = runs, tables
	failed := map[string][]string{}
	for _, r := range runs {
		if r.Error != "" {
			failed[r.Source] = append(failed[r.Source], r.Name+" "+r.Table)
			if len(failed[r.Source]) == 1 {
				st.missing(r.Source, fmt.Errorf("%s", r.Error), "")
			}
		}
	}
	for i, m := range st.res.MissingSources {
		if qs := failed[m.Source]; len(qs) > 0 {
			st.res.MissingSources[i].Affects = "no results from " + strings.Join(qs, ", ") + "; the activity they cover is unknown, not absent"
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// table gives named access to a query result's cells.
type table struct {
	t   *source.Table
	col map[string]int
}

func newTable(t *source.Table) table {
	tb := table{t: t, col: map[string]int{}}
	if t != nil {
		for i, c := range t.Columns {
			tb.col[c.Name] = i
		}
	}
	return tb
}

func (tb table) rows() int {
	if tb.t == nil {
		return 0
	}
	return len(tb.t.Rows)
}

func (tb table) cell(r int, name string) any {
	i, ok := tb.col[name]
	if !ok || i >= len(tb.t.Rows[r]) {
		return nil
	}
	return tb.t.Rows[r][i]
}

func (tb table) str(r int, name string) string {
	switch v := tb.cell(r, name).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	default:
		return strings.TrimSpace(fmt.Sprint(v))
	}
}

func (tb table) time(r int, name string) time.Time {
	switch v := tb.cell(r, name).(type) {
	case time.Time:
		return v.UTC()
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// shortHost returns the lower-case first label of a host name.
func shortHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.IndexByte(h, '.'); i > 0 {
		return h[:i]
	}
	return h
}

// entityCites returns the citations and facts for an event on a device of
// the user: the device resource when Intune knows the device, else the user.
func (st *invState) entityCites(host string) ([]string, []string, string) {
	if d, ok := st.devices[shortHost(host)]; ok && host != "" {
		return []string{resources.URI(st.alias, resources.KindDevice, d.ID)}, []string{d.DeviceName}, d.DeviceName
	}
	if host != "" {
		return []string{st.res.UserURI}, []string{st.upn}, strings.ToUpper(shortHost(host))
	}
	return []string{st.res.UserURI}, []string{st.upn}, ""
}

// addQueryEvent adds an event from a query row, merging an event of the
// same kind, minute and key seen by another query.
func (st *invState) addQueryEvent(q string, at time.Time, kind, host, what, key string) *Event {
	k := kind + "|" + at.Truncate(time.Minute).Format(time.RFC3339) + "|" + strings.ToLower(key)
	for _, e := range st.events {
		if e.key == k {
			e.Queries = appendOnce(e.Queries, q)
			return e
		}
	}
	cites, facts, dev := st.entityCites(host)
	what = strings.ReplaceAll(what, "{dev}", dev)
	if facts[0] == st.upn && !strings.Contains(strings.ToLower(what), strings.ToLower(st.upn)) {
		what += " (user " + st.upn + ")"
	}
	e := &Event{Time: at, Kind: kind, What: what, Device: dev, FromQuery: true, Queries: []string{q}, Citations: cites, facts: facts, key: k}
	st.events = append(st.events, e)
	return e
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// alertEvents adds one event per DLP alert and per other case alert.
func (st *invState) alertEvents() {
	for _, a := range st.alerts {
		d := parseDLP(a)
		uri := resources.URI(st.alias, resources.KindAlert, a.ID)
		item := d.FileName
		if item == "" {
			item = d.EmailSubject
		}
		what := fmt.Sprintf("DLP alert %s: policy %s matched %s in %s; action %s", a.ID, text.Quote(d.PolicyName), text.Quote(item), d.Location, d.Action)
		if d.Overridden {
			what += ", overridden by the user"
		}
		if d.TargetDomain != "" {
			what += "; destination " + d.TargetDomain
		}
		st.events = append(st.events, &Event{Time: alertTime(a), Kind: "dlp_alert", What: what, Device: d.DeviceName,
			Citations: []string{uri}, facts: []string{a.ID, d.PolicyName, item, d.Location, d.Action, d.TargetDomain}, alertID: a.ID})
		st.res.DLPAlerts = append(st.res.DLPAlerts, AlertRef{ID: a.ID, Time: alertTime(a), Title: a.Title, Policy: d.PolicyName,
			Location: d.Location, Action: d.Action, Overridden: d.Overridden, Item: item, Target: d.TargetDomain, URI: uri})
		if d.Label != "" {
			st.res.Labels = append(st.res.Labels, LabelSeen{Label: d.Label, Time: alertTime(a), Source: "DLP alert " + a.ID, URI: uri})
		}
	}
	for _, a := range st.other {
		uri := resources.URI(st.alias, resources.KindAlert, a.ID)
		st.events = append(st.events, &Event{Time: alertTime(a), Kind: "alert", What: fmt.Sprintf("Alert %s: %s (%s, %s)", a.ID, a.Title, a.Severity, a.ServiceSource),
			Citations: []string{uri}, facts: []string{a.ID, a.Title}})
	}
}

// relatedAlerts cites the DLP alerts that name the same file or destination.
func (st *invState) relatedAlerts(e *Event, file, dest string) {
	for _, a := range st.alerts {
		d := parseDLP(a)
		if (file != "" && strings.EqualFold(d.FileName, file)) || (dest != "" && strings.EqualFold(d.TargetDomain, dest)) {
			e.Citations = appendOnce(e.Citations, resources.URI(st.alias, resources.KindAlert, a.ID))
		}
	}
}
