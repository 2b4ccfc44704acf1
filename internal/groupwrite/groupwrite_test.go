package groupwrite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink is an underlying writer that counts its writes and may be slow, so
// records queue behind a write in progress.
type sink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	delay  time.Duration
	err    error
}

func (s *sink) Write(p []byte) (int, error) {
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	s.writes++
	return s.buf.Write(p)
}

func (s *sink) contains(line string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.buf.Bytes(), []byte(line))
}

// TestEveryRecordWrittenBeforeReturn: 16 goroutines log 200 records each;
// each record is in the underlying writer when its logging call returns,
// and afterwards every record is there, whole, once — in fewer writes than
// records, because records queued behind a write go out together.
func TestEveryRecordWrittenBeforeReturn(t *testing.T) {
	s := &sink{delay: 50 * time.Microsecond}
	g := New(s)
	log := slog.New(g.Handler(slog.NewJSONHandler(g, nil))).With("log", "audit")
	const workers, each = 16, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				log.Info("call", "id", id)
				if !s.contains(`"id":"` + id + `"`) {
					errs <- fmt.Errorf("record %s not written when Info returned", id)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]int{}
	lines := strings.Split(strings.TrimSuffix(s.buf.String(), "\n"), "\n")
	for _, l := range lines {
		var rec struct{ Msg, Log, ID string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Msg != "call" || rec.Log != "audit" {
			t.Fatalf("line is not a whole record: %q (%v)", l, err)
		}
		seen[rec.ID]++
	}
	if len(lines) != workers*each || len(seen) != workers*each {
		t.Fatalf("%d lines, %d distinct records; want %d of each", len(lines), len(seen), workers*each)
	}
	if s.writes >= workers*each {
		t.Errorf("%d writes for %d records: concurrent records were not written together", s.writes, workers*each)
	}
	t.Logf("%d records in %d writes", workers*each, s.writes)
}

// TestIdleWritesAtOnce: with nobody else logging, each record is its own
// write, made by the logging call itself.
func TestIdleWritesAtOnce(t *testing.T) {
	s := &sink{}
	g := New(s)
	log := slog.New(g.Handler(slog.NewTextHandler(g, nil)))
	for i := range 3 {
		log.Info("one", "i", i)
		if s.writes != i+1 {
			t.Fatalf("after record %d: %d writes, want %d", i, s.writes, i+1)
		}
	}
}

// TestCommitReportsWriteError: a failing underlying writer's error reaches
// the logging handler, and the records after it still go out once it
// recovers.
func TestCommitReportsWriteError(t *testing.T) {
	s := &sink{err: errors.New("disk full")}
	g := New(s)
	h := g.Handler(slog.NewJSONHandler(g, nil))
	rec := slog.NewRecord(time.Now(), slog.LevelInfo, "lost", 0)
	if err := h.Handle(t.Context(), rec); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Handle = %v, want the write's error", err)
	}
	s.err = nil
	if err := h.Handle(t.Context(), slog.NewRecord(time.Now(), slog.LevelInfo, "kept", 0)); err != nil {
		t.Fatal(err)
	}
	if !s.contains(`"msg":"kept"`) || s.contains(`"msg":"lost"`) {
		t.Fatalf("underlying writer holds %q", s.buf.String())
	}
}

// TestCommitWithNothingQueued returns at once.
func TestCommitWithNothingQueued(t *testing.T) {
	s := &sink{}
	if err := New(s).Commit(); err != nil || s.writes != 0 {
		t.Fatalf("Commit = %v with %d writes", err, s.writes)
	}
}

// panicky panics on its first write.
type panicky struct {
	sink
	panicked bool
}

func (p *panicky) Write(b []byte) (int, error) {
	if !p.panicked {
		p.panicked = true
		panic("write failed")
	}
	return p.sink.Write(b)
}

// TestPanickingWriterDoesNotBlockLaterRecords: an underlying writer that
// panics (the panic recovered by the caller, as net/http does) ends its
// write: the next record is written and its logging call returns.
func TestPanickingWriterDoesNotBlockLaterRecords(t *testing.T) {
	p := &panicky{}
	g := New(p)
	log := slog.New(g.Handler(slog.NewJSONHandler(g, nil)))
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the writer's panic did not reach the logging call")
			}
		}()
		log.Info("lost")
	}()
	done := make(chan struct{})
	go func() {
		log.Info("kept")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a record logged after the writer panicked is still waiting")
	}
	if !p.contains(`"msg":"kept"`) {
		t.Fatalf("underlying writer holds %q", p.buf.String())
	}
}
