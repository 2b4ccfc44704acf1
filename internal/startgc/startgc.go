// Package startgc holds the garbage collector back while the server starts.
//
// Package initialisation allocates about 3 MB (most of it mcp-go's
// JSON-schema compiler compiling its meta-schemas), just past the 4 MB heap
// goal's first trigger, so with the default GOGC=100 a collection ran in
// the middle of start-up: about 1.3 ms of CPU of a ~15 ms start and 0.7 MiB
// of peak RSS for the mark workers (issue 16). This package's init raises
// GOGC to 400 before those packages initialise, and Done puts it back once
// the first client has initialised and had a moment to list the tools (or
// a few seconds have passed), so the first collection runs after start-up. The heap stays bounded meanwhile:
// the collector still runs, at four times the live heap.
//
// Go initialises packages in import-path order among those whose imports are
// initialised (https://go.dev/ref/spec#Package_initialization); this package
// imports only os, sync and runtime/debug, so it is ready, and initialised,
// before the big dependencies are. An operator's GOGC is left alone.
package startgc

import (
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// startPercent is GOGC during start-up.
const startPercent = 400

// Window is the longest start-up may hold the collector back.
const Window = 3 * time.Second

// settle is how long after the first initialize GOGC goes back, so the
// collection that follows does not compete with the client's first
// requests (tools/list).
const settle = 250 * time.Millisecond

var (
	restore = -1 // GOGC to put back; -1 when init changed nothing
	once    sync.Once
)

func init() {
	if _, set := os.LookupEnv("GOGC"); !set {
		restore = debug.SetGCPercent(startPercent)
	}
}

// Initialized is called when a client has initialised: GOGC goes back a
// moment later.
func Initialized() { time.AfterFunc(settle, Done) }

// Done puts GOGC back to what it was before start-up and starts the
// steady-state pace (Steady), if any; later calls do nothing.
func Done() {
	once.Do(func() {
		if restore >= 0 {
			debug.SetGCPercent(restore)
		}
		if steady != nil {
			steady()
		}
	})
}

var steady func()

// Steady sets what Done starts once start-up is over (internal/gctune's
// pace for the server's run). Call it before start-up can end.
func Steady(start func()) { steady = start }
