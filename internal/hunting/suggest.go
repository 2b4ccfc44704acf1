package hunting

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
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

// entityWeight ranks pivots: the device pivots (persistence, lateral
// movement) matter most in a multi-stage incident, then files and IPs.
var entityWeight = map[string]int{
	EntityDevice: 8, EntityHash: 7, EntityIP: 6, EntityUser: 5, EntityAccount: 5,
	EntityDomain: 5, EntityCommandLine: 4, EntityURL: 4, EntityNone: 0,
}

type candidate struct {
	t     Template
	value string
	score int
	order int
}

// Suggest renders the templates that fit the request, best first: a
// template scores for each requested technique it hunts (or its parent)
// and for the weight of the entity it pivots on; tenant-wide templates are
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
	values := map[string][]string{
		EntityDevice: dedupe(r.Devices, ShortHost), EntityUser: dedupe(r.Users, strings.ToLower),
		EntityAccount: dedupe(r.Accounts, strings.ToLower), EntityIP: dedupe(r.IPs, strings.TrimSpace),
		EntityHash: dedupe(r.Hashes, strings.ToLower), EntityCommandLine: dedupe(r.CommandLines, strings.TrimSpace),
		EntityDomain: dedupe(r.Domains, DomainOf), EntityURL: dedupe(r.URLs, strings.TrimSpace),
	}
	var cands []candidate
	var skipped []Skipped
	for i, t := range Templates() {
		tech := techniqueMatches(t, r.Techniques)
		if t.Entity == EntityNone && tech == 0 {
			continue
		}
		vals := []string{""}
		if t.Entity != EntityNone {
			vals = values[t.Entity]
			if len(vals) == 0 {
				continue
			}
		}
		if !t.Available(r.HasTable) {
			skipped = append(skipped, Skipped{t.ID, "the tenant lacks a table it reads: " + strings.Join(t.Tables, ", ")})
			continue
		}
		for k, v := range vals {
			if k >= per {
				break
			}
			score := 10*tech + entityWeight[t.Entity] - k
			if t.Entity == EntityIP && isPrivate(v) && strings.HasPrefix(t.ID, "ip-signins") {
				score -= 4
			}
			cands = append(cands, candidate{t, v, score, i*100 + k})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].order < cands[j].order
	})
	var out []Query
	for _, c := range cands {
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

// techniqueMatches counts requested techniques the template hunts, where
// a requested sub-technique also matches its parent and the reverse.
func techniqueMatches(t Template, req []string) int {
	n := 0
	for _, want := range req {
		w := strings.ToUpper(strings.TrimSpace(want))
		wp, _, _ := strings.Cut(w, ".")
		for _, have := range t.Techniques {
			hp, _, _ := strings.Cut(have, ".")
			if have == w || have == wp || hp == w {
				n++
				break
			}
		}
	}
	return n
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
