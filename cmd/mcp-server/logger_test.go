package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestLogFileKeepsEveryRecord: the server's logger, group-committed to
// --log-file, has each record in the file as soon as its logging call has
// returned (so a crash right after a call's response cannot lose its audit
// line), and keeps every record of 16 concurrent writers, whole and once,
// when closed.
func TestLogFileKeepsEveryRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	logger, closeLog, err := newLogger(options{logFile: path, logLevel: "info"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	audit := logger.With("log", "audit")
	const workers, each = 16, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("%d-%d", w, i)
				audit.Info("call", "tool", "kql_validate", "id", id)
				if i%25 == 0 { // reading the file every time would serialise the writers
					if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"id":"`+id+`"`) {
						errs <- fmt.Errorf("record %s not in the file when Info returned (%v)", id, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	closeLog()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var rec struct{ Msg, Log, ID string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Log != "audit" || seen[rec.ID] {
			t.Fatalf("line %q: not a whole, unique audit record (%v)", line, err)
		}
		seen[rec.ID] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("the file holds %d records, want %d", len(seen), workers*each)
	}
}
