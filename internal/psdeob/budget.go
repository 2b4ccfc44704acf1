package psdeob

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Limits is the work budget of one analysis. A script is hostile data: a few
// hundred bytes of PowerShell can double a string thirty times, so every
// value the evaluator builds is charged against Bytes before it is built, and
// every evaluation step against Steps. The zero value means the defaults.
type Limits struct {
	// Bytes bounds the total size of the values the evaluator builds while
	// it analyses one script: strings (1 byte per byte), arrays (16 bytes
	// per element, plus the elements themselves), byte buffers, decoded and
	// decompressed payloads, and the text of every decoded layer. It is a
	// running total, never refunded, so it is also an upper bound on the
	// memory one analysis can hold. Default DefaultScriptBytes.
	Bytes int64 `json:"bytes,omitempty"`
	// Steps bounds evaluation steps: expressions, statements and loop
	// iterations, plus one step per 256 bytes an operation reads or writes.
	// Default DefaultScriptSteps.
	Steps int64 `json:"steps,omitempty"`
}

// Defaults of Limits. On the shared corpus (482 samples, go run
// ./internal/psdeob/cmd/psscore) the most demanding sample builds 18.8 MiB of
// values and the longest takes 1.34 M steps, so the defaults leave 3× room,
// while one analysis stays far under the server's memory even with every
// analysis slot busy.
const (
	DefaultScriptBytes = 64 << 20
	DefaultScriptSteps = 4_000_000
)

// withDefaults fills zero fields.
func (l Limits) withDefaults() Limits {
	if l.Bytes <= 0 {
		l.Bytes = DefaultScriptBytes
	}
	if l.Steps <= 0 {
		l.Steps = DefaultScriptSteps
	}
	return l
}

// Errors a LimitError matches with errors.Is.
var (
	ErrTooLarge = errors.New("too large")
	ErrTooSlow  = errors.New("too slow")
)

// LimitError says which budget stopped an analysis. Analyze does not return
// it: the analysis up to that point is still returned, with
// Analysis.Incomplete set to its message and Analysis.Limit to the error.
type LimitError struct {
	Kind  error  // ErrTooLarge or ErrTooSlow
	Key   string // configuration key of the limit: limits.scriptBytes, limits.scriptSteps, or "" for the deadline
	Need  int64  // what the script asked for (bytes or steps), 0 when unknown
	Limit int64  // the limit
	Value bool   // Need is the size of one value (rather than a running total)
	What  string // for the deadline: what ended the context
}

// Error names the limit and what to change.
func (e *LimitError) Error() string {
	switch {
	case e.Key == "":
		return fmt.Sprintf("too slow: the analysis stopped at %s before the script was fully evaluated; "+
			"the layers decoded until then are complete — analyse a smaller excerpt or raise the tool's timeout", e.What)
	case e.Kind == ErrTooSlow:
		return fmt.Sprintf("too slow: the script needs more than %d evaluation steps (limit %d, %s); "+
			"evaluation stopped there and the layers decoded until then are complete — raise %s to evaluate further",
			e.Limit, e.Limit, e.Key, e.Key)
	case e.Key == keyRegex:
		return fmt.Sprintf("too large: the script matches a pattern against %s of text (limit %s per operation); "+
			"that operation was not run and the analysis went on without its result — layers that depend on it may be missing",
			mib(e.Need), mib(e.Limit))
	case e.Value:
		return fmt.Sprintf("too large: the script builds a value of %s (limit %s of values per analysis, %s); "+
			"that value was not built and the analysis went on without it — layers that depend on it may be missing; "+
			"raise %s to evaluate it", mib(e.Need), mib(e.Limit), e.Key, e.Key)
	}
	return fmt.Sprintf("too large: the script builds over %s of values (limit %s per analysis, %s); "+
		"values past that point were not built and the analysis went on without them — layers that depend on them may be missing; "+
		"raise %s to evaluate them", mib(e.Limit), mib(e.Limit), e.Key, e.Key)
}

// keyRegex is LimitError.Key of the fixed bound on one pattern match.
const keyRegex = "regex subject"

// Is matches ErrTooLarge or ErrTooSlow.
func (e *LimitError) Is(target error) bool { return target == e.Kind }

func mib(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// elemBytes is what one array element costs: an interface slot plus the
// boxed scalar most elements carry.
const elemBytes = 24

// mulSize multiplies sizes without overflow (saturating).
func mulSize(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// reserve charges n bytes before a value of that size is built. When the
// budget cannot cover it, reserve returns false and the caller must not
// build the value: it becomes unknown, like any value the evaluator cannot
// compute, and the evaluation goes on — a payload decoded after a memory bomb
// is still found. The first such refusal is kept as the LimitError the
// analysis reports. A refusal allocates nothing, and the steps budget bounds
// how long the evaluation can go on refusing.
func (e *evaluator) reserve(n int64) bool {
	if e.stopped {
		return false
	}
	if n <= 0 {
		return true
	}
	if n > e.limits.Bytes-e.bytes {
		if e.limitErr == nil {
			e.limitErr = &LimitError{Kind: ErrTooLarge, Key: "limits.scriptBytes", Need: n, Limit: e.limits.Bytes, Value: n > e.limits.Bytes/2}
		}
		return false
	}
	e.bytes += n
	return e.work(n)
}

// reserveElems charges n array elements.
func (e *evaluator) reserveElems(n int) bool { return e.reserve(mulSize(int64(n), elemBytes)) }

// room is how many bytes the budget can still cover.
func (e *evaluator) room() int64 { return max(0, e.limits.Bytes-e.bytes) }

// work charges the time of reading or writing n bytes: one step per 256.
func (e *evaluator) work(n int64) bool {
	if n >= 256 {
		e.steps += int(n >> 8)
		return e.tick()
	}
	return !e.stopped
}

// stop ends the evaluation for good. A budget refusal already recorded
// (reserve) is kept as the reason: it came first.
func (e *evaluator) stop(err *LimitError) {
	e.stopped = true
	if e.limitErr == nil {
		e.limitErr = err
	}
}

// deadlineError is the LimitError of a context that ended; limit is the
// time the analysis was given.
func deadlineError(err error, limit time.Duration) *LimitError {
	if errors.Is(err, context.DeadlineExceeded) {
		return &LimitError{Kind: ErrTooSlow, What: "its time limit (" + limit.Round(time.Millisecond).String() + ")"}
	}
	return &LimitError{Kind: ErrTooSlow, What: "cancellation of the call"}
}

// listLen is len(toList(v)) without building the list.
func listLen(v value) int {
	switch x := v.(type) {
	case psArray:
		return len(x)
	case []byte:
		return len(x)
	case nil:
		return 0
	}
	return 1
}
