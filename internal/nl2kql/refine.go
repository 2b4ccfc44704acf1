package nl2kql

import (
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// TableChoice is a table the schema refiner considers, with the reasons.
type TableChoice struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	// Columns are the columns of this table the question points at (named,
	// or standing for an entity or grouping key).
	Columns []string `json:"columns"`
	// TimeColumn is the column the time window filters on.
	TimeColumn string `json:"timeColumn,omitempty"`
	// Why lists what voted for the table.
	Why []string `json:"why,omitempty"`
}

// entityTables rates how well a table can hold an entity kind: the roles
// that would carry it and the bonus when the table has one.
var entityBonus = map[string]struct {
	roles []string
	bonus float64
}{
	EntityUser:    {[]string{roleUser, roleSender, roleRecipient}, 0.5},
	EntityAccount: {[]string{roleAccount}, 1.5},
	EntityIP:      {[]string{roleIP}, 1},
	EntitySHA256:  {[]string{roleSHA256}, 2.5},
	EntitySHA1:    {[]string{roleSHA1}, 2.5},
	EntityMD5:     {[]string{roleMD5}, 2.5},
	EntityDevice:  {[]string{roleDevice}, 1},
	EntityFile:    {[]string{roleFile}, 1.5},
	EntityURL:     {[]string{roleURL}, 2},
	EntityDomain:  {[]string{roleDomain, roleURL}, 1.5},
	EntityCVE:     {[]string{roleCVE}, 4},
	EntityPort:    {[]string{rolePort}, 1.5},
	EntityCountry: {[]string{roleCountry}, 1},
}

// scoreTables rates every table for the question, best first.
func scoreTables(s *schema.Schema, p *Plan, words []string, squashed string, examples []Scored) []TableChoice {
	var out []TableChoice
	ev := catalogEvidence(s, words, p.Target)
	for _, name := range s.TableNames() {
		t, _ := s.Table(name)
		tc := TableChoice{Name: name, TimeColumn: timeColumn(t, p.Target)}
		tw := tableWords()[name]
		tk := tableKeys()[name]
		seen := map[string]bool{}
		for _, w := range words {
			k := lemmaKey(w)
			if seen[k] {
				continue // "fail" and its synonym "failed" are one word
			}
			seen[k] = true
			switch {
			case tw[0][w] || tk[0][k]:
				tc.Score += 3
				tc.Why = append(tc.Why, "word "+w)
			case tw[1][w] || tk[1][k]:
				tc.Score++
			}
		}
		if e, ok := ev[name]; ok {
			tc.Score += e.score
			tc.Why = append(tc.Why, "columns "+strings.Join(e.words, " "))
		}
		if len(name) >= 6 && (strings.Contains(squashed, strings.ToLower(name)) ||
			strings.HasSuffix(name, "s") && strings.Contains(squashed, strings.ToLower(strings.TrimSuffix(name, "s")))) {
			tc.Score += 15
			tc.Why = append(tc.Why, "named in the question")
		}
		for _, cp := range p.concepts {
			if w := cp.boost[name]; w > 0 {
				tc.Score += w
				tc.Why = append(tc.Why, "concept "+cp.id)
			}
			if _, ok := cp.pred[name]; ok {
				tc.Score += 0.5
			}
		}
		for _, e := range p.Entities {
			eb, ok := entityBonus[e.Kind]
			if !ok {
				continue
			}
			for _, r := range eb.roles {
				if _, has := roleCol(t, r); has {
					tc.Score += eb.bonus
					break
				}
			}
		}
		if _, ok := firstKind(p.Entities, EntityEventID); ok && name == "SecurityEvent" {
			tc.Score += 6
		}
		exVote := 0.0
		for _, ex := range examples {
			for _, et := range ex.Example.Tables {
				if et == name {
					exVote += 4 * ex.Similarity
					tc.Why = append(tc.Why, "similar example "+ex.Example.ID)
				}
			}
		}
		// Examples vote together at most exampleCap: they break ties
		// between tables the question's own words point at, and never
		// outvote a word or concept on their own.
		tc.Score += min(exVote, exampleCap)
		if tc.Score > 0 {
			tc.Score += platformBonus(name, p.Target) + domainAdjust(name, words, p.Entities)
		}
		if p.alertPivot && name == "SecurityAlert" && p.Target != PlatformDefender {
			tc.Score += 4
			tc.Why = append(tc.Why, "alert pivot")
		}
		if p.privileged && name == "IdentityInfo" {
			tc.Score += 2
			tc.Why = append(tc.Why, "privileged users")
		}
		if tc.Score > 0 {
			out = append(out, tc)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return prior[out[i].Name] > prior[out[j].Name]
	})
	return out
}

