package plugins

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/docstore"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
)

// MaxRuns is how many runs the memory store keeps (all tenants); the disk
// store keeps docstore.MaxPerTenant per tenant.
const MaxRuns = 512

// RunStore keeps each plugin run (the query sent and the rows returned) so
// its citation secmcp://{tenant}/plugins/{plugin}/{skill}/{runId} opens.
// Runs are keyed by tenant: another tenant's caller never finds them. A nil
// *RunStore keeps nothing. It is safe for concurrent use.
type RunStore struct {
	mu    sync.Mutex
	docs  map[runKey][]byte
	order []runKey
	disk  *docstore.Disk
}

type runKey struct{ tenant, id string }

// NewRunStore returns a store; disk (optional) keeps runs across restarts.
func NewRunStore(disk *docstore.Disk) *RunStore {
	return &RunStore{docs: map[runKey][]byte{}, disk: disk}
}

// runDoc is the cited document.
type runDoc struct {
	URI     string    `json:"uri"`
	Tenant  string    `json:"tenant"`
	Plugin  string    `json:"plugin"`
	Skill   string    `json:"skill"`
	Tool    string    `json:"tool"`
	Target  string    `json:"target"`
	RanAt   time.Time `json:"ranAt"`
	Sent    string    `json:"sent"`
	Caps    []string  `json:"caps"`
	Columns any       `json:"columns"`
	Rows    any       `json:"rows"`
	Total   int       `json:"totalRows"`
	// Answer is a plugin MCP server's answer (mcpcalls.go); KQL runs
	// leave it out.
	Answer any `json:"answer,omitempty"`
}

// keep stores a run under scope (tenant.Scope) and returns its URI.
func (s *RunStore) keep(scope, tenantAlias string, sk *KQLSkill, r RunResult) (string, bool) {
	return s.keepDoc(scope, runDoc{Tenant: tenantAlias, Plugin: sk.Plugin, Skill: Normalize(sk.Skill), Tool: sk.Tool,
		Target: sk.Target, Sent: r.Sent, Caps: r.Caps, Columns: r.Columns, Rows: r.Rows, Total: r.TotalRows})
}

// keepDoc stores d under scope with a new run id, filling its URI
// (secmcp://{tenant}/plugins/{plugin}/{skill}/{runId}) and RanAt, and
// returns the URI. A nil store keeps nothing.
func (s *RunStore) keepDoc(scope string, d runDoc) (string, bool) {
	if s == nil {
		return "", false
	}
	id := newRunID()
	d.URI = strings.TrimSuffix(resources.URI(d.Tenant, KindPlugins, "x"), "x") + d.Plugin + "/" + d.Skill + "/" + id
	d.RanAt = time.Now().UTC()
	doc, err := json.Marshal(d)
	if err != nil {
		return "", false
	}
	s.put(scope, id, doc)
	return d.URI, true
}

// put stores a run's document under its scope and id.
func (s *RunStore) put(scope, id string, doc []byte) {
	_ = s.disk.Put(scope, id, doc) // best effort: memory still serves this process
	k := runKey{scope, id}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[k] = doc
	s.order = append(s.order, k)
	for len(s.order) > MaxRuns {
		delete(s.docs, s.order[0])
		s.order = s.order[1:]
	}
}

// get returns the document of a run in a scope.
func (s *RunStore) get(scope, id string) ([]byte, bool) {
	if s == nil {
		return nil, false
	}
	s.mu.Lock()
	doc, ok := s.docs[runKey{scope, id}]
	s.mu.Unlock()
	if ok {
		return doc, true
	}
	return s.disk.Get(scope, id)
}

// RegisterResources adds the plugin-run template to rs.
func RegisterResources(rs *resources.Server, runs *RunStore) {
	rs.AddTemplate(resources.Template{
		Kind: KindPlugins,
		Name: "Plugin skill run",
		Description: "One run of a plugin skill in this tenant (id {plugin}/{skill}/{runId}): the query as sent, " +
			"with its inputs bound, and the rows returned.",
		Read: func(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
			parts := strings.Split(id, "/")
			if len(parts) != 3 {
				return nil, source.ErrNotFound
			}
			// KQL runs on an on-behalf-of tenant are kept per user; runs
			// kept per tenant (plugin MCP calls, app-only) open for all
			// of the tenant's callers.
			doc, ok := runs.get(t.Scope(ctx), parts[2])
			if !ok && t.Scope(ctx) != t.Alias {
				doc, ok = runs.get(t.Alias, parts[2])
			}
			if !ok {
				return nil, source.ErrNotFound
			}
			var d runDoc
			if json.Unmarshal(doc, &d) != nil || d.Plugin != parts[0] || d.Skill != parts[1] {
				return nil, source.ErrNotFound
			}
			return json.RawMessage(doc), nil
		},
	})
}
