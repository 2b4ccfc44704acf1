package mcpadapter

import (
	"fmt"
	"time"
)

// Limits bound what one HTTP request, one principal and the server as a
// whole may hold. A zero field takes its DefaultLimits value.
type Limits struct {
	// MaxBodyBytes is the largest request body read; a larger one is
	// refused (413) before it is parsed.
	MaxBodyBytes int64
	// MaxHeaderBytes bounds the request line and headers: the gate answers
	// 431 naming the limit beyond it. Give the http.Server twice this as its
	// MaxHeaderBytes, so what it refuses on its own (a bare 431) is far over.
	MaxHeaderBytes int
	// ReadTimeout bounds reading one request's body (headers are bounded by
	// the http.Server's ReadHeaderTimeout). It is a per-request deadline
	// lifted once the body is read, so SSE streams may last.
	ReadTimeout time.Duration
	// MaxSessions caps open MCP sessions in total, and
	// MaxSessionsPerPrincipal per principal.
	MaxSessions, MaxSessionsPerPrincipal int
	// SessionIdleTimeout ends a session no request has used for this long.
	SessionIdleTimeout time.Duration
	// MaxInflightPerPrincipal caps one principal's concurrent requests
	// (GET streams excluded: each needs an open session, which is capped).
	MaxInflightPerPrincipal int
	// ReplayBytesPerSession and ReplayBytesTotal bound the events kept for
	// Last-Event-ID replay (eventstore.go); the oldest go first.
	ReplayBytesPerSession, ReplayBytesTotal int64
}

// DefaultLimits are the limits the flags default to.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:            4 << 20,
		MaxHeaderBytes:          64 << 10,
		ReadTimeout:             30 * time.Second,
		MaxSessions:             1000,
		MaxSessionsPerPrincipal: 100,
		SessionIdleTimeout:      30 * time.Minute,
		MaxInflightPerPrincipal: 32,
		ReplayBytesPerSession:   4 << 20,
		ReplayBytesTotal:        64 << 20,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxBodyBytes, d.MaxBodyBytes)
	orDefault(&l.MaxHeaderBytes, d.MaxHeaderBytes)
	orDefault(&l.ReadTimeout, d.ReadTimeout)
	orDefault(&l.MaxSessions, d.MaxSessions)
	orDefault(&l.MaxSessionsPerPrincipal, d.MaxSessionsPerPrincipal)
	orDefault(&l.SessionIdleTimeout, d.SessionIdleTimeout)
	orDefault(&l.MaxInflightPerPrincipal, d.MaxInflightPerPrincipal)
	orDefault(&l.ReplayBytesPerSession, d.ReplayBytesPerSession)
	orDefault(&l.ReplayBytesTotal, d.ReplayBytesTotal)
	return l
}

func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// Validate reports a limit an operator must fix, naming its flag.
func (l Limits) Validate() error {
	switch {
	case l.MaxBodyBytes < 4<<10 || l.MaxBodyBytes > 1<<30:
		return fmt.Errorf("--max-body-bytes %d must be between 4096 (4 KiB) and 1073741824 (1 GiB)", l.MaxBodyBytes)
	case l.MaxHeaderBytes < 4<<10 || l.MaxHeaderBytes > 16<<20:
		return fmt.Errorf("--max-header-bytes %d must be between 4096 (4 KiB) and 16777216 (16 MiB)", l.MaxHeaderBytes)
	case l.ReadTimeout < time.Second:
		return fmt.Errorf("--read-timeout %s must be at least 1s", l.ReadTimeout)
	case l.MaxSessions < 1:
		return fmt.Errorf("--max-sessions %d must be at least 1", l.MaxSessions)
	case l.MaxSessionsPerPrincipal < 1:
		return fmt.Errorf("--max-sessions-per-principal %d must be at least 1", l.MaxSessionsPerPrincipal)
	case l.MaxSessionsPerPrincipal > l.MaxSessions:
		return fmt.Errorf("--max-sessions-per-principal %d must not exceed --max-sessions %d", l.MaxSessionsPerPrincipal, l.MaxSessions)
	case l.SessionIdleTimeout < time.Second:
		return fmt.Errorf("--session-idle-timeout %s must be at least 1s", l.SessionIdleTimeout)
	case l.MaxInflightPerPrincipal < 1:
		return fmt.Errorf("--max-inflight-per-principal %d must be at least 1", l.MaxInflightPerPrincipal)
	case l.ReplayBytesPerSession < 0 || l.ReplayBytesTotal < 0 || l.ReplayBytesPerSession > l.ReplayBytesTotal && l.ReplayBytesTotal > 0:
		return fmt.Errorf("replay bytes per session (%d) must be positive and at most the total (%d)", l.ReplayBytesPerSession, l.ReplayBytesTotal)
	}
	return nil
}
