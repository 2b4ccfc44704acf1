package entra

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// Limits of the summary's lists.
const (
	maxRiskyUsers   = 50
	maxPerType      = 20
	maxRiskySignIns = 50
	maxPatternIDs   = 30
)

// primaryFailures are first-factor failure codes (bad password, locked, ...).
var primaryFailures = []int32{50034, 50053, 50055, 50056, 50057, 50126}

// mfaFailures are codes for an MFA challenge that was not completed.
var mfaFailures = []int32{50074, 50076, 500121}

func buildRiskSummary(alias string, p RiskSummaryParams, since, until time.Time, d riskData) RiskSummaryResult {
	res := RiskSummaryResult{Tenant: alias, Scope: "tenant " + alias, Since: since, Until: until,
		RiskyUsers: []RiskyUserSummary{}, DetectionTypes: []DetectionType{}, RiskySignIns: []SignInItem{},
		Patterns: []Pattern{}, Actions: []Action{}, Missing: append([]string{}, d.missing...),
		Truncated: append([]string{}, d.truncated...), Sources: []resources.Ref{}}
	switch {
	case p.User != "":
		res.Scope = "user " + p.User
	case p.IPAddress != "":
		res.Scope = "IP address " + p.IPAddress
	}
	perUser := map[string]int{}
	for _, x := range d.detections {
		perUser[strings.ToLower(x.UserPrincipalName)]++
	}
	for _, r := range d.risky {
		n := perUser[strings.ToLower(r.UserPrincipalName)]
		if strings.EqualFold(r.RiskLevel, "none") && n == 0 {
			continue
		}
		res.RiskyUsers = append(res.RiskyUsers, RiskyUserSummary{RiskyUser: r, Detections: n, URI: resources.URI(alias, resources.KindUser, r.UserPrincipalName)})
	}
	sort.SliceStable(res.RiskyUsers, func(i, j int) bool {
		a, b := res.RiskyUsers[i], res.RiskyUsers[j]
		if levelRank(a.RiskLevel) != levelRank(b.RiskLevel) {
			return levelRank(a.RiskLevel) > levelRank(b.RiskLevel)
		}
		return a.RiskLastUpdated.After(b.RiskLastUpdated)
	})
	res.RiskyUsers = res.RiskyUsers[:min(len(res.RiskyUsers), maxRiskyUsers)]
	res.DetectionTypes = detectionTypes(alias, d.detections)
	signIns := d.sortedSignIns()
	referenced := map[string]bool{}
	for _, x := range d.detections {
		referenced[x.RequestID] = true
	}
	for _, s := range signIns {
		if len(res.RiskySignIns) < maxRiskySignIns && (riskLevel(s) != "" || len(s.RiskEventTypes) > 0 || referenced[s.ID]) {
			res.RiskySignIns = append(res.RiskySignIns, SignInItemOf(alias, s))
		}
	}
	res.Patterns = patterns(signIns)
	res.Actions = recommend(res, d)
	res.Sources = riskSources(res)
	return res
}

func riskLevel(s source.SignIn) string {
	switch l := strings.ToLower(s.RiskLevelDuringSignIn); l {
	case "low", "medium", "high":
		return l
	}
	return ""
}

func levelRank(l string) int {
	return map[string]int{"low": 1, "medium": 2, "high": 3}[strings.ToLower(l)]
}