// exampleCap bounds the similar examples' total vote for one table.
const exampleCap = 3.0

// prior breaks ties toward the tables analysts query most.
var prior = map[string]int{"SigninLogs": 9, "DeviceProcessEvents": 8, "EmailEvents": 7, "DeviceNetworkEvents": 6,
	"AuditLogs": 5, "SecurityAlert": 5, "DeviceFileEvents": 4, "OfficeActivity": 4, "DeviceLogonEvents": 3, "SecurityEvent": 3}

// platformBonus prefers tables native to the target. The schema the
// tables come from already holds only the target product's tables when a
// target is set (see Service.checkerFor); a caller's own schema may not.
func platformBonus(table, target string) float64 {
	t, ok := catalog.Lookup(table)
	switch {
	case !ok:
		return 0
	case target == "":
		// No target: a slight lean to the Sentinel form, where both exist
		// (SigninLogs over AADSignInEventsBeta); it only breaks near-ties.
		if t.Native() == catalog.Sentinel {
			return 0.4
		}
		return 0
	case t.Native() == catalog.Product(target):
		return 1.5
	case !t.In(catalog.Product(target)):
		return -5 // the target does not have the table
	}
	return 0
}

// timeColumn is the column a table's time window filters on, from the
// table catalogue: TimeGenerated in Sentinel, Timestamp in Advanced
// Hunting, none for the snapshot tables (DeviceTvm* and the Exposure
// graph in Advanced Hunting); with no target, the table's native product.
// A table the catalogue does not know uses its schema's time column or its
// first datetime column.
func timeColumn(t *schema.Table, target string) string {
	if ct, ok := catalog.Lookup(t.Name); ok {
		f := ct.Form(catalog.Product(target))
		if f == nil {
			f = ct.Form("")
		}
		if _, has := t.Column(f.TimeColumn); has || f.TimeColumn == "" {
			return f.TimeColumn
		}
	}
	if tc := t.TimeColumn(); tc != "" {
		return tc
	}
	for _, c := range t.Columns {
		if c.Type == "datetime" {
			return c.Name
		}
	}
	return ""
}

// mentionedColumns lists columns of t the question names: verbatim, or by
// all the words of a multi-word column name ("process command line").
func mentionedColumns(t *schema.Table, original string, wordSet map[string]bool) []string {
	var out []string
	verbatim := map[string]bool{}
	for _, w := range strings.FieldsFunc(original, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}) {
		verbatim[w] = true
	}
	for _, c := range t.Columns {
		if verbatim[c.Name] && len(c.Name) > 3 {
			out = append(out, c.Name)
			continue
		}
		parts := camelWords(c.Name)
		if len(parts) < 2 {
			continue
		}
		all := true
		for _, p := range parts {
			if !wordSet[stem(p)] && !wordSet[p] {
				all = false
				break
			}
		}
		if all {
			out = append(out, c.Name)
		}
	}
	return out
}

// nearestTable returns the known table closest to name ("" if none is close).
func nearestTable(s *schema.Schema, name string) string {
	for _, n := range s.TableNames() {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return syntax.Closest(name, s.TableNames())
}

func firstKind(es []Entity, kind string) (Entity, bool) {
	for _, e := range es {
		if e.Kind == kind {
			return e, true
		}
	}
	return Entity{}, false
}

// squash lower-cases s and keeps letters only, so "sign-in logs" meets
// "SigninLogs".
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
