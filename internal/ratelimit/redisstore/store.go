// Package redisstore keeps capacity budgets and per-tenant in-flight slots
// in Redis, so that several replicas of the server behind a load balancer
// spend one budget per tenant instead of one each. It has the in-process
// semantics (package ratelimit): the same token bucket (burst, refill rate,
// tool costs, the wait a refusal advises), run atomically in Lua scripts on
// the Redis server's clock.
//
// Fail-safe policy. When Redis cannot be reached (two round trips in a row
// fail or take longer than the timeout, 200 ms by default; a call whose
// round trip failed is answered by the fallback at once), each replica falls back to a
// local fraction 1/N of every budget and in-flight limit, N being the number
// of live replicas it last saw in Redis (at least the URL's replicas=
// parameter). Refusing every call instead would turn a Redis outage into an
// outage of every analyst's tools, during the incident they may be working;
// granting the full budget locally would let N replicas grant N budgets. With
// 1/N each, the replicas together still grant at most one budget (the local
// buckets start from the shared bucket's last known level, divided by N), and
// a replica that alone lost Redis while the others still see it grants at
// most 1/N more. The store is probed once a second and shared again as soon
// as Redis answers; each change of state is logged once.
package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds every Redis round trip, so an outage costs a call
// at most this long once, before the store falls back.
const DefaultTimeout = 200 * time.Millisecond

const (
	heartbeatEvery = time.Second
	leaseTTL       = 10 * time.Second
	keyPrefix      = "secmcp:"
)

// Store is a budget store in one Redis database. It implements
// ratelimit.Store; Inflight gives the in-flight limiter. Safe for
// concurrent use.
type Store struct {
	rdb      *client
	where    string // the URL without its password, for logs
	timeout  time.Duration
	replicas int // the URL's replicas=: the least N of the fallback's 1/N
	id       string
	log      *slog.Logger
	// every is the heartbeat period and lease the in-flight lease TTL
	// (heartbeatEvery and leaseTTL; shorter in tests).
	every, lease time.Duration
	stop         chan struct{}
	done         chan struct{}
	halted       sync.Once
	// fails counts round trips failed in a row; two enter the fail-safe,
	// so that one slow answer on a busy machine is not an outage.
	fails atomic.Int32

	mu        sync.Mutex
	down      bool
	seen      int                     // live replicas at the last heartbeat
	last      map[string]lastLevel    // each bucket's level at its last answer
	local     map[string]*localBudget // fallback buckets while down
	inflights []*Inflight
}

// Settings are what the URL configures besides the connection (Options).
type Settings struct {
	// Timeout bounds each round trip (URL parameter timeout=, e.g. 200ms).
	Timeout time.Duration
	// Replicas is the least N of the fail-safe's 1/N (URL parameter replicas=).
	Replicas int
}

// ParseURL checks a redis:// or rediss:// URL (redis://[[USER]:PASSWORD@]HOST:PORT/DB
// with optional parameters timeout= and replicas=). Its errors never
// repeat the password.
func ParseURL(raw string) (*Options, Settings, error) {
	set := Settings{Timeout: DefaultTimeout, Replicas: 1}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, set, errors.New("must be a URL of the form redis://HOST:PORT/DB or rediss://HOST:PORT/DB (a password goes in the user part: redis://:PASSWORD@HOST:PORT/DB)")
	}
	q := u.Query()
	if v := q.Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Millisecond || d > 10*time.Second {
			return nil, set, fmt.Errorf("timeout=%q must be a duration between 1ms and 10s, e.g. 200ms", v)
		}
		set.Timeout = d
	}
	if v := q.Get("replicas"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, set, fmt.Errorf("replicas=%q must be a whole number from 1 to 1000: how many replicas share the store", v)
		}
		set.Replicas = n
	}
	for k := range q {
		if k != "timeout" && k != "replicas" {
			return nil, set, fmt.Errorf("unknown parameter %q: the URL takes timeout= and replicas=", k)
		}
	}
	opt := &Options{Username: u.User.Username(), Timeout: set.Timeout}
	opt.Password, _ = u.User.Password()
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Hostname(), "6379"
	}
	if host == "" {
		return nil, set, errors.New("the URL names no host: redis://HOST:PORT/DB")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, set, fmt.Errorf("port %q must be a number from 1 to 65535", port)
	}
	opt.Addr = net.JoinHostPort(host, port)
	if db := strings.Trim(u.Path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return nil, set, fmt.Errorf("database %q must be a whole number, e.g. /0", db)
		}
		opt.DB = n
	}
	if u.Scheme == "rediss" {
		opt.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	return opt, set, nil
}

