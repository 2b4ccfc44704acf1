package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// IntentOutlier is a question about the entities that stand out: "devices
// with an outstanding number of outgoing connections" (a ranking of
// per-entity counts, Intent.Outlier "rank") or "users with more failed
// sign-ins than their own baseline" (each entity's recent count against its
// own daily average, Intent.Outlier "baseline").
const IntentOutlier = "outlier"

var (
	// reOutlier names a count that stands out.
	reOutlier = lazyre.New(`\b(?:outstanding|unusual(?:ly)?|abnormal(?:ly)?|anomal\w*|excessive(?:ly)?|outliers?|spik\w*|surg\w*|(?:suspiciously|very|unusually|abnormally)\s+(?:high|large|many)|(?:high|large|huge|significant|elevated|increased|extreme)\s+(?:number|amount|volume|count|rate|howmany)s?|more\s+(?:\w+\s+){1,3}?than\s+(?:usual|normal|their|its|the\s+usual|anyone|anybody|everyone|others|any\s+other|the\s+rest)|above\s+(?:their|its)\s+(?:own\s+)?(?:[\w-]+\s+){0,3}?(?:baseline|average|normal|usual)|jump\w*)\b`)
	// reOwnBaseline compares an entity with its own history.
	reOwnBaseline = lazyre.New(`\b(?:(?:their|its|his|her)\s+own|(?:their|its)\s+(?:usual|normal|typical|daily|average|baseline)|baseline|than\s+usual|than\s+normal|spik\w*|surg\w*|jump\w*|increase[ds]?|(?:their|its)\s+(?:[\w-]+\s+){1,3}?(?:average|baseline)|compared\s+(?:to|with)\s+(?:their|its|the\s+previous|previous|the\s+prior|prior|before))\b`)
	// reRank asks for entities ranked by a measure: "rank devices by the
	// number of …", "users ordered by …", "a ranking of hosts by …".
	reRank = lazyre.New(`\b(?:rank(?:ed|s)?|order(?:ed)?|sort(?:ed)?|ranking\s+of)\s+(?:the\s+|all\s+)?(?:\w+\s+){0,2}?by\b|\branking\s+of\b`)
	// reMoreOf is "more <things> than": a count of distinct things.
	reMoreOf = lazyre.New(`\bmore\s+(?:different\s+|distinct\s+|unique\s+)?([a-z0-9_]+)\s+than\b`)
	// reSubject is the kind of entity a tenant-wide question is about.
	reSubject = lazyre.New(`\b(devices?|machines?|hosts?|computers?|endpoints?|servers?|workstations?|users?|accounts?|identities|identity|people|ips?|ip addresses|senders?|recipients?|apps?|applications?|processes|callers?)\b`)
)

// subjectKey gives a ranking that names no key its subject ("senders that
// sent the most phishing" ranks senders).
func subjectKey(in *Intent, nt string) {
	if in.Kind != IntentTop || len(in.By) > 0 {
		return
	}
	if m := reSubject.FindStringSubmatch(nt); m != nil {
		in.By = []string{stem(strings.Fields(m[1])[0])}
	}
}

// readOutlier recognises an outlier or ranking question; the grouping key
// defaults to the kind of entity the question is about.
func readOutlier(in *Intent, nt string) {
	if in.Kind == IntentNew || in.Kind == IntentDormant || !reOutlier.MatchString(nt) && !reRank.MatchString(nt) {
		return
	}
	in.Kind, in.Outlier = IntentOutlier, "rank"
	if reOwnBaseline.MatchString(nt) {
		in.Outlier = "baseline"
	}
	if in.N == 0 {
		in.N = 10
	}
	subject := ""
	if m := reSubject.FindStringSubmatch(nt); m != nil {
		subject = stem(strings.Fields(m[1])[0])
	}
	if m := reDistinctNoun.FindStringSubmatch(nt); m != nil && stem(m[1]) != subject && subject != "" {
		// "users who signed in from an unusual number of distinct
		// countries": count the countries per user.
		in.DistinctOf, in.By = stem(m[1]), []string{subject}
	}
	if m := reMoreOf.FindStringSubmatch(nt); m != nil && in.DistinctOf == "" && subject != "" {
		// "users with sign-ins from more countries than anyone else":
		// the distinct countries per user.
		if w := stem(m[1]); roleWords[w] != "" && roleWords[w] != roleWords[subject] {
			in.DistinctOf, in.By = w, []string{subject}
		}
	}
	if len(in.By) == 0 && subject != "" || reRank.MatchString(nt) && subject != "" && in.DistinctOf == "" {
		// "applications ranked by sign-in count": the words after "by"
		// are the measure, the entity ranked is the subject.
		in.By = []string{subject}
	}
	in.Render = ""
}

