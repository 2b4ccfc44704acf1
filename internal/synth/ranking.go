package synth

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/resources"
)

// Evidence kinds of the tenant-wide steps: a ranking, and an entity
// search's account of what it read (also when it found nothing).
const (
	KindRanking = "ranking"
	KindSearch  = "search"
)

// Fan-out breadth of tenant-wide questions.
const (
	// defaultTop is how many entities a tenant-wide step investigates when
	// the question names no number; maxTop caps what a question may ask.
	defaultTop = 3
	maxTop     = 5
	// maxCalls is the call budget of one investigation: spawns past it are
	// refused and the answer says so.
	maxCalls = 64
)

// RankingFacet is what a tenant-wide step found: what it ranked, by what,
// from which tool and window, and the entries in rank order. It is stored
// like a hunting result so its citation opens.
type RankingFacet struct {
	Purpose  string    `json:"purpose"`
	RankedBy string    `json:"rankedBy"`
	Tool     string    `json:"tool"`
	Query    string    `json:"query,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	Until    time.Time `json:"until,omitzero"`
	// Candidates is how many entities were ranked (Entries holds the first).
	Candidates int `json:"candidates"`
	// Median and OutlierThreshold are set by outlier rankings.
	Median           float64          `json:"median,omitempty"`
	OutlierThreshold float64          `json:"outlierThreshold,omitempty"`
	Totals           map[string]any   `json:"totals,omitempty"`
	Entries          []map[string]any `json:"entries"`
	Truncated        string           `json:"truncated,omitempty"`
	// Signals are the documented signals the ranking reads, by source.
	Signals []RankSignal `json:"signals,omitempty"`
}

// subject is an entity a tenant-wide step chose for the per-entity fan-out.
type subject struct {
	Kind string // "user" or "device"
	Name string
}

// entityBudget admits at most max distinct entities to the fan-out.
type entityBudget struct {
	mu    sync.Mutex
	max   int
	seen  map[string]bool
	taken []subject
}

func newEntityBudget(max int) *entityBudget {
	return &entityBudget{max: max, seen: map[string]bool{}}
}

// take admits an entity; false when it was already admitted or the budget is spent.
func (b *entityBudget) take(kind, name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := kind + "/" + name
	if b.seen[k] || len(b.taken) >= b.max {
		return false
	}
	b.seen[k] = true
	b.taken = append(b.taken, subject{kind, name})
	return true
}

func (b *entityBudget) list() []subject {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := append([]subject(nil), b.taken...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind > out[j].Kind // users first
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// addRanking stores a ranking, adds it as evidence and remembers it for the
// answer's lead.
func (r *run) addRanking(key string, f RankingFacet) error {
	if f.Entries == nil {
		f.Entries = []map[string]any{}
	}
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode ranking: %w", err)
	}
	if r.store == nil {
		return fmt.Errorf("no store for tenant-wide rankings")
	}
	id := r.store.Put(r.call.Tenant.Scope(r.ctx), doc)
	uri := resources.URI(r.call.Tenant.Alias, KindHuntingResource, id)
	r.set.Add(uri, KindRanking, key, "ranking: "+f.Purpose, f.Tool, "ranking", f)
	r.mu.Lock()
	if !r.closed {
		r.rankings = append(r.rankings, rankRef{key: key, uri: uri, f: f})
	}
	r.mu.Unlock()
	return nil
}

// addSearch stores what an entity-scoped search read (how many alerts
// name the entity, in which window) so the answer can cite it, also when
// it found nothing.
func (r *run) addSearch(key string, f RankingFacet) error {
	if f.Entries == nil {
		f.Entries = []map[string]any{}
	}
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode search: %w", err)
	}
	if r.store == nil {
		return fmt.Errorf("no store for search results")
	}
	id := r.store.Put(r.call.Tenant.Scope(r.ctx), doc)
	r.set.Add(resources.URI(r.call.Tenant.Alias, KindHuntingResource, id), KindSearch, key, f.Purpose, f.Tool, "search", f)
	return nil
}

// rankRef is a ranking the answer leads with.
type rankRef struct {
	key, uri string
	f        RankingFacet
}

func userURI(r *run, upn string) string {
	return resources.URI(r.call.Tenant.Alias, resources.KindUser, upn)
}

// userFanOut starts the per-entity calls for a user: sign-in risk, the
// alerts and incidents naming the user, DLP activity and managed devices.
func (r *run) userFanOut(upn string, w window) {
	r.spawn(riskJob(upn, w))
	r.spawn(alertsOfJob("user", upn, w))
	r.spawn(dlpUserJob(upn, w))
	r.spawn(userDevicesJob(upn))
}

// deviceFanOut starts the per-entity calls for a device: Intune
// compliance and the alerts and incidents naming it.
func (r *run) deviceFanOut(name string, w window) {
	r.spawn(deviceJob(name))
	r.spawn(alertsOfJob("device", shortName(name), w))
}

// median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// num reads a number from a hunting cell.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return 0
}

// severityRank orders severities high first.
func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "high":
		return 0
	case "medium":
		return 1
	case "low":
		return 2
	case "informational":
		return 3
	}
	return 4
}
