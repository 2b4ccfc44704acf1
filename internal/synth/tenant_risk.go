package synth

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// The documented risk signals "top users at risk" ranks by, with the page
// that defines each.
const (
	// riskyUserDoc defines riskyUser's riskState (atRisk,
	// confirmedCompromised, remediated, dismissed, confirmedSafe), riskLevel
	// (low, medium, high), riskDetail and riskLastUpdatedDateTime.
	riskyUserDocURL = "https://learn.microsoft.com/graph/api/resources/riskyuser"
	// identityInfoDoc defines IdentityInfo's RiskLevel, RiskLevelDetails and
	// CriticalityLevel (the identity's criticality in Defender's critical
	// asset management).
	identityInfoDocURL = "https://learn.microsoft.com/defender-xdr/advanced-hunting-identityinfo-table"
)

// RankSignal is one signal a ranking uses: which source holds it, the
// page that documents it, and whether the source answered.
type RankSignal struct {
	Signal string `json:"signal"`
	Source string `json:"source"`
	Doc    string `json:"doc"`
	Read   bool   `json:"read"`
}

// identityRisk is a user's latest IdentityInfo row's risk columns.
type identityRisk struct {
	Level, Details string
	Criticality    int
}

// riskGroup gathers the two sources of "top users at risk" — Entra ID
// Protection's risky users (Graph) and Advanced Hunting's IdentityInfo —
// and ranks once both calls ended, whichever answered.
type riskGroup struct {
	mu                     sync.Mutex
	pending, top           int
	w                      window
	entra                  map[string]RiskyUserFacet
	closedByEntra          map[string]string // user → remediated, dismissed, confirmedSafe
	entraRead, entraMore   bool
	entraCount             int // risky users read
	identity               map[string]identityRisk
	identityRead, huntMore bool
	query                  string
}

// riskyUsersJobs are the two calls of "top users at risk"; the ranking is
// made when the second one ends.
func riskyUsersJobs(w window, top int) []job {
	g := &riskGroup{pending: 2, top: top, w: w, entra: map[string]RiskyUserFacet{}, closedByEntra: map[string]string{},
		identity: map[string]identityRisk{}}
	return []job{g.entraJob(), g.identityJob()}
}

// entraJob reads Entra ID Protection's risky users updated in the window,
// page by page (at most maxPages of 200: a ranking over one page would
// rank an arbitrary part of a larger tenant's risky users).
func (g *riskGroup) entraJob() job {
	args := map[string]any{"top": 200, "since": rfc(g.w.from), "until": rfc(g.w.to)}
	return pagesJob("0-tenant-risky-users", "Entra risky users (tenant)", toolRiskyUsers, args, mergeRiskyUsers,
		func(r *run, d riskyUserDoc) error {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.entraRead, g.entraMore, g.entraCount = true, d.Page.More, len(d.Users)
			for _, u := range d.Users {
				upn := strings.ToLower(u.UPN)
				switch {
				case (u.State == "atRisk" || u.State == "confirmedCompromised") && u.Level != "none" && u.Level != "":
					g.entra[upn] = RiskyUserFacet{User: upn, RiskLevel: u.Level, RiskState: u.State, RiskDetail: u.Detail, LastUpdated: u.LastUpdated}
				case u.State == "remediated" || u.State == "dismissed" || u.State == "confirmedSafe":
					g.closedByEntra[upn] = u.State
				}
			}
			return nil
		}, g.settle)
}

// mergeRiskyUsers appends a page of risky users.
func mergeRiskyUsers(acc *riskyUserDoc, page riskyUserDoc) pageInfo {
	acc.Users = append(acc.Users, page.Users...)
	acc.Page = page.Page
	return page.Page
}

// identityQuery is each user's latest IdentityInfo row in the window with
// a risk level (IdentityInfo is a daily snapshot, so the latest row wins).
func identityQuery(w window) string {
	return "IdentityInfo\n| where Timestamp between (" + kqlTime(w.from) + " .. " + kqlTime(w.to) + ")\n" +
		"| where isnotempty(AccountUpn)\n" +
		"| summarize arg_max(Timestamp, RiskLevel, RiskLevelDetails, CriticalityLevel) by AccountUpn\n" +
		"| where RiskLevel in~ (\"low\", \"medium\", \"high\")\n" +
		"| order by AccountUpn asc"
}

// identityJob reads IdentityInfo's risk columns in Advanced Hunting.
func (g *riskGroup) identityJob() job {
	g.query = identityQuery(g.w)
	return job{key: "0-tenant-identity-risk", source: "Advanced Hunting IdentityInfo risk (tenant)", tool: toolHunting,
		args: map[string]any{"query": g.query, "top": 500}, settle: g.settle,
		then: func(r *run, raw json.RawMessage) error {
			var d huntingDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolHunting, err)
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			g.identityRead, g.huntMore = true, d.TotalRows > len(d.Rows)
			for _, m := range d.maps() {
				upn, _ := m["AccountUpn"].(string)
				lv, _ := m["RiskLevel"].(string)
				det, _ := m["RiskLevelDetails"].(string)
				if upn != "" {
					g.identity[strings.ToLower(upn)] = identityRisk{Level: strings.ToLower(lv), Details: det, Criticality: int(num(m["CriticalityLevel"]))}
				}
			}
			return nil
		}}
}

