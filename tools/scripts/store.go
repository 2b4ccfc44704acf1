package scripts

import (
	"container/list"
	"sync"

	"github.com/secmcp/secmcp/internal/docstore"
)

// Store keeps recent analyses in memory, bounded by entry count and total
// bytes, evicting the least recently used. Entries are keyed by tenant alias
// and script SHA-256, so an analysis made in one tenant is never served for
// another: a lookup with a different tenant misses exactly like an unknown
// hash. It is safe for concurrent use.
type Store struct {
	maxEntries int
	maxBytes   int

	mu    sync.Mutex
	bytes int
	order *list.List // front = most recently used; values are *storeEntry
	index map[storeKey]*list.Element
	disk  *docstore.Disk // optional: analyses outlive the process
}

// WithDisk makes s keep every analysis also in d, so an analysis URI opens
// in a new session and after a restart; it returns s.
func (s *Store) WithDisk(d *docstore.Disk) *Store {
	s.disk = d
	return s
}

type storeKey struct{ tenant, sha string }

type storeEntry struct {
	key storeKey
	doc []byte
}

// Default bounds of the shared store.
const (
	DefaultStoreEntries = 256
	DefaultStoreBytes   = 64 << 20
)

// NewStore returns a store holding at most maxEntries analyses and maxBytes
// of analysis JSON (values ≤ 0 take the defaults).
func NewStore(maxEntries, maxBytes int) *Store {
	if maxEntries <= 0 {
		maxEntries = DefaultStoreEntries
	}
	if maxBytes <= 0 {
		maxBytes = DefaultStoreBytes
	}
	return &Store{maxEntries: maxEntries, maxBytes: maxBytes, order: list.New(), index: map[storeKey]*list.Element{}}
}

// Put stores doc for (tenant, sha) and reports whether it was kept: a
// document larger than a quarter of the byte budget is refused so one huge
// analysis cannot flush everything else.
func (s *Store) Put(tenant, sha string, doc []byte) bool {
	if len(doc) > s.maxBytes/4 {
		return false
	}
	k := storeKey{tenant, sha}
	_ = s.disk.Put(tenant, sha, doc) // best effort: the memory copy still serves this process
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.index[k]; ok {
		e := el.Value.(*storeEntry)
		s.bytes += len(doc) - len(e.doc)
		e.doc = doc
		s.order.MoveToFront(el)
	} else {
		s.index[k] = s.order.PushFront(&storeEntry{key: k, doc: doc})
		s.bytes += len(doc)
	}
	for s.order.Len() > s.maxEntries || s.bytes > s.maxBytes {
		el := s.order.Back()
		e := el.Value.(*storeEntry)
		s.order.Remove(el)
		delete(s.index, e.key)
		s.bytes -= len(e.doc)
	}
	return true
}

// Get returns the document stored for (tenant, sha) and marks it recently
// used. The returned slice must not be modified.
func (s *Store) Get(tenant, sha string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.index[storeKey{tenant, sha}]
	if !ok {
		s.mu.Unlock()
		doc, found := s.disk.Get(tenant, sha)
		s.mu.Lock()
		return doc, found
	}
	s.order.MoveToFront(el)
	return el.Value.(*storeEntry).doc, true
}

// Len returns the number of stored analyses and their total bytes.
func (s *Store) Len() (entries, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len(), s.bytes
}
