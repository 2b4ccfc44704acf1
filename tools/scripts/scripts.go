// Package scripts holds the scripts toolset: scripts_analyze, which takes a
// PowerShell script (pasted, or the process command line of an alert's
// evidence) apart statically with internal/psdeob — decoded layers,
// indicators, ATT&CK techniques, a verdict and a plain-English walk-through —
// and turns what it found into validated KQL hunting queries for the tenant.
//
// The script is hostile data. It is never executed and nothing it names is
// fetched: the library evaluates pure string and byte expressions only. Work
// is bounded by the input size (1 MiB), the library's limits, a per-call
// deadline and a cap on concurrent analyses, so a crafted script costs at
// most one bounded slot of CPU.
//
// Every analysis is kept, bounded (LRU: 256 analyses, 64 MiB), as the
// resource secmcp://{tenant}/scripts/{sha256}. The store is keyed by tenant
// and script hash, so an analysis is only served under the tenant of the call
// that made it. The tool is not marked NoTenant: with fromAlertId it reads
// the alert through the call's tenant, and every analysis is stored under
// that tenant, so it must always run with the tenant the core resolved.
package scripts

import (
	"runtime"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/docstore"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/tools"
)

// Deps are the toolset's dependencies. Every field is optional; the zero
// value shares one process-wide store between the tool and the resources.
type Deps struct {
	// Store keeps analyses for the resource template; nil means the shared
	// default store (256 analyses, 64 MiB in memory, and on disk under
	// $SECMCP_STATE_DIR/scripts or ~/.cache/secmcp/scripts: the 256 most
	// recent analyses per tenant).
	Store *Store
	// Checker validates generated hunting queries; nil means kqlcheck.Default.
	Checker func() *kqlcheck.Checker
	// MaxConcurrent bounds analyses running at once; 0 means GOMAXPROCS.
	MaxConcurrent int
	// Timeout bounds one analysis; 0 means 20 s.
	Timeout time.Duration
	// Limits is the work budget of one analysis (configuration
	// limits.scriptBytes and limits.scriptSteps); zero fields mean the
	// psdeob defaults.
	Limits psdeob.Limits
}

// MaxScriptBytes is the largest script the tool accepts.
const MaxScriptBytes = 1 << 20

var (
	defaultStoreOnce sync.Once
	defaultStore     *Store
)

// sharedStore returns the process-wide store used when Deps.Store is nil.
func sharedStore() *Store {
	defaultStoreOnce.Do(func() { defaultStore = NewStore(0, 0).WithDisk(docstore.Default("scripts")) })
	return defaultStore
}

type toolset struct {
	store   *Store
	checker func() *kqlcheck.Checker
	slots   chan struct{}
	timeout time.Duration
	limits  psdeob.Limits
}

func newToolset(d Deps) *toolset {
	ts := &toolset{store: d.Store, checker: d.Checker, timeout: d.Timeout, limits: d.Limits}
	if ts.store == nil {
		ts.store = sharedStore()
	}
	if ts.checker == nil {
		ts.checker = kqlcheck.Default
	}
	n := d.MaxConcurrent
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	ts.slots = make(chan struct{}, n)
	if ts.timeout <= 0 {
		ts.timeout = 20 * time.Second
	}
	return ts
}

// Tools returns the toolset.
func Tools(d Deps) []tools.Spec {
	return []tools.Spec{newToolset(d).analyzeTool()}
}
