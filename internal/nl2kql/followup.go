package nl2kql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// reFollowUp is a question in two steps: an event, then other evidence
// about the same user or address ("when a user registers MFA details, take
// that IP address and summarize sign-ins", "added to a role and then signed
// in", "retrieve the operations completed by that user").
var reFollowUp = lazyre.New(`\b(?:after|afterwards|then|(?:and|,)\s+(?:then\s+)?(?:retrieve|summari[sz]e|find|list|show|get|look\s*up)\s+(?:the|their|its|any|all)|followed by|take (?:that|the|their)|(?:for|by|of|from) (?:that|those|these|the same) (?:user|account|ip|address|identit\w*)s?|that user|those users|the same (?:user|account|ip)s?|(?:on|by|from|of|for|to|in) them|(?:those|these) (?:devices|hosts|machines|users|accounts)|(?:they|it) (?:made|ran|opened|started|launched|created|did|had|sent|performed|accessed))\b`)

// rePassive is a user acted upon ("users who were added to a role"): the
// first step's key is then the target of the change, not its actor.
var rePassive = lazyre.New(`\b(?:was|were|been|get|gets|got|being)\s+(?:\w+\s+)?(?:added|assigned|granted|invited|removed|reset|created|enabled|disabled|deleted|elevated|activated|unlocked)\b`)

// targetUser is the column of the user a directory change acted on
// (AuditLogs' TargetResources, Defender for Identity's TargetAccountUpn),
// or the actor column given when the table has none.
func targetUser(t *schema.Table, actor Col, ok bool) (Col, bool) {
	if _, has := t.Column("TargetAccountUpn"); has {
		return Col{Name: "TargetAccountUpn"}, true
	}
	if _, has := t.Column("TargetResources"); has {
		return Col{Name: "Key", Expr: "tostring(TargetResources[0].userPrincipalName)"}, true
	}
	return actor, ok
}

// followUpRoles are the keys a follow-up can carry from the first event to
// the second, in order of preference when the question names none.
var followUpRoles = []string{roleUser, roleIP, roleDevice}

// reBackIP is an address the question refers back to ("that IP", "the same
// address"): the follow-up carries addresses.
var reBackIP = lazyre.New(`\b(?:that|those|these|this|same|their|its|the)\s+ip\b`)

// followUpOrder is the order in which a follow-up tries its keys: the
// message both kinds of email evidence share (the link in that email),
// an address the question refers back to, the question's subject ("devices
// that …" carries devices), then the defaults.
func followUpOrder(p *Plan) []string {
	out := []string{roleMessage}
	if reBackIP.MatchString(p.normalized) {
		out = append(out, roleIP)
	}
	if sub := alertSubject(p); sub != "" {
		out = append(out, sub)
	}
	return append(out, followUpRoles...)
}

// deviceIDKeys carries devices between two Defender tables by DeviceId, the
// key Advanced Hunting's device tables share (names can repeat or change;
// https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-deviceinfo-table).
func deviceIDKeys(ta, tb *schema.Table, role string, ka, kb Col) (Col, Col) {
	if role != roleDevice || Platform(ta.Name) != PlatformDefender || Platform(tb.Name) != PlatformDefender {
		return ka, kb
	}
	_, okA := ta.Column("DeviceId")
	_, okB := tb.Column("DeviceId")
	if okA && okB {
		return Col{Name: "DeviceId"}, Col{Name: "DeviceId"}
	}
	return ka, kb
}

// followUp writes a two-step question: the keys (users, or addresses when
// the question names them) of the first kind of evidence, then the rows of
// the second kind for those keys. The two tables are the best candidates
// with a specific reason each; the one the question mentions first is the
// first step. ok is false when the question is not of that kind.
func (g *Templates) followUp(p *Plan) (Draft, bool) {
	// Two kinds of evidence with a join word ("emails and the URLs they
	// contained") are a join of the two tables, not two steps.
	cued := reFollowUp.MatchString(p.normalized)
	if !(cued || twoKinds(p) && !p.Intent.Join) || len(p.Tables) < 2 || p.Intent.Kind == IntentOutlier {
		return Draft{}, false
	}
	main := p.Tables[0]
	if !strongReason(main) {
		return Draft{}, false
	}
	s := g.schemaFor(p)
	for _, cand := range p.Tables[1:min(3, len(p.Tables))] {
		if cand.Name == main.Name || cand.Score < 3 || cand.Score < main.Score/3 || !strongReason(cand) {
			continue
		}
		first, second := main, cand
		if order(p, cand) < order(p, main) {
			first, second = cand, main
		}
		ta, okA := s.Table(alertEntitySide(s, first.Name))
		tb, okB := s.Table(alertEntitySide(s, second.Name))
		if !okA || !okB {
			continue
		}
		if d, ok := g.followUpQuery(p, ta, tb); ok {
			return d, true
		}
	}
	return Draft{}, false
}