// maps returns a hunting result's rows keyed by column name.
func (d huntingDoc) maps() []map[string]any {
	out := make([]map[string]any, 0, len(d.Rows))
	for _, row := range d.Rows {
		m := map[string]any{}
		for i, c := range d.Columns {
			if i < len(row) {
				m[c.Name] = row[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// atRisk is one candidate of the merged ranking.
type atRisk struct {
	user, level, state, detail string
	entraLevel, huntLevel      string
	criticality                int
	updated                    time.Time
}

// merge joins the two sources: a user is at risk when Entra holds them at
// risk or confirmed compromised, or IdentityInfo gives a risk level and
// Entra has not closed their risk (remediated, dismissed, confirmed safe:
// Entra's state is newer than IdentityInfo's daily snapshot).
func (g *riskGroup) merge() []atRisk {
	by := map[string]*atRisk{}
	for upn, e := range g.entra {
		by[upn] = &atRisk{user: upn, level: e.RiskLevel, state: e.RiskState, detail: e.RiskDetail, entraLevel: e.RiskLevel, updated: e.LastUpdated}
	}
	for upn, h := range g.identity {
		a := by[upn]
		if a == nil {
			if g.closedByEntra[upn] != "" {
				continue
			}
			a = &atRisk{user: upn}
			by[upn] = a
		}
		a.huntLevel, a.criticality = h.Level, h.Criticality
		if lvl(h.Level) < lvl(a.level) {
			a.level = h.Level
		}
		if a.detail == "" {
			a.detail = h.Details
		}
	}
	out := make([]atRisk, 0, len(by))
	for _, a := range by {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.state == "confirmedCompromised") != (b.state == "confirmedCompromised") {
			return a.state == "confirmedCompromised"
		}
		if la, lb := lvl(a.level), lvl(b.level); la != lb {
			return la < lb
		}
		if a.criticality != b.criticality {
			return a.criticality > b.criticality
		}
		if !a.updated.Equal(b.updated) {
			return a.updated.After(b.updated)
		}
		return a.user < b.user
	})
	return out
}

// rankedBy says what the merged ranking ranks by, naming each signal's source.
const riskRankedBy = "Entra ID Protection's risk state (confirmed compromised first), then the user's risk level (high, medium, low; " +
	"the higher of Entra ID Protection's riskLevel and Advanced Hunting IdentityInfo's RiskLevel), then IdentityInfo's CriticalityLevel " +
	"(more critical identities first), then the most recent Entra risk update"

// settle ranks once both sources ended and fans out to the top users.
func (g *riskGroup) settle(r *run) {
	g.mu.Lock()
	g.pending--
	if g.pending != 0 || (!g.entraRead && !g.identityRead) {
		g.mu.Unlock()
		return
	}
	ranked := g.merge()
	f := RankingFacet{Purpose: "users at risk", Tool: toolRiskyUsers, Query: g.query, Since: g.w.from, Until: g.w.to, Candidates: len(ranked),
		RankedBy: riskRankedBy, Signals: []RankSignal{
			{Signal: "riskState, riskLevel, riskDetail, riskLastUpdatedDateTime", Source: "Entra ID Protection risky users (" + toolRiskyUsers + ")", Doc: riskyUserDocURL, Read: g.entraRead},
			{Signal: "RiskLevel, RiskLevelDetails, CriticalityLevel", Source: "Advanced Hunting IdentityInfo (" + toolHunting + ")", Doc: identityInfoDocURL, Read: g.identityRead}}}
	if !g.entraRead {
		f.Tool = toolHunting
	}
	switch {
	case g.entraMore:
		f.Truncated = fmt.Sprintf("only the first %d risky users updated in the window were ranked", g.entraCount)
	case g.huntMore:
		f.Truncated = "only the first 500 IdentityInfo users with a risk level were ranked"
	}
	g.mu.Unlock()
	for i, u := range ranked {
		if i == g.top {
			break
		}
		e := map[string]any{"rank": i + 1, "user": u.user, "riskLevel": u.level}
		if u.state != "" {
			e["riskState"], e["riskLastUpdated"] = u.state, rfc(u.updated)
			e["entraRiskLevel"] = u.entraLevel
		}
		if u.huntLevel != "" {
			e["identityInfoRiskLevel"], e["criticalityLevel"] = u.huntLevel, u.criticality
		}
		if u.detail != "" && u.detail != "none" {
			e["riskDetail"] = u.detail
		}
		f.Entries = append(f.Entries, e)
		if u.state != "" {
			r.set.Add(userURI(r, u.user), KindUser, u.user, "user "+u.user, toolRiskyUsers, "riskyUser",
				RiskyUserFacet{User: u.user, RiskLevel: u.entraLevel, RiskState: u.state, RiskDetail: u.detail, LastUpdated: u.updated})
		}
		if r.budget.take("user", u.user) {
			r.userFanOut(u.user, window{})
		}
	}
	if err := r.addRanking("0-risky-users", f); err != nil {
		r.note("The ranking of users at risk could not be stored: " + err.Error())
	}
}
