package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/secmcp/secmcp/tools"
)

// maxConcurrent bounds the source calls in flight for one investigation.
const maxConcurrent = 12

// Trace is one source call of the fan-out, for the result and for tests.
type Trace struct {
	Key    string         `json:"key"`
	Source string         `json:"source"`
	Tool   string         `json:"tool"`
	Args   map[string]any `json:"args"`
	// Status is ok, failed, timeout or skipped.
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	StartMs    int64  `json:"startMs"`
	DurationMs int64  `json:"durationMs"`
}

// Missing is a source that failed or did not answer before the deadline.
type Missing struct {
	Source string `json:"source"`
	Tool   string `json:"tool"`
	Error  string `json:"error"`
}

// job is one source call and what to do with its result.
type job struct {
	key, source, tool string
	args              map[string]any
	// then turns the result into evidence and follow-up jobs.
	then func(r *run, raw json.RawMessage) error
	// absent, when set, says whether an error means the source simply has
	// nothing for this question (then it is a note, not a missing source).
	absent func(err error) (note string, ok bool)
	// settle, when set, runs once the call ended, whether it succeeded or
	// not (unless the fan-out closed): a group of calls uses it to act when
	// its last member is done.
	settle func(r *run)
}

// run is one fan-out.
type run struct {
	ctx    context.Context
	store  *Store
	call   tools.Call
	invoke Invoke
	set    *Set
	start  time.Time
	sem    chan struct{}
	wg     sync.WaitGroup

	gate     sync.RWMutex
	mu       sync.Mutex
	closed   bool
	seen     map[string]bool
	traces   map[string]*Trace
	done     int
	notes    []string
	partials []Missing
	planned  int
	refused  int

	// budget admits the entities of the per-entity fan-out (tenant-wide
	// questions) and lists them for the verdicts; rankings are the
	// tenant-wide steps' results for the answer's lead.
	budget   *entityBudget
	rankings []rankRef
}

func newRun(ctx context.Context, call tools.Call, invoke Invoke, set *Set, store *Store) *run {
	return &run{ctx: ctx, store: store, call: call, invoke: invoke, set: set, start: time.Now(),
		sem: make(chan struct{}, maxConcurrent), seen: map[string]bool{}, traces: map[string]*Trace{}}
}

// spawn starts j unless a job with its key already ran or the fan-out closed.
func (r *run) spawn(j job) {
	r.mu.Lock()
	if r.closed || r.seen[j.key] {
		r.mu.Unlock()
		return
	}
	if r.planned >= maxCalls {
		r.refused++
		r.mu.Unlock()
		if j.settle != nil {
			j.settle(r) // the group must not wait for a call never made
		}
		return
	}
	r.seen[j.key] = true
	tr := &Trace{Key: j.key, Source: j.source, Tool: j.tool, Args: j.args, Status: "timeout"}
	r.traces[j.key] = tr
	r.planned++
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.exec(r.ctx, j, tr)
	}()
}

func (r *run) exec(ctx context.Context, j job, tr *Trace) {
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-ctx.Done():
		r.finish(tr, "timeout", "not started before the deadline", 0)
		return
	}
	if j.settle != nil {
		defer r.settleJob(j)
	}
	began := time.Now()
	raw, err := r.invoke(ctx, r.call, j.tool, j.args)
	d := time.Since(began)
	r.mu.Lock()
	tr.StartMs = began.Sub(r.start).Milliseconds()
	r.mu.Unlock()
	if err != nil && j.absent != nil && ctx.Err() == nil {
		if note, ok := j.absent(err); ok {
			r.note(note)
			r.finish(tr, "ok", "", d)
			return
		}
	}
	if err != nil {
		status, msg := "failed", err.Error()
		if ctx.Err() != nil {
			// The sub-call's own message would name its own timeout.
			status, msg = "timeout", "did not answer before the investigation's deadline"
		} else if errors.Is(err, context.DeadlineExceeded) {
			status = "timeout"
		}
		r.finish(tr, status, msg, d)
		return
	}
	if err := r.apply(j, raw); err != nil {
		r.finish(tr, "failed", err.Error(), d)
		return
	}
	r.finish(tr, "ok", "", d)
}

// apply runs j.then unless the fan-out closed; the gate guarantees that no
// result lands in the evidence set after wait returned.
func (r *run) apply(j job, raw json.RawMessage) error {
	r.gate.RLock()
	defer r.gate.RUnlock()
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed || j.then == nil {
		return nil
	}
	return j.then(r, raw)
}

// settleJob runs j.settle unless the fan-out closed.
func (r *run) settleJob(j job) {
	r.gate.RLock()
	defer r.gate.RUnlock()
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if !closed {
		j.settle(r)
	}
}

func (r *run) finish(tr *Trace, status, msg string, d time.Duration) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	tr.Status, tr.Error, tr.DurationMs = status, truncate(msg, 300), d.Milliseconds()
	r.done++
	done, total := r.done, r.planned
	r.mu.Unlock()
	r.call.Report(float64(done), float64(total+1), fmt.Sprintf("%s: %s", tr.Source, status))
}

// note records a plain remark for the answer (no facts to verify).
func (r *run) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.notes = append(r.notes, s)
	}
}

// partial records a part of a source that its tool reported unavailable
// (the tool answered, without that part).
func (r *run) partial(source, tool, msg string) {
	if msg == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.partials = append(r.partials, Missing{Source: source + " (partly)", Tool: tool, Error: truncate(msg, 300)})
	}
}

// wait blocks until every job finished or ctx is done (plus a short grace
// for calls to notice the cancellation), then closes the fan-out: later
// results are dropped, unfinished calls stay "timeout".
func (r *run) wait(ctx context.Context) {
	all := make(chan struct{})
	go func() { r.wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-ctx.Done():
		select {
		case <-all:
		case <-time.After(150 * time.Millisecond):
		}
	}
	r.gate.Lock()
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.gate.Unlock()
}

// report returns the traces in start order and the missing sources.
func (r *run) report() ([]Trace, []Missing, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	traces := make([]Trace, 0, len(r.traces))
	for _, t := range r.traces {
		traces = append(traces, *t)
	}
	sort.Slice(traces, func(i, j int) bool { return traces[i].Key < traces[j].Key })
	missing := []Missing{}
	for _, t := range traces {
		if t.Status == "timeout" || t.Status == "failed" {
			msg := t.Error
			if msg == "" {
				msg = "did not answer before the deadline"
			}
			missing = append(missing, Missing{Source: t.Source, Tool: t.Tool, Error: msg})
		}
	}
	parts := append([]Missing(nil), r.partials...)
	sort.Slice(parts, func(i, j int) bool {
		if parts[i].Source != parts[j].Source {
			return parts[i].Source < parts[j].Source
		}
		return parts[i].Error < parts[j].Error
	})
	notes := append([]string(nil), r.notes...)
	sort.Strings(notes)
	if r.refused > 0 {
		notes = append(notes, fmt.Sprintf("The investigation's call budget (%d source calls) was spent; %d further calls were not made.", maxCalls, r.refused))
	}
	return traces, append(missing, parts...), notes
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
