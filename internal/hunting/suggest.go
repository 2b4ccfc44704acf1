package hunting

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request says what to hunt for: an incident's entities and techniques and
// the window to search.
type Request struct {
	Users        []string // UPNs
	Accounts     []string // sAMAccountNames
	Devices      []string // device names, short or FQDN
	IPs          []string
	Hashes       []string // SHA-256
	CommandLines []string
	Domains      []string
	URLs         []string
	Techniques   []string
	// TechniqueWeight ranks the techniques: how much finding more of each
	// matters (e.g. by the severity of the alerts naming it, 1-3). A
	// technique without a weight counts 2.
	TechniqueWeight map[string]int
	// Observed are command lines seen in the evidence (any verdict): a
	// template whose Signs match one hunts behaviour the incident showed.
	Observed []string
	// Start and End bound every query (required, End after Start).
	Start, End time.Time
	// Max caps the queries returned (default 15, at most 50).
	Max int
	// PerTemplate caps how many values of one entity kind a template is
	// rendered for (default 3).
	PerTemplate int
	// HasTable reports whether the tenant has a table; nil means all.
	HasTable func(name string) bool
}

// Skipped is a template the request matched but that was not rendered.
type Skipped struct {
	TemplateID string `json:"templateId"`
	Reason     string `json:"reason"`
}

// Default and upper bound of Request.Max.
const (
	DefaultMax = 15
	MaxQueries = 50
)

// leadWeight ranks the kinds of lead: a tenant-wide hunt for a technique
// the incident shows finds it on devices the incident never named; then the
// device pivots (persistence, lateral movement), files and IPs.
var leadWeight = map[string]int{
	EntityNone: 9, EntityDevice: 8, EntityHash: 7, EntityIP: 6, EntityUser: 5, EntityAccount: 5,
	EntityDomain: 5, EntityCommandLine: 4, EntityURL: 4,
}

// Ranking weights: a query is worth what it adds to what is already hunted.
const (
	perTechnique  = 10 // × the weight of the most important new technique
	perExtra      = 3  // for each further new technique
	signsBonus    = 10 // the evidence already shows the behaviour
	reusePenalty  = 20 // each earlier query of the same template
	defaultWeight = 2
)

type candidate struct {
	t     Template
	value string
	techs []string // requested techniques the template hunts
	signs bool
	base  int // lead weight, less the value's rank and other penalties
	order int
}

// Suggest renders the templates that fit the request, best first, one query
// per distinct lead: queries are picked one at a time, each scoring for the
// requested techniques it hunts that no earlier pick hunts (weighted by
// TechniqueWeight), for behaviour the observed command lines already show,
// and for the kind of lead it pivots on; a template already picked for one
// value scores far less for the next, so five slots go to five different
// hunts, not to the same hunt for three hashes. Tenant-wide templates are
// offered only when one of their techniques was requested. Templates whose
// tables the tenant lacks are skipped and reported.
func Suggest(r Request) ([]Query, []Skipped, error) {
	max := r.Max
	if max <= 0 {
		max = DefaultMax
	}
	if max > MaxQueries {
		max = MaxQueries
	}
	per := r.PerTemplate
	if per <= 0 {
		per = 3
	}
	cands, skipped := candidates(r, per)
	picked := pick(cands, r.TechniqueWeight)
	var out []Query
	for _, c := range picked {
		if len(out) == max {
			skipped = append(skipped, Skipped{c.t.ID, "over the limit of " + strconv.Itoa(max) + " queries"})
			continue
		}
		q, err := c.t.Render(c.value, r.Start, r.End)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, q)
	}
	return out, skipped, nil
}

