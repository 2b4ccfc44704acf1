package mcpadapter

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// boundedEventStore is the event store behind Last-Event-ID replay. mcp-go's
// InMemoryEventStore keeps every event of a session until the session ends,
// so a long-lived session that streams results would grow without bound.
// This one keeps each session's most recent events within perSession bytes,
// and all sessions' within total bytes, evicting the oldest events of the
// session holding the most when the total is reached. A resume from an
// evicted event is refused by mcp-go as "Unknown Last-Event-ID" (400), and
// the client starts over; nothing else is lost.
type boundedEventStore struct {
	perSession, total int64

	mu       sync.Mutex
	seq      int64
	bytes    int64
	sessions map[string]*eventLog
}

type eventLog struct {
	events []storedEvent // ascending seq
	bytes  int64
}

type storedEvent struct {
	seq    int64
	stream string
	msg    json.RawMessage
}

func newBoundedEventStore(perSession, total int64) *boundedEventStore {
	return &boundedEventStore{perSession: perSession, total: total, sessions: map[string]*eventLog{}}
}

var _ server.EventStore = (*boundedEventStore)(nil)

// StoreEvent implements server.EventStore.
func (s *boundedEventStore) StoreEvent(_ context.Context, sessionID, streamID string, message json.RawMessage) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.sessions[sessionID]
	if l == nil {
		l = &eventLog{}
		s.sessions[sessionID] = l
	}
	s.seq++
	n := int64(len(message))
	l.events = append(l.events, storedEvent{seq: s.seq, stream: streamID, msg: slices.Clone(message)})
	l.bytes += n
	s.bytes += n
	for l.bytes > s.perSession && len(l.events) > 1 {
		s.evictOldest(l)
	}
	for s.bytes > s.total {
		if !s.evictOldest(s.largest()) {
			break
		}
	}
	return strconv.FormatInt(s.seq, 10), nil
}

// evictOldest drops l's oldest event; false if l is nil or empty.
func (s *boundedEventStore) evictOldest(l *eventLog) bool {
	if l == nil || len(l.events) == 0 {
		return false
	}
	n := int64(len(l.events[0].msg))
	l.events[0] = storedEvent{}
	l.events = l.events[1:]
	l.bytes -= n
	s.bytes -= n
	return true
}

// largest is the session log holding the most bytes.
func (s *boundedEventStore) largest() *eventLog {
	var big *eventLog
	for _, l := range s.sessions {
		if big == nil || l.bytes > big.bytes {
			big = l
		}
	}
	return big
}

// ReplayEventsAfter implements server.EventStore.
func (s *boundedEventStore) ReplayEventsAfter(_ context.Context, sessionID, lastEventID string, send func(eventID string, message json.RawMessage) error) (string, error) {
	seq, err := strconv.ParseInt(lastEventID, 10, 64)
	s.mu.Lock()
	l := s.sessions[sessionID]
	if err != nil || l == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("%w: %.40q", server.ErrUnknownEventID, lastEventID)
	}
	i, found := slices.BinarySearchFunc(l.events, seq, func(e storedEvent, t int64) int { return cmp.Compare(e.seq, t) })
	if !found {
		s.mu.Unlock()
		return "", fmt.Errorf("%w: %.40q", server.ErrUnknownEventID, lastEventID)
	}
	stream := l.events[i].stream
	var tail []storedEvent
	for _, e := range l.events[i+1:] {
		if e.stream == stream {
			tail = append(tail, e)
		}
	}
	s.mu.Unlock()
	for _, e := range tail {
		if err := send(strconv.FormatInt(e.seq, 10), e.msg); err != nil {
			return "", err
		}
	}
	return stream, nil
}

// PurgeSession implements server.EventStore.
func (s *boundedEventStore) PurgeSession(_ context.Context, sessionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.sessions[sessionID]; l != nil {
		s.bytes -= l.bytes
		delete(s.sessions, sessionID)
	}
	return nil
}
