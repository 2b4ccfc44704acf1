package synth

import (
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Tenant-wide question kinds the planner recognises (see planTenant).
const (
	tenantRiskyUsers     = "risky-users"          // top users at risk and why
	tenantSignInFailures = "sign-in-failures"     // failures in a window, by user
	tenantOutgoing       = "outgoing-connections" // devices by outgoing connections
	tenantAlertType      = "alert-type"           // everyone an alert type named
	tenantActivity       = "activity"             // what happened in a window
	tenantService        = "service"              // anything unusual with a service
	tenantDeviceOutliers = "device-outliers"      // devices far above the fleet's median
	tenantUserOutliers   = "user-outliers"        // users far above the tenant's median
	tenantNoncompliant   = "noncompliant-devices" // devices out of compliance
)

// intent is what a question asks for beyond its entities.
type intent struct {
	// question is the question as asked (for a generated query).
	question string
	// tenant is the tenant-wide kind; empty for entity-scoped questions.
	tenant string
	// verdict is true when the question asks whether something is compromised.
	verdict bool
	// top is how many entities the question asks for (0: the kind's default).
	top int
	// win is the window the question names; label says it in words.
	win   window
	label string
	// terms are the words of an alert type ("password", "spray").
	terms []string
	// service is the product a service question names.
	service serviceSpec
}

var (
	verdictRe   = lazyre.New(`(?i)\b(?:compromis\w*|hacked|breached|taken over|takeover|pwned|owned by an attacker)\b`)
	riskyRe     = lazyre.New(`(?i)\b(?:risky users?|riskiest|users?\s+(?:that|who)?\s*(?:are|is)?\s*(?:at|with)\s+(?:the\s+)?(?:most\s+|high(?:est)?\s+)?risk|at[- ]risk users?|users? at risk|user risk)\b`)
	failRe      = lazyre.New(`(?i)\b(?:(?:sign[- ]?in|log[- ]?in|logon|authentication)s?\s+(?:failures?|errors?|failed)|failed\s+(?:sign[- ]?ins?|log[- ]?ins?|logons?|authentications?))\b`)
	outgoingRe  = lazyre.New(`(?i)\b(?:outgoing|outbound|egress)\b.*\bconnections?\b|\bconnections?\b.*\b(?:outgoing|outbound)\b`)
	alertTypeRe = lazyre.New(`(?i)\b(?:with|by|from|of|had|have|got|triggered|received|raised|fired|generated)\s+(?:an?\s+|the\s+)?([a-z][a-z0-9' \-]{2,60}?)\s+alerts?\b`)
	unusualRe   = lazyre.New(`(?i)\b(?:unusual\w*|anomal\w*|abnormal\w*|outliers?|odd|strange|suspicious|stand(?:s)? out|out of the ordinary)\b`)
	deviceWord  = lazyre.New(`(?i)\b(?:devices?|endpoints?|machines?|hosts?|computers?|laptops?|servers?)\b`)
	userWord    = lazyre.New(`(?i)\b(?:users?|accounts?|people|identities|employees?)\b`)
	activityRe  = lazyre.New(`(?i)\b(?:what (?:has |have )?happened|what(?:'s| is| was) (?:been )?(?:going on|new)|anything (?:new|happen\w*)|summar\w+ (?:of )?(?:the )?(?:activity|incidents|alerts|security)|(?:new|recent) (?:incidents|alerts)|incidents? (?:were |was )?(?:created|raised|opened)|alerts? (?:were |was )?raised)\b`)
	noncompRe   = lazyre.New(`(?i)\b(?:non-?compliant|not compliant|out of compliance|failing compliance)\b`)
	serviceRe   = lazyre.New(`(?i)\b(?:with|in|on|around|for)\s+(?:the\s+|our\s+)?([a-z0-9][a-z0-9 .\-]{1,40}?)(?:\s+service)?\s*[?.!]*$`)
	topRe       = lazyre.New(`(?i)\b(?:top|first|the)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b`)
	windowRe    = lazyre.New(`(?i)\b(?:last|past|previous|prior)\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|twenty-four|thirty)?\s*(hours?|h|days?|d|weeks?|months?)\b`)
	incAlertRe  = lazyre.New(`(?i)\b(?:incidents?|alerts?)\b`)
	dayRe       = lazyre.New(`(?i)\b(yesterday|today|this morning|overnight|last night)\b`)
)

var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "twenty-four": 24, "thirty": 30}

