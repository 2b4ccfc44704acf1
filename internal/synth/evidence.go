package synth

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Evidence kinds, in the order items are numbered.
const (
	KindIncident = "incident"
	KindAlert    = "alert"
	KindUser     = "user"
	KindDevice   = "device"
	KindSignIn   = "signin"
	KindHunting  = "hunting"
	KindScript   = "script"
)

var kindRank = map[string]int{KindRanking: -2, KindSearch: -1, KindIncident: 0, KindAlert: 1, KindUser: 2, KindDevice: 3, KindSignIn: 4, KindHunting: 5, KindScript: 6}

// Item is one piece of evidence: a resource of this server and the JSON
// snippet the answer may rest on, built from the facets the source calls
// contributed (one facet per source, e.g. "alert", "timeline", "dlp").
type Item struct {
	// ID is the citation id (E1, E2, …), set by Finalize.
	ID string `json:"id"`
	// URI is the resource the evidence comes from (secmcp://…).
	URI    string `json:"uri"`
	Portal string `json:"portal,omitempty"`
	Kind   string `json:"kind"`
	// Description says in a few words what the item is.
	Description string `json:"description"`
	// Sources are the tools whose results the snippet holds.
	Sources []string `json:"sources"`
	// Snippet is the JSON the item rests on (facet name → data).
	Snippet json.RawMessage `json:"snippet"`

	key    string
	facets map[string]any
}

// Facet returns the data a source contributed under name, or nil.
func (it *Item) Facet(name string) any { return it.facets[name] }

// Set collects evidence items while sources answer; it is safe for
// concurrent use until Finalize.
type Set struct {
	mu    sync.Mutex
	byURI map[string]*Item
	items []*Item
	done  bool
}

// NewSet returns an empty evidence set.
func NewSet() *Set { return &Set{byURI: map[string]*Item{}} }

// Add records facet data for the resource uri. key orders items of the same
// kind (a time or a name); when several sources add the same URI, the
// smallest key and the first description win, so the order never depends on
// which source answered first. Adds after Finalize are ignored.
func (s *Set) Add(uri, kind, key, description, source, facet string, data any) {
	if uri == "" || data == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	it, ok := s.byURI[uri]
	if !ok {
		it = &Item{URI: uri, Kind: kind, Description: description, key: key, facets: map[string]any{}}
		s.byURI[uri] = it
	}
	if key != "" && (it.key == "" || key < it.key) {
		it.key = key
	}
	if kindRank[kind] < kindRank[it.Kind] {
		it.Kind = kind
	}
	if len(description) > len(it.Description) || (len(description) == len(it.Description) && description < it.Description) {
		it.Description = description
	}
	if !contains(it.Sources, source) {
		it.Sources = append(it.Sources, source)
	}
	it.facets[facet] = data
}

// SetPortal records the portal link of a resource.
func (s *Set) SetPortal(uri, portal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.byURI[uri]; ok && !s.done && portal != "" {
		it.Portal = portal
	}
}

// Finalize numbers the items E1, E2, … (kind, key, URI order), encodes each
// snippet and freezes the set. It is idempotent.
func (s *Set) Finalize() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	for _, it := range s.byURI {
		s.items = append(s.items, it)
	}
	sort.Slice(s.items, func(i, j int) bool {
		a, b := s.items[i], s.items[j]
		if kindRank[a.Kind] != kindRank[b.Kind] {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.URI < b.URI
	})
	for i, it := range s.items {
		it.ID = fmt.Sprintf("E%d", i+1)
		sort.Strings(it.Sources)
		// json.Marshal escapes <, > and &, so no snippet can contain the
		// prompt's delimiters or markup.
		b, err := json.Marshal(it.facets)
		if err != nil {
			return fmt.Errorf("synth: encode evidence %s: %w", it.URI, err)
		}
		it.Snippet = b
	}
	return nil
}

// Items returns the numbered items (after Finalize).
func (s *Set) Items() []*Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Item(nil), s.items...)
}

// ByID returns the item with citation id (after Finalize).
func (s *Set) ByID(id string) (*Item, bool) {
	for _, it := range s.Items() {
		if strings.EqualFold(it.ID, id) {
			return it, true
		}
	}
	return nil, false
}

// ByURI returns the item of a resource (after Finalize).
func (s *Set) ByURI(uri string) (*Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.byURI[uri]
	return it, ok && s.done
}

// OfKind returns the numbered items of one kind, in id order.
func (s *Set) OfKind(kind string) []*Item {
	var out []*Item
	for _, it := range s.Items() {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
