package startgc

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestRaisedThenRestored: init raised GOGC to startPercent, Done puts the
// previous value back, and a second Done changes nothing.
func TestRaisedThenRestored(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set in the environment, which startgc leaves alone")
	}
	if got := debug.SetGCPercent(startPercent); got != startPercent {
		t.Fatalf("GOGC during start-up = %d, want %d", got, startPercent)
	}
	Done()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC after Done = %d, want 100 (the default)", got)
	}
	debug.SetGCPercent(77)
	Done()
	if got := debug.SetGCPercent(100); got != 77 {
		t.Fatalf("a second Done changed GOGC to %d", got)
	}
}
