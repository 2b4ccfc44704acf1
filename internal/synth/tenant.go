package synth

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// planTenant plans a scope-less question in two steps: a tenant-wide call
// that finds the few entities that matter and ranks them (saying by what),
// then, from its result, the per-entity fan-out for the top ones. Both run
// in the same fan-out, so they share its deadline and call budget.
func (r *run) planTenant(it intent, now time.Time) {
	top := it.top
	if top <= 0 {
		top = defaultTop
	}
	top = min(top, maxTop)
	r.budget = newEntityBudget(top)
	win := func(def time.Duration) window {
		if it.win.set() {
			return it.win
		}
		return window{now.Add(-def), now}
	}
	switch it.tenant {
	case tenantRiskyUsers:
		for _, j := range riskyUsersJobs(win(30*24*time.Hour), top) {
			r.spawn(j)
		}
	case tenantSignInFailures:
		r.spawn(signInFailuresJob(win(24*time.Hour), top))
	case tenantOutgoing:
		r.spawn(outlierHuntJob(outgoingSpec, win(7*24*time.Hour), top))
	case tenantDeviceOutliers:
		r.spawn(outlierHuntJob(processSpec, win(7*24*time.Hour), top))
	case tenantUserOutliers:
		r.spawn(outlierHuntJob(userSignInSpec, win(7*24*time.Hour), top))
	case tenantAlertType:
		r.spawn(alertTypeJob(it.terms, win(7*24*time.Hour), top))
	case tenantActivity:
		w := win(24 * time.Hour)
		r.spawn(incidentsInWindowJob(w, top))
		r.spawn(alertsInWindowJob(w))
	case tenantService:
		r.planService(it.service, win(7*24*time.Hour))
	case tenantNoncompliant:
		r.spawn(noncompliantJob(top))
	case tenantGenerated:
		r.spawn(generatedJob(it.question, top))
	}
}

// riskyUserDoc is the part of entra_list_risky_users' result read here.
type riskyUserDoc struct {
	Users []struct {
		UPN         string    `json:"userPrincipalName"`
		Level       string    `json:"riskLevel"`
		State       string    `json:"riskState"`
		Detail      string    `json:"riskDetail"`
		LastUpdated time.Time `json:"riskLastUpdatedDateTime"`
		URI         string    `json:"uri"`
	} `json:"users"`
	Page pageInfo `json:"page"`
}

// RiskyUserFacet is a user as Entra ID Protection's risky-user list shows it.
type RiskyUserFacet struct {
	User        string    `json:"user"`
	RiskLevel   string    `json:"riskLevel"`
	RiskState   string    `json:"riskState"`
	RiskDetail  string    `json:"riskDetail,omitempty"`
	LastUpdated time.Time `json:"riskLastUpdated"`
}

var levelRank = map[string]int{"high": 0, "medium": 1, "low": 2}

func lvl(s string) int {
	if n, ok := levelRank[s]; ok {
		return n
	}
	return 3
}

// signInListDoc is the part of entra_list_signins' result read here.
type signInListDoc struct {
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until"`
	SignIns []struct {
		ID        string    `json:"id"`
		Time      time.Time `json:"time"`
		User      string    `json:"user"`
		App       string    `json:"app"`
		IPAddress string    `json:"ipAddress"`
		Location  string    `json:"location"`
		ErrorCode int       `json:"errorCode"`
		Failure   string    `json:"failureReason"`
		RiskLevel string    `json:"riskLevel"`
	} `json:"signIns"`
	Page pageInfo `json:"page"`
}

// userSignIns aggregates one user's sign-ins of a listing.
type userSignIns struct {
	user         string
	n, risky     int
	ips, reasons map[string]int
	first, last  time.Time
}

func aggregateSignIns(d signInListDoc, keep func(errorCode int, risk string) bool) []*userSignIns {
	by := map[string]*userSignIns{}
	for _, s := range d.SignIns {
		if !keep(s.ErrorCode, s.RiskLevel) || s.User == "" {
			continue
		}
		u := strings.ToLower(s.User)
		a := by[u]
		if a == nil {
			a = &userSignIns{user: u, ips: map[string]int{}, reasons: map[string]int{}, first: s.Time, last: s.Time}
			by[u] = a
		}
		a.n++
		if s.RiskLevel == "medium" || s.RiskLevel == "high" {
			a.risky++
		}
		if s.IPAddress != "" {
			a.ips[s.IPAddress]++
		}
		if s.Failure != "" {
			a.reasons[truncate(s.Failure, 80)]++
		}
		if s.Time.Before(a.first) {
			a.first = s.Time
		}
		if s.Time.After(a.last) {
			a.last = s.Time
		}
	}
	out := make([]*userSignIns, 0, len(by))
	for _, a := range by {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		if len(out[i].ips) != len(out[j].ips) {
			return len(out[i].ips) > len(out[j].ips)
		}
		return out[i].user < out[j].user
	})
	return out
}

// topKeys returns the n most frequent keys of m (ties by key).
func topKeys(m map[string]int, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

// signInFailuresJob ranks users by failed sign-ins in the window.
func signInFailuresJob(w window, top int) job {
	args := map[string]any{"outcome": "failure", "top": 200, "since": rfc(w.from), "until": rfc(w.to)}
	return pagesJob("0-tenant-signin-failures", "Entra failed sign-ins (tenant)", toolListSignIns, args, mergeSignIns,
		func(r *run, d signInListDoc) error {
			users := aggregateSignIns(d, func(code int, _ string) bool { return code != 0 })
			reasons, ips, total := map[string]int{}, map[string]int{}, 0
			for _, u := range users {
				total += u.n
				for k, v := range u.reasons {
					reasons[k] += v
				}
				for k, v := range u.ips {
					ips[k] += v
				}
			}
			f := RankingFacet{Purpose: "failed sign-ins by user", Tool: toolListSignIns, Since: w.from, Until: w.to, Candidates: len(users),
				RankedBy: "failed sign-ins per user, then distinct source IP addresses",
				Totals:   map[string]any{"failedSignIns": total, "users": len(users), "sourceIpAddresses": len(ips), "topFailureReasons": topKeys(reasons, 3), "topSourceIps": topKeys(ips, 3)}}
			if d.Page.More {
				f.Truncated = fmt.Sprintf("only the first %d failed sign-ins of the window were read", len(d.SignIns))
			}
			for i, u := range users {
				if i == top {
					break
				}
				f.Entries = append(f.Entries, map[string]any{"rank": i + 1, "user": u.user, "failedSignIns": u.n,
					"ipAddresses": topKeys(u.ips, 5), "failureReasons": topKeys(u.reasons, 3), "first": rfc(u.first), "last": rfc(u.last)})
				if r.budget.take("user", u.user) {
					r.userFanOut(u.user, window{})
				}
			}
			return r.addRanking("0-signin-failures", f)
		}, nil)
}
