package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// joinKeyRoles are the roles two tables can be joined on, most specific first.
var joinKeyRoles = []string{roleMessage, roleAlertID, roleUser, roleDevice, roleSHA256, roleIP}

// joinPartner returns the second table of a question that relates two kinds
// of event, and the role they share. The partner must score at least half
// the main table and carry a shared plain-column key.
func (g *Templates) joinPartner(p *Plan, left *schema.Table) (*schema.Table, string, bool) {
	if !p.Intent.Join || len(p.Tables) < 2 {
		return nil, "", false
	}
	main := p.Tables[0]
	for _, cand := range p.Tables[1:3] {
		if cand.Score < 3 || cand.Score < main.Score/2 || !strongReason(cand) {
			continue
		}
		right, ok := g.schemaFor(p).Table(cand.Name)
		if !ok {
			continue
		}
		for _, role := range joinKeyRoles {
			lc, lok := roleCol(left, role)
			rc, rok := roleCol(right, role)
			if lok && rok && lc.Plain() && rc.Plain() {
				return right, role, true
			}
		}
	}
	return nil, "", false
}

// strongReason reports whether something specific (a table word, a
// concept, the table's name) voted for the table, not only its columns.
func strongReason(tc TableChoice) bool {
	for _, w := range tc.Why {
		if strings.HasPrefix(w, "word ") || strings.HasPrefix(w, "concept ") || w == "named in the question" {
			return true
		}
	}
	return false
}

// join writes left | join kind=inner (right) on the shared key.
func (g *Templates) join(p *Plan, left, right *schema.Table, role string) Draft {
	var d Draft
	lk, _ := roleCol(left, role)
	rk, _ := roleCol(right, role)
	ltc := p.Tables[0].TimeColumn
	rtc := timeColumn(right, p.product())
	placed := map[int]bool{}
	var b strings.Builder
	b.WriteString(left.Name)
	writeWindow(&b, ltc, p.Window)
	writeFilters(&b, left, p, placed)
	var rb strings.Builder
	rb.WriteString(right.Name)
	writeWindow(&rb, rtc, p.Window)
	writeFilters(&rb, right, p, placed)
	for i, e := range p.Entities {
		if !placed[i] {
			d.Assumptions = append(d.Assumptions, fmt.Sprintf("neither %s nor %s has a column for the %s %q, so it is not filtered on", left.Name, right.Name, e.Kind, e.Value))
		}
	}
	on := lk.Name
	if lk.Name != rk.Name {
		on = "$left." + lk.Name + " == $right." + rk.Name
	}
	inner := strings.ReplaceAll(rb.String(), "\n", "\n    ")
	fmt.Fprintf(&b, "\n| join kind=inner (%s\n    ) on %s", inner, on)
	cols := []string{}
	if ltc != "" {
		cols = append(cols, ltc)
	}
	cols = append(cols, lk.Name)
	seen := map[string]bool{ltc: true, lk.Name: true, rk.Name: true}
	pick := func(t *schema.Table, n int, other *schema.Table) {
		for _, r := range listRoles {
			if n == 0 {
				return
			}
			c, ok := roleCol(t, r)
			if !ok || !c.Plain() || seen[c.Name] {
				continue
			}
			if _, dup := other.Column(c.Name); dup && t == right {
				continue // the right copy of a shared name is renamed Name1
			}
			seen[c.Name] = true
			cols = append(cols, c.Name)
			n--
		}
	}
	pick(left, 4, right)
	pick(right, 3, left)
	fmt.Fprintf(&b, "\n| project %s", strings.Join(cols, ", "))
	d.Assumptions = append(d.Assumptions, fmt.Sprintf("related %s and %s on the %s (%s)", left.Name, right.Name, role, on))
	d.Query = b.String()
	return d
}
