package httppolicy

import (
	"sync"
	"time"
)

// Gate remembers, per upstream service (request host), until when a tenant
// has been told to back off by a 429/503 Retry-After. Share one Gate between
// all transports of one tenant (Graph, Kusto, token endpoint) and never between
// tenants: that is what keeps one tenant's throttling from slowing another.
// The zero value is not usable; call NewGate.
type Gate struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// NewGate returns an open gate.
func NewGate() *Gate {
	return &Gate{until: make(map[string]time.Time)}
}

// Close keeps the gate for service shut until t. An earlier t never shortens
// an existing back-off.
func (g *Gate) Close(service string, t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if cur, ok := g.until[service]; !ok || t.After(cur) {
		g.until[service] = t
	}
}

// Remaining returns how long calls to service must still wait at now (0 when open).
func (g *Gate) Remaining(service string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.until[service]
	if !ok {
		return 0
	}
	if !t.After(now) {
		delete(g.until, service)
		return 0
	}
	return t.Sub(now)
}
