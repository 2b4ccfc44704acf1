package mcpadapter

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/secmcp/secmcp/tools"
)

// Sessions belong to the principal that created them.
//
// mcp-go (v1.2.1) keys everything a 2025-11-25 session holds — its GET
// stream, the event store that replays it after Last-Event-ID, the pending
// sampling requests a JSON-RPC response answers, DELETE — on the bare
// Mcp-Session-Id, and its handlers validate that ID unevenly: a GET never
// calls the SessionIdManager (an unknown ID creates a session), a resumed
// GET only checks that the event belongs to the session. So the owner check
// is not left to the SDK: the guard in front of it (guard.go) looks every
// presented session ID up in this table, and an ID that is unknown, expired,
// or owned by another principal (or another tenant set) is answered with
// the same bytes before mcp-go sees the request. The SDK's
// SessionIdManagerResolver is wired to the same table as a second line: it
// hands mcp-go the ID the guard minted for this request, and its Validate
// refuses an ID whose owner is not the request's caller, so a handler that
// does call it cannot be steered to another principal's session either.

// sessionIDPrefix starts every session ID this server mints; the log
// scrubber recognizes IDs by it.
const sessionIDPrefix = "secmcp-"

// maxSessionIDLen bounds a presented Mcp-Session-Id: ours are 50 bytes, and a
// longer one is refused before any lookup.
const maxSessionIDLen = 128

// newSessionID returns 256 random bits, URL-safe, behind the prefix.
func newSessionID() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return sessionIDPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// owner identifies who may use a session: the principal's name and its
// tenant set, so a principal whose tenants differ is another owner.
type owner string

func ownerOf(c tools.Caller) owner {
	switch len(c.Tenants) { // the common cases, without the copy and sort
	case 0:
		return owner(c.Principal + "\x00")
	case 1:
		return owner(c.Principal + "\x00" + c.Tenants[0])
	}
	ts := slices.Clone(c.Tenants)
	slices.Sort(ts)
	return owner(c.Principal + "\x00" + strings.Join(ts, ","))
}

// ownerCheck answers "is this ownerOf(c)?" without building the string for
// callers with no or one tenant (every request asks; issue 16). For more
// tenants it holds ownerOf(c), sorted once, outside any lock.
type ownerCheck struct {
	c      tools.Caller
	sorted owner
}

func checkOwner(c tools.Caller) ownerCheck {
	if len(c.Tenants) > 1 {
		return ownerCheck{c: c, sorted: ownerOf(c)}
	}
	return ownerCheck{c: c}
}

func (k ownerCheck) is(o owner) bool {
	if len(k.c.Tenants) > 1 {
		return o == k.sorted
	}
	rest, ok := strings.CutPrefix(string(o), k.c.Principal)
	if !ok || rest == "" || rest[0] != 0 {
		return false
	}
	if len(k.c.Tenants) == 0 {
		return rest == "\x00"
	}
	return rest[1:] == k.c.Tenants[0]
}

type sessionEntry struct {
	owner     owner
	principal string
	issued    bool // handed to mcp-go by Generate (else a reservation)
	last      time.Time
}

// sessionTable is the authority on which sessions exist and who owns them.
type sessionTable struct {
	limits Limits
	now    func() time.Time

	mu      sync.Mutex
	byID    map[string]*sessionEntry
	perName map[string]int // sessions per principal name
}

func newSessionTable(l Limits) *sessionTable {
	return &sessionTable{limits: l, now: time.Now, byID: map[string]*sessionEntry{}, perName: map[string]int{}}
}

// capError is a refused new session: which cap, and what to do.
type capError struct {
	status int
	msg    string
}

func (e *capError) Error() string { return e.msg }

// reserve mints a session ID for caller's initialize request, or refuses it
// when a cap is reached. Idle sessions are expired first.
func (t *sessionTable) reserve(c tools.Caller) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expireLocked()
	if n := t.perName[c.Principal]; n >= t.limits.MaxSessionsPerPrincipal {
		return "", &capError{http.StatusTooManyRequests, fmt.Sprintf(
			"principal %q already has %d open MCP sessions, the most one principal may hold (--max-sessions-per-principal); "+
				"end sessions you no longer use with DELETE, or wait for idle ones to expire after %s",
			c.Principal, n, t.limits.SessionIdleTimeout)}
	}
	if len(t.byID) >= t.limits.MaxSessions {
		return "", &capError{http.StatusServiceUnavailable, fmt.Sprintf(
			"the server holds %d open MCP sessions, its limit (--max-sessions); retry later, when idle sessions have expired (after %s), or ask the operator to raise the limit",
			len(t.byID), t.limits.SessionIdleTimeout)}
	}
	id := newSessionID()
	t.byID[id] = &sessionEntry{owner: ownerOf(c), principal: c.Principal, last: t.now()}
	t.perName[c.Principal]++
	return id, nil
}

