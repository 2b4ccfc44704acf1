package mcpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

func replay(t *testing.T, s *boundedEventStore, session, after string) (string, []string, error) {
	t.Helper()
	var got []string
	stream, err := s.ReplayEventsAfter(context.Background(), session, after, func(id string, m json.RawMessage) error {
		got = append(got, id+"="+string(m))
		return nil
	})
	return stream, got, err
}

// TestBoundedEventStore: replay follows one stream of one session; a
// session keeps its newest events within its budget; over the total, the
// largest session loses its oldest events first; purge frees everything.
func TestBoundedEventStore(t *testing.T) {
	ctx := context.Background()
	s := newBoundedEventStore(30, 50)
	ev := func(session, stream, msg string) string {
		id, err := s.StoreEvent(ctx, session, stream, json.RawMessage(msg))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a1 := ev("A", "s1", `"aaaaaaaa"`) // 10 bytes each
	ev("A", "s2", `"bbbbbbbb"`)
	a3 := ev("A", "s1", `"cccccccc"`)
	stream, got, err := replay(t, s, "A", a1)
	if err != nil || stream != "s1" || len(got) != 1 || !strings.HasSuffix(got[0], `"cccccccc"`) {
		t.Fatalf("replay after a1: %s %v %v", stream, got, err)
	}
	if _, _, err := replay(t, s, "B", a1); !errors.Is(err, server.ErrUnknownEventID) {
		t.Fatalf("another session's event ID must be unknown, got %v", err)
	}
	ev("A", "s1", `"dddddddd"`) // A is at 40 > 30: a1 goes
	if _, _, err := replay(t, s, "A", a1); !errors.Is(err, server.ErrUnknownEventID) {
		t.Fatalf("an evicted event must be unknown, got %v", err)
	}
	if _, got, err := replay(t, s, "A", a3); err != nil || len(got) != 1 {
		t.Fatalf("replay after a3: %v %v", got, err)
	}
	b1 := ev("B", "t", `"11111111"`)
	ev("B", "t", `"22222222"`)           // total 50: at the cap
	ev("B", "t", `"333333333333333333"`) // 70 > 50: B (40) is the largest and loses b1 first
	if s.bytes > 50 || s.bytes != s.sessions["A"].bytes+s.sessions["B"].bytes {
		t.Fatalf("total %d bytes, A %d, B %d", s.bytes, s.sessions["A"].bytes, s.sessions["B"].bytes)
	}
	if _, _, err := replay(t, s, "B", b1); !errors.Is(err, server.ErrUnknownEventID) {
		t.Fatalf("the largest session's oldest event must go first, got %v", err)
	}
	if err := s.PurgeSession(ctx, "A"); err != nil || s.bytes != s.sessions["B"].bytes {
		t.Fatalf("purge: %v, %d bytes left, B holds %d", err, s.bytes, s.sessions["B"].bytes)
	}
	if _, _, err := replay(t, s, "A", a3); !errors.Is(err, server.ErrUnknownEventID) {
		t.Fatalf("a purged session's events must be unknown, got %v", err)
	}
	if _, _, err := replay(t, s, "B", "not-a-number"); !errors.Is(err, server.ErrUnknownEventID) {
		t.Fatalf("a malformed event ID must be unknown, got %v", err)
	}
}
