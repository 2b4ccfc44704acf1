package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/secmcp/secmcp/internal/docstore"
)

// KindHuntingResource is the resource kind of stored hunting results:
// secmcp://{tenant}/hunting/{id}.
const KindHuntingResource = "hunting"

// storeCap bounds the results kept per tenant (oldest dropped first).
const storeCap = 256

// Store keeps the hunting results investigations cited, per tenant, so the
// citation secmcp://{tenant}/hunting/{id} can be read back. It is bounded and
// in memory; WithDisk also keeps them on disk so they outlive the process.
type Store struct {
	mu    sync.Mutex
	docs  map[string]json.RawMessage
	order []string
	disk  *docstore.Disk
}

// WithDisk makes s keep every result also in d; it returns s.
func (s *Store) WithDisk(d *docstore.Disk) *Store {
	s.disk = d
	return s
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{docs: map[string]json.RawMessage{}} }

// Put stores doc for tenant and returns its id (a digest of tenant and doc).
func (s *Store) Put(tenant string, doc json.RawMessage) string {
	sum := sha256.Sum256(append([]byte(tenant+"\x00"), doc...))
	id := hex.EncodeToString(sum[:12])
	k := tenant + "/" + id
	_ = s.disk.Put(tenant, id, doc) // best effort: memory still serves this process
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.docs[k]; !ok {
		s.order = append(s.order, k)
		if len(s.order) > storeCap*8 {
			delete(s.docs, s.order[0])
			s.order = s.order[1:]
		}
	}
	s.docs[k] = doc
	return id
}

// Get returns the document id of tenant.
func (s *Store) Get(tenant, id string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[tenant+"/"+id]
	if !ok {
		if b, found := s.disk.Get(tenant, id); found {
			return json.RawMessage(b), true
		}
	}
	return d, ok
}