// issue marks a reservation as handed to mcp-go.
func (t *sessionTable) issue(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.byID[id]; ok {
		e.issued = true
	}
}

// unreserve drops a reservation mcp-go never took (the initialize failed
// before a session was minted).
func (t *sessionTable) unreserve(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.byID[id]; ok && !e.issued {
		t.removeLocked(id)
	}
}

// use reports whether id is a live session of caller and, if so, marks it
// active. Unknown, expired and foreign IDs are all simply false.
func (t *sessionTable) use(id string, c tools.Caller) bool {
	k := checkOwner(c) // outside the lock every request takes
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byID[id]
	if !ok || !k.is(e.owner) {
		return false
	}
	if t.now().Sub(e.last) > t.limits.SessionIdleTimeout {
		t.removeLocked(id)
		return false
	}
	e.last = t.now()
	return true
}

// owns is use without touching: the SDK-side check.
func (t *sessionTable) owns(id string, c tools.Caller) bool {
	k := checkOwner(c)
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byID[id]
	return ok && e.issued && k.is(e.owner)
}

// remove ends a session (DELETE, or mcp-go's idle sweeper).
func (t *sessionTable) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.removeLocked(id)
}

func (t *sessionTable) removeLocked(id string) {
	e, ok := t.byID[id]
	if !ok {
		return
	}
	delete(t.byID, id)
	if t.perName[e.principal]--; t.perName[e.principal] <= 0 {
		delete(t.perName, e.principal)
	}
}

func (t *sessionTable) expireLocked() {
	now := t.now()
	for id, e := range t.byID {
		if now.Sub(e.last) > t.limits.SessionIdleTimeout {
			t.removeLocked(id)
		}
	}
}

// counts returns the number of sessions in total and of one principal.
func (t *sessionTable) counts(principal string) (total, mine int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byID), t.perName[principal]
}

// reservedKey carries the ID the guard minted for an initialize request.
type reservedKey struct{}

// resolver gives mcp-go a SessionIdManager bound to one request's caller.
type resolver struct{ t *sessionTable }

// ResolveSessionIdManager implements server.SessionIdManagerResolver. r is
// nil when mcp-go's idle sweeper asks.
func (rv resolver) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	m := &requestManager{t: rv.t}
	if r != nil {
		m.ctx = r.Context()
	}
	return m
}

type requestManager struct {
	t   *sessionTable
	ctx context.Context // nil: the sweeper
}

var errNoSession = errors.New("no such session for this caller")

// Generate returns the ID the guard reserved for this initialize request.
// Without one (a path the guard does not route here) it returns an ID that
// is in no table, so every later use of it is refused.
func (m *requestManager) Generate() string {
	if m.ctx != nil {
		if id, ok := m.ctx.Value(reservedKey{}).(string); ok {
			m.t.issue(id)
			return id
		}
	}
	return newSessionID()
}

// Validate accepts only a live session owned by the request's caller. It
// never reports "terminated": an ended session is as unknown as any other.
func (m *requestManager) Validate(id string) (bool, error) {
	if m.ctx == nil {
		return false, errNoSession
	}
	c, ok := CallerFrom(m.ctx)
	if !ok || !m.t.owns(id, c) {
		return false, errNoSession
	}
	return false, nil
}

// Terminate ends the session: on DELETE (the guard checked the owner) or
// when mcp-go's sweeper expires it. Another caller's DELETE is "not
// allowed", so mcp-go leaves the session's state alone.
func (m *requestManager) Terminate(id string) (bool, error) {
	if m.ctx != nil {
		if c, ok := CallerFrom(m.ctx); !ok || !m.t.owns(id, c) {
			return true, nil
		}
	}
	m.t.remove(id)
	return false, nil
}
