// Package docstore keeps documents that results cite (script analyses,
// investigation evidence) on disk, per tenant and bounded, so a cited
// secmcp:// URI still opens in a new session and after a restart.
//
// Layout: DIR/{tenant}/{key}.json. Each tenant keeps at most MaxPerTenant
// documents and MaxBytesPerTenant bytes; the least recently written go first.
// Tenant aliases and keys are restricted to [A-Za-z0-9_-] so neither can
// name a path outside the tenant's folder.
package docstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Bounds of a Disk store per tenant.
const (
	MaxPerTenant      = 256
	MaxBytesPerTenant = 64 << 20
)

// EnvDir names the environment variable that overrides the default folder.
const EnvDir = "SECMCP_STATE_DIR"

var safe = lazyre.New(`^[A-Za-z0-9_-]{1,128}$`)

// Disk is a bounded per-tenant document store in one folder. A nil *Disk
// stores nothing and finds nothing. It is safe for concurrent use.
type Disk struct {
	dir string
	mu  sync.Mutex
}

// Open returns a store in dir, creating it.
func Open(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("docstore: open %s: %w", dir, err)
	}
	return &Disk{dir: dir}, nil
}

// Default returns the store for kind (e.g. "scripts") under $SECMCP_STATE_DIR,
// or the user's cache folder (~/.cache/secmcp on Linux); nil when neither
// can be used, which leaves the caller with its in-memory store only.
func Default(kind string) *Disk {
	base := os.Getenv(EnvDir)
	if base == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		base = filepath.Join(c, "secmcp")
	}
	d, err := Open(filepath.Join(base, kind))
	if err != nil {
		return nil
	}
	return d
}

// Dir is the store's folder ("" for a nil store).
func (d *Disk) Dir() string {
	if d == nil {
		return ""
	}
	return d.dir
}

func (d *Disk) path(tenant, key string) (string, error) {
	if !safe.MatchString(tenant) || !safe.MatchString(key) {
		return "", fmt.Errorf("docstore: tenant %q or key %q has characters outside [A-Za-z0-9_-]", tenant, key)
	}
	return filepath.Join(d.dir, tenant, key+".json"), nil
}

// Put writes doc for (tenant, key), replacing an earlier one, then trims the
// tenant's folder to its bounds.
func (d *Disk) Put(tenant, key string, doc []byte) error {
	if d == nil {
		return nil
	}
	p, err := d.path(tenant, key)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("docstore: put: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("docstore: put: %w", err)
	}
	_, werr := tmp.Write(doc)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("docstore: put: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("docstore: put: %w", err)
	}
	d.trim(filepath.Dir(p))
	return nil
}

// Get returns the document stored for (tenant, key).
func (d *Disk) Get(tenant, key string) ([]byte, bool) {
	if d == nil {
		return nil, false
	}
	p, err := d.path(tenant, key)
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(p)
	return b, err == nil
}

// trim removes the oldest documents of a tenant folder beyond the bounds.
func (d *Disk) trim(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type doc struct {
		name string
		mod  int64
		size int64
	}
	var docs []doc
	var total int64
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		if info, err := e.Info(); err == nil {
			docs = append(docs, doc{e.Name(), info.ModTime().UnixNano(), info.Size()})
			total += info.Size()
		}
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].mod < docs[j].mod })
	for len(docs) > MaxPerTenant || total > MaxBytesPerTenant && len(docs) > 1 {
		_ = os.Remove(filepath.Join(dir, docs[0].name))
		total -= docs[0].size
		docs = docs[1:]
	}
}
