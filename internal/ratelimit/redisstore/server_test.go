package redisstore

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/testredis"
)

// startRedis starts a real redis-server, or skips the test without one.
func startRedis(t testing.TB, args ...string) *testredis.Server {
	t.Helper()
	return testredis.Start(t, args...)
}

// logBuffer collects a store's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// openTest opens a store with a fast heartbeat and short leases.
func openTest(t testing.TB, url string, logs *logBuffer) *Store {
	t.Helper()
	if logs == nil {
		logs = &logBuffer{}
	}
	s, err := open(context.Background(), url, slog.New(slog.NewJSONHandler(logs, nil)), 100*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