func detectionTypes(alias string, dets []source.RiskDetection) []DetectionType {
	byType := map[string]*DetectionType{}
	var order []string
	sorted := slices.Clone(dets)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].DetectedDateTime.After(sorted[j].DetectedDateTime) })
	for _, x := range sorted {
		t := byType[x.RiskEventType]
		if t == nil {
			t = &DetectionType{Type: x.RiskEventType, Meaning: RiskMeaning(x.RiskEventType), Users: []string{}, Detections: []DetectionRef{}}
			byType[x.RiskEventType] = t
			order = append(order, x.RiskEventType)
		}
		t.Count++
		if len(t.Detections) >= maxPerType {
			continue
		}
		ref := DetectionRef{ID: x.ID, User: x.UserPrincipalName, IPAddress: x.IPAddress, Time: x.DetectedDateTime,
			Level: x.RiskLevel, State: x.RiskState, URI: resources.URI(alias, resources.KindRisk, x.ID),
			Location: strings.Trim(x.City+", "+x.CountryOrRegion, ", ")}
		if x.RequestID != "" {
			ref.SignInURI = resources.URI(alias, resources.KindSignIn, x.RequestID)
		}
		t.Detections = append(t.Detections, ref)
		if !slices.Contains(t.Users, x.UserPrincipalName) {
			t.Users = append(t.Users, x.UserPrincipalName)
		}
	}
	out := make([]DetectionType, 0, len(order))
	for _, k := range order {
		out = append(out, *byType[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// patterns finds spray signatures, failure bursts, MFA failures and users
// seen from several countries within 12 hours.
func patterns(signIns []source.SignIn) []Pattern {
	asc := slices.Clone(signIns)
	slices.Reverse(asc) // oldest first
	var out []Pattern
	byIP := group(asc, func(s source.SignIn) string { return s.IPAddress }, func(s source.SignIn) bool { return slices.Contains(primaryFailures, s.ErrorCode) })
	for _, ip := range sortedKeys(byIP) {
		if w := densest(byIP[ip], 2*time.Hour, distinctUsers); distinctUsers(w) >= 5 {
			out = append(out, makePattern("spray", w, fmt.Sprintf("password-spray signature: %d accounts failed primary authentication from %s within two hours", distinctUsers(w), ip)))
		}
	}
	byUser := group(asc, func(s source.SignIn) string { return strings.ToLower(s.UserPrincipalName) }, func(s source.SignIn) bool { return s.ErrorCode != 0 })
	for _, u := range sortedKeys(byUser) {
		fails := byUser[u]
		if w := densest(filter(fails, primaryFailures), time.Hour, count); len(w) >= 5 {
			out = append(out, makePattern("failureBurst", w, fmt.Sprintf("failure burst: %d failed sign-ins for %s within an hour (guessing against one account)", len(w), u)))
		}
		if w := densest(filter(fails, mfaFailures), time.Hour, count); len(w) >= 2 {
			out = append(out, makePattern("mfaFailures", w, fmt.Sprintf("repeated MFA failures: %d uncompleted MFA challenges for %s within an hour (possible MFA fatigue, or a password known to an attacker)", len(w), u)))
		}
	}
	all := group(asc, func(s source.SignIn) string { return strings.ToLower(s.UserPrincipalName) }, func(source.SignIn) bool { return true })
	for _, u := range sortedKeys(all) {
		if w := densest(all[u], 12*time.Hour, distinctCountries); distinctCountries(w) >= 2 {
			p := makePattern("manyCountries", w, fmt.Sprintf("%s signed in from %d countries within 12 hours", u, distinctCountries(w)))
			out = append(out, p)
		}
	}
	return out
}

func group(ss []source.SignIn, key func(source.SignIn) string, keep func(source.SignIn) bool) map[string][]source.SignIn {
	m := map[string][]source.SignIn{}
	for _, s := range ss {
		if keep(s) {
			m[key(s)] = append(m[key(s)], s)
		}
	}
	return m
}

func sortedKeys(m map[string][]source.SignIn) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func filter(ss []source.SignIn, codes []int32) []source.SignIn {
	return slices.DeleteFunc(slices.Clone(ss), func(s source.SignIn) bool { return !slices.Contains(codes, s.ErrorCode) })
}

func count(ss []source.SignIn) int { return len(ss) }

func distinctUsers(ss []source.SignIn) int {
	m := map[string]bool{}
	for _, s := range ss {
		m[strings.ToLower(s.UserPrincipalName)] = true
	}
	return len(m)
}

func distinctCountries(ss []source.SignIn) int {
	m := map[string]bool{}
	for _, s := range ss {
		if s.CountryOrRegion != "" {
			m[strings.ToUpper(s.CountryOrRegion)] = true
		}
	}
	return len(m)
}

// densest returns the window of at most span (over time-ordered sign-ins)
// that scores highest.
func densest(ss []source.SignIn, span time.Duration, score func([]source.SignIn) int) []source.SignIn {
	var best []source.SignIn
	bestScore := 0
	j := 0
	for i := range ss {
		for ss[i].CreatedDateTime.Sub(ss[j].CreatedDateTime) > span {
			j++
		}
		if s := score(ss[j : i+1]); s > bestScore {
			best, bestScore = ss[j:i+1], s
		}
	}
	return best
}

func makePattern(kind string, w []source.SignIn, summary string) Pattern {
	p := Pattern{Kind: kind, Summary: summary, Users: []string{}, IPs: []string{}, Count: len(w), SignInIDs: []string{}}
	for _, s := range w {
		if !slices.Contains(p.Users, s.UserPrincipalName) {
			p.Users = append(p.Users, s.UserPrincipalName)
		}
		if !slices.Contains(p.IPs, s.IPAddress) {
			p.IPs = append(p.IPs, s.IPAddress)
		}
		if c := strings.ToUpper(s.CountryOrRegion); c != "" && !slices.Contains(p.Countries, c) {
			p.Countries = append(p.Countries, c)
		}
		if len(p.SignInIDs) < maxPatternIDs {
			p.SignInIDs = append(p.SignInIDs, s.ID)
		}
	}
	if len(w) > 0 {
		p.First, p.Last = w[0].CreatedDateTime, w[len(w)-1].CreatedDateTime
		if last := w[len(w)-1].ID; !slices.Contains(p.SignInIDs, last) {
			p.SignInIDs[len(p.SignInIDs)-1] = last
		}
	}
	return p
}

func riskSources(res RiskSummaryResult) []resources.Ref {
	seen := map[string]bool{}
	var out []resources.Ref
	add := func(uri string) {
		if uri != "" && !seen[uri] {
			seen[uri] = true
			out = append(out, resources.Ref{URI: uri})
		}
	}
	for _, u := range res.RiskyUsers {
		add(u.URI)
	}
	for _, t := range res.DetectionTypes {
		for _, x := range t.Detections {
			add(x.URI)
			add(x.SignInURI)
		}
	}
	for _, s := range res.RiskySignIns {
		add(s.URI)
	}
	for _, p := range res.Patterns {
		for _, id := range p.SignInIDs {
			add(resources.URI(res.Tenant, resources.KindSignIn, id))
		}
	}
	if out == nil {
		out = []resources.Ref{}
	}
	return out
}