// outlierWindow sets a baseline question's periods: the recent one (the
// window asked for when it is two days or shorter, else one day) against
// the 30 days before it (or the window asked for when it is a week or
// longer). It returns the assumption to state.
func (p *Plan) outlierWindow() string {
	in := &p.Intent
	if in.Outlier != "baseline" {
		if !p.windowGiven {
			return noRangeNote + ": ranked the last 7 days"
		}
		return ""
	}
	in.Recent, in.Baseline = "1d", "30d"
	if p.windowGiven && p.Window.End == "" && strings.HasPrefix(p.Window.Start, "ago(") {
		span := strings.TrimSuffix(strings.TrimPrefix(p.Window.Start, "ago("), ")")
		switch {
		case p.Window.Span > 0 && p.Window.Span <= 48:
			in.Recent = span
		case p.Window.Span >= 7*24:
			in.Baseline = span
		}
	}
	p.Window = Window{Start: "ago(" + in.Baseline + ")", Span: spanHours(in.Baseline)}
	return fmt.Sprintf("compared each one's count in the last %s with its own average per %s over the %s before", in.Recent, in.Recent, in.Baseline)
}

// measureName names what an outlier question counts, so the ranking says
// what it ranks by.
func measureName(t *schema.Table, p *Plan) string {
	for _, c := range p.Concepts {
		if c == "failed" || c == "passwordspray" {
			return "Failures"
		}
	}
	names := map[string]string{"DeviceNetworkEvents": "Connections", "DeviceProcessEvents": "Processes",
		"DeviceLogonEvents": "Logons", "IdentityLogonEvents": "Logons", "SigninLogs": "SignIns",
		"AADSignInEventsBeta": "SignIns", "EntraIdSignInEvents": "SignIns", "DeviceFileEvents": "FileEvents", "EmailEvents": "Emails",
		"IdentityQueryEvents": "Queries", "CloudAppEvents": "Activities", "OfficeActivity": "Activities",
		"SecurityAlert": "Alerts", "AlertEvidence": "Alerts", "AlertInfo": "Alerts", "AuditLogs": "Operations",
		"AzureActivity": "Operations", "DeviceRegistryEvents": "RegistryEvents", "SecurityEvent": "Events"}
	if n, ok := names[t.Name]; ok {
		return n
	}
	return "Events"
}

// outlierQuery writes the outlier shape over body (the table, window and
// filters, without the table name) grouped by keys.
func outlierQuery(t *schema.Table, tc, body string, p *Plan, keys []Col) (string, []string) {
	var b strings.Builder
	for _, k := range keys {
		if !k.Plain() {
			fmt.Fprintf(&b, "\n| extend %s = %s", k.Name, k.Expr)
		}
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	by := strings.Join(names, ", ")
	m := measureName(t, p)
	in := p.Intent
	agg := "count()"
	if col, ok := wordColumn(t, in.DistinctOf); ok && in.DistinctOf != "" {
		agg, m = "dcount("+col+")", "Distinct"+col // DistinctRemoteIP: names the column counted
	}
	if in.Outlier == "baseline" && tc != "" {
		days := max(spanHours(in.Baseline)-spanHours(in.Recent), 1) / max(spanHours(in.Recent), 1)
		q := fmt.Sprintf("%s%s%s\n| summarize Recent%s = countif(%s > ago(%s)), Earlier = countif(%s <= ago(%s)) by %s"+
			"\n| extend Baseline%s = round(todouble(Earlier) / %g, 1)\n| extend Ratio = round(Recent%s / max_of(Baseline%s, 1.0), 1)"+
			"\n| where Recent%s > 3 * Baseline%s\n| top %d by Ratio desc",
			t.Name, body, b.String(), m, tc, in.Recent, tc, in.Recent, by, m, days, m, m, m, m, in.N)
		return q, []string{fmt.Sprintf("ranked by Ratio: %s in the last %s over the same entity's own average (Baseline%s); kept those above 3 times it", m, in.Recent, m)}
	}
	q := fmt.Sprintf("let Counts = %s%s%s\n| summarize %s = %s by %s;\nlet Mean = toscalar(Counts | summarize avg(%s));\nlet StdDev = toscalar(Counts | summarize stdev(%s));\nCounts"+
		"\n| extend ZScore = round((%s - Mean) / max_of(StdDev, 1.0), 1)\n| top %d by %s desc",
		t.Name, body, b.String(), m, agg, by, m, m, m, in.N, m)
	return q, []string{fmt.Sprintf("ranked by %s per %s; ZScore is how many standard deviations each is above the average", m, by)}
}

// wordColumn resolves a word of the question to a plain column of t: by
// its role ("device" → DeviceName), else by a name part.
func wordColumn(t *schema.Table, w string) (string, bool) {
	if w == "" {
		return "", false
	}
	if role, ok := roleWords[w]; ok {
		if c, ok := roleCol(t, role); ok && c.Plain() {
			return c.Name, true
		}
	}
	return columnByWord(t, w, "")
}