// candidates lists every (template, value) the request fits.
func candidates(r Request, per int) ([]candidate, []Skipped) {
	values := map[string][]string{
		EntityDevice: dedupe(r.Devices, ShortHost), EntityUser: dedupe(r.Users, strings.ToLower),
		EntityAccount: dedupe(r.Accounts, strings.ToLower), EntityIP: dedupe(r.IPs, strings.TrimSpace),
		EntityHash: dedupe(r.Hashes, strings.ToLower), EntityCommandLine: dedupe(r.CommandLines, strings.TrimSpace),
		EntityDomain: dedupe(r.Domains, DomainOf), EntityURL: dedupe(r.URLs, strings.TrimSpace),
	}
	var cands []candidate
	var skipped []Skipped
	for i, t := range Templates() {
		techs := techniquesHunted(t, r.Techniques)
		if t.Entity == EntityNone && len(techs) == 0 {
			continue
		}
		vals := []string{""}
		if t.Entity != EntityNone {
			if vals = values[t.Entity]; len(vals) == 0 {
				continue
			}
		}
		if !t.Available(r.HasTable) {
			skipped = append(skipped, Skipped{t.ID, "the tenant lacks a table it reads: " + strings.Join(t.Tables, ", ")})
			continue
		}
		signs := t.signsIn(r.Observed)
		for k, v := range vals {
			if k >= per {
				break
			}
			base := leadWeight[t.Entity] - k
			if t.Entity == EntityIP && isPrivate(v) && strings.HasPrefix(t.ID, "ip-signins") {
				base -= 4
			}
			cands = append(cands, candidate{t: t, value: v, techs: techs, signs: signs, base: base, order: i*100 + k})
		}
	}
	return cands, skipped
}

// pick orders the candidates greedily: each round takes the one that adds
// the most to what the earlier picks already hunt.
func pick(cands []candidate, weights map[string]int) []candidate {
	weight := func(id string) int {
		if w, ok := weights[id]; ok && w > 0 {
			return w
		}
		return defaultWeight
	}
	covered := map[string]bool{}
	used := map[string]int{}
	var out []candidate
	left := append([]candidate(nil), cands...)
	for len(left) > 0 {
		best, bestScore := -1, 0
		for i, c := range left {
			score := c.base - reusePenalty*used[c.t.ID]
			top, extra := 0, -1
			for _, id := range c.techs {
				if !covered[id] {
					top = max(top, weight(id))
					extra++
				}
			}
			if top > 0 {
				score += perTechnique*top + perExtra*extra
			}
			if c.signs && used[c.t.ID] == 0 {
				score += signsBonus
			}
			if best < 0 || score > bestScore || (score == bestScore && c.order < left[best].order) {
				best, bestScore = i, score
			}
		}
		c := left[best]
		out = append(out, c)
		left = append(left[:best], left[best+1:]...)
		used[c.t.ID]++
		for _, id := range c.techs {
			covered[id] = true
		}
	}
	return out
}

// signsIn reports whether any observed command line shows the template's
// behaviour.
func (t Template) signsIn(observed []string) bool {
	if t.Signs == "" || len(observed) == 0 {
		return false
	}
	re := signsRegexp(t.Signs)
	if re == nil {
		return false
	}
	for _, o := range observed {
		if re.MatchString(clip(o)) {
			return true
		}
	}
	return false
}

// techniquesHunted returns the requested techniques (normalised) the
// template hunts, where a requested sub-technique also matches its parent
// and the reverse.
func techniquesHunted(t Template, req []string) []string {
	var out []string
	for _, want := range req {
		w := strings.ToUpper(strings.TrimSpace(want))
		wp, _, _ := strings.Cut(w, ".")
		for _, have := range t.Techniques {
			hp, _, _ := strings.Cut(have, ".")
			if (have == w || have == wp || hp == w) && !contains(out, w) {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dedupe(in []string, key func(string) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range in {
		v = strings.TrimSpace(v)
		k := key(v)
		if v == "" || k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

func isPrivate(ip string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	return err == nil && (a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast())
}

var signsCache sync.Map // Signs source → *regexp.Regexp (nil when invalid)

// signsRegexp compiles a template's Signs once, case-insensitively.
func signsRegexp(src string) *regexp.Regexp {
	if v, ok := signsCache.Load(src); ok {
		re, _ := v.(*regexp.Regexp)
		return re
	}
	re, err := regexp.Compile("(?i)" + src)
	if err != nil {
		re = nil
	}
	signsCache.Store(src, re)
	return re
}