// followUpQuery writes the two steps over ta then tb, keyed by the first
// role both tables carry.
func (g *Templates) followUpQuery(p *Plan, ta, tb *schema.Table) (Draft, bool) {
	for _, role := range followUpOrder(p) {
		ka, okA := roleCol(ta, role)
		if role == roleUser && rePassive.MatchString(p.normalized) {
			ka, okA = targetUser(ta, ka, okA)
		}
		kb, okB := roleCol(tb, role)
		ka, kb = deviceIDKeys(ta, tb, role, ka, kb)
		if !okA || !okB {
			continue
		}
		var d Draft
		placed := map[int]bool{}
		var b strings.Builder
		fmt.Fprintf(&b, "let Keys = %s", ta.Name)
		writeWindow(&b, timeColumn(ta, p.product()), p.Window)
		writeFilters(&b, ta, p, placed)
		if ka.Plain() {
			fmt.Fprintf(&b, "\n| where isnotempty(%s)\n| distinct %s;\n", ka.Name, ka.Name)
		} else {
			fmt.Fprintf(&b, "\n| extend Key = %s\n| where isnotempty(Key)\n| distinct Key;\n", ka.Expr)
		}
		tc := timeColumn(tb, p.product())
		b.WriteString(tb.Name)
		writeWindow(&b, tc, p.Window)
		fmt.Fprintf(&b, "\n| where %s in~ (Keys)", kb.Ref())
		filtered, _ := writeFilters(&b, tb, p, placed)
		filtered[role] = true
		keys, notes := keyCols(tb, p, filtered)
		d.Assumptions = append(d.Assumptions, notes...)
		writeShape(&b, tb, tc, p, keys, filtered)
		d.Query = b.String()
		d.Assumptions = append(d.Assumptions, fmt.Sprintf("first the %s of the matching %s rows, then their %s rows", role, ta.Name, tb.Name))
		return d, true
	}
	return Draft{}, false
}

// order is where the question points at a table: its first strong
// reason, else any mention (a concept whose predicate it merely has).
func order(p *Plan, tc TableChoice) int {
	if i := reasonAt(p, strongReasons(tc)); i < len(p.normalized) {
		return i
	}
	return mention(p, tc.Name)
}

// mention is where the question first points at a table: the earliest of
// its strong words and of the patterns of the concepts that vote for it
// (len(question) when none is found).
func mention(p *Plan, table string) int {
	nt := p.normalized
	best := len(nt)
	for w := range tableWords()[table][0] {
		if i := wordIndex(nt, w); i >= 0 && i < best {
			best = i
		}
	}
	for _, cp := range p.concepts {
		if cp.boost[table] <= 0 {
			if _, ok := cp.pred[table]; !ok {
				continue
			}
		}
		if loc := cp.re.FindStringIndex(nt); loc != nil && loc[0] < best {
			best = loc[0]
		}
	}
	return best
}

// wordIndex is the byte offset of a word of s starting with w (a stem:
// "alert" finds "alerts"), or -1.
func wordIndex(s, w string) int {
	loc := regexp.MustCompile(`\b` + regexp.QuoteMeta(w)).FindStringIndex(s)
	if loc == nil {
		return -1
	}
	return loc[0]
}

// alertEntitySide reads the entities of Advanced Hunting alerts from
// AlertEvidence (which also has each alert's Title) rather than AlertInfo,
// which names no user, device or address.
func alertEntitySide(s *schema.Schema, table string) string {
	if table == "AlertInfo" {
		if _, ok := s.Table("AlertEvidence"); ok {
			return "AlertEvidence"
		}
	}
	return table
}