func atoiWord(s string) int {
	if n, ok := numberWords[strings.ToLower(s)]; ok {
		return n
	}
	n, _ := strconv.Atoi(s)
	return n
}

// readIntent reads what the question asks; now anchors relative windows.
func readIntent(question string, now time.Time) intent {
	it := intent{question: question, verdict: verdictRe.MatchString(question)}
	if m := topRe.FindStringSubmatch(question); m != nil {
		it.top = atoiWord(m[1])
	}
	it.win, it.label = readWindow(question, now)
	it.tenant, it.terms, it.service = tenantKind(question)
	return it
}

// readWindow finds a relative window ("last 24 hours", "past seven days",
// "yesterday") in the question.
func readWindow(q string, now time.Time) (window, string) {
	if m := windowRe.FindStringSubmatch(q); m != nil {
		n := 1
		if m[1] != "" {
			n = atoiWord(m[1])
		}
		if n <= 0 {
			n = 1
		}
		var d time.Duration
		switch unit := strings.ToLower(m[2]); {
		case strings.HasPrefix(unit, "h"):
			d = time.Duration(n) * time.Hour
		case strings.HasPrefix(unit, "d"):
			d = time.Duration(n) * 24 * time.Hour
		case strings.HasPrefix(unit, "w"):
			d = time.Duration(n) * 7 * 24 * time.Hour
		default:
			d = time.Duration(n) * 30 * 24 * time.Hour
		}
		if d > 90*24*time.Hour {
			d = 90 * 24 * time.Hour
		}
		return window{now.Add(-d), now}, strings.ToLower(strings.TrimSpace(m[0]))
	}
	if m := dayRe.FindStringSubmatch(q); m != nil {
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		switch strings.ToLower(m[1]) {
		case "yesterday":
			return window{midnight.Add(-24 * time.Hour), midnight}, "yesterday"
		case "today", "this morning":
			return window{midnight, now}, "today"
		default:
			return window{now.Add(-18 * time.Hour), now}, strings.ToLower(m[1])
		}
	}
	return window{}, ""
}

// tenantKind classifies a scope-less question; the first matching rule wins.
func tenantKind(q string) (string, []string, serviceSpec) {
	if m := alertTypeRe.FindStringSubmatch(q); m != nil {
		if terms := alertTerms(m[1]); len(terms) > 0 {
			return tenantAlertType, terms, serviceSpec{}
		}
	}
	switch {
	case riskyRe.MatchString(q):
		return tenantRiskyUsers, nil, serviceSpec{}
	case failRe.MatchString(q):
		return tenantSignInFailures, nil, serviceSpec{}
	case workspaceRe.MatchString(q) && generatedKind(q):
		// Data only the workspace holds (VM insights' connections, the
		// proxy's sessions) wins over the Defender kinds below.
		return tenantGenerated, nil, serviceSpec{}
	case outgoingRe.MatchString(q):
		return tenantOutgoing, nil, serviceSpec{}
	case noncompRe.MatchString(q) && deviceWord.MatchString(q):
		return tenantNoncompliant, nil, serviceSpec{}
	}
	if unusualRe.MatchString(q) || strings.Contains(strings.ToLower(q), "anything") {
		if s, ok := findService(q); ok {
			return tenantService, nil, s
		}
	}
	switch {
	case unusualRe.MatchString(q) && deviceWord.MatchString(q):
		return tenantDeviceOutliers, nil, serviceSpec{}
	case unusualRe.MatchString(q) && userWord.MatchString(q):
		return tenantUserOutliers, nil, serviceSpec{}
	case activityRe.MatchString(q) || dayRe.MatchString(q) || (windowRe.MatchString(q) && incAlertRe.MatchString(q)):
		return tenantActivity, nil, serviceSpec{}
	case generatedKind(q):
		return tenantGenerated, nil, serviceSpec{}
	}
	return "", nil, serviceSpec{}
}

// stopWords are words of an alert-type phrase that name no alert.
var stopWords = map[string]bool{"any": true, "an": true, "a": true, "the": true, "some": true, "new": true, "open": true,
	"active": true, "recent": true, "high": true, "medium": true, "low": true, "severity": true, "security": true,
	"these": true, "those": true, "such": true, "many": true, "more": true, "most": true, "defender": true, "multiple": true}

// alertTerms turns "a password spray" into ["password", "spray"]; a
// phrase of only generic words ("any", "high severity") is no alert type.
func alertTerms(phrase string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(phrase)) {
		w = strings.Trim(w, "'\"-")
		if len(w) < 2 || stopWords[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}