// Open connects to the Redis at rawURL and starts the heartbeat. A Redis
// that does not answer yet is not an error: the store starts in its
// fail-safe state (logged) and shares budgets once Redis answers.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*Store, error) {
	return open(ctx, rawURL, log, heartbeatEvery, leaseTTL)
}

// open is Open with the heartbeat period and lease TTL given (shorter in tests).
func open(ctx context.Context, rawURL string, log *slog.Logger, every, lease time.Duration) (*Store, error) {
	opt, set, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(rawURL)
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	s := &Store{rdb: newClient(*opt), where: u.Redacted(), timeout: set.Timeout, replicas: set.Replicas,
		id: hex.EncodeToString(id), log: log, stop: make(chan struct{}), done: make(chan struct{}),
		last: map[string]lastLevel{}, every: every, lease: lease}
	if n, err := s.heartbeat(ctx); err != nil {
		s.setDown(err)
	} else {
		log.Info("budgets shared through Redis", "store", s.where, "replicas_live", n)
	}
	go s.loop()
	return s, nil
}

// Close stops the heartbeat, removes this replica from the live count and
// closes the connections.
func (s *Store) Close() {
	s.halt()
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	_, _ = s.rdb.do(ctx, "ZREM", keyPrefix+"replicas", s.id)
	s.rdb.close()
}

// halt stops the heartbeat (and so the lease renewals), once.
func (s *Store) halt() {
	s.halted.Do(func() { close(s.stop) })
	<-s.done
}

// Down reports whether the store is in its fail-safe state.
func (s *Store) Down() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

func (s *Store) loop() {
	defer close(s.done)
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if _, err := s.heartbeat(context.Background()); err != nil {
			s.failed(err)
			continue
		}
		s.fails.Store(0)
		s.setUp()
		for _, l := range s.inflightList() {
			l.renew()
		}
	}
}

// heartbeat marks this replica live and learns how many are.
func (s *Store) heartbeat(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	n, err := toInt(heartbeatScript.run(ctx, s.rdb, []string{keyPrefix + "replicas"}, s.id, (3 * s.every).Milliseconds()))
	if err != nil {
		return 0, fmt.Errorf("heartbeat: %w", err)
	}
	s.mu.Lock()
	s.seen = int(n)
	s.mu.Unlock()
	return int(n), nil
}

// fraction is the N of the fallback's 1/N. Callers hold mu.
func (s *Store) fraction() int { return max(s.replicas, s.seen, 1) }

// failed counts a failed round trip; the second in a row enters the
// fail-safe. (The call that failed is answered by the fallback either way.)
func (s *Store) failed(err error) {
	if s.fails.Add(1) >= 2 {
		s.setDown(err)
	}
}

// setDown enters the fail-safe state, logging it once per outage.
func (s *Store) setDown(cause error) {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		return
	}
	s.down = true
	if s.local == nil { // buckets a first failed call started are kept
		s.local = map[string]*localBudget{}
	}
	n := s.fraction()
	ls := append([]*Inflight(nil), s.inflights...)
	s.mu.Unlock()
	for _, l := range ls {
		l.fallBack(n)
	}
	s.log.Warn("budget store unreachable: each replica now grants 1/N of every tenant's budget and in-flight limit until it answers",
		"store", s.where, "n", n, "error", cause.Error())
}

// setUp leaves the fail-safe state, logging it once.
func (s *Store) setUp() {
	s.mu.Lock()
	was, seen := s.down, s.seen
	s.down, s.local = false, nil
	s.mu.Unlock()
	if was {
		s.log.Info("budget store reachable again: budgets are shared again", "store", s.where, "replicas_live", seen)
	}
}

func (s *Store) inflightList() []*Inflight {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Inflight(nil), s.inflights...)
}

// call bounds one round trip by the timeout and counts failures.
func (s *Store) call(f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	err := f(ctx)
	switch {
	case err == nil:
		s.fails.Store(0)
	case !errors.Is(err, errNil):
		s.failed(err)
	}
	return err
}

// n is the fallback's N, taking mu.
func (s *Store) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fraction()
}
