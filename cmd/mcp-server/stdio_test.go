package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// TestStdioRawFrames drives run() with real JSON-RPC frames, including
// malformed ones, and checks each gets a clear answer and nothing is lost.
func TestStdioRawFrames(t *testing.T) {
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`this is not json`,
		`{"jsonrpc":"2.0","id":2,"method":"no/such/method"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"defender_list_incidents","arguments":{"top":"five"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"` + strings.Repeat("x", 300<<10) + `"}}}`,
		`{"jsonrpc":"2.0","id":6,"method":"resources/read","params":{"uri":"secmcp://nosuch/incidents/1"}}`,
		`{"jsonrpc":"2.0","id":7,"method":"tools/list"}`,
	}
	stdin := strings.NewReader(strings.Join(frames, "\n") + "\n")
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// Keep stdin open until all answers arrived, then close it.
		r := io.MultiReader(stdin, &blockUntil{ctx: ctx})
		done <- run(ctx, []string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error"}, func(string) string { return "" }, r, pw, &stderr)
		_ = pw.Close()
	}()
	answers := map[float64]map[string]any{}
	var parseErr bool
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for len(answers) < 7 && sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("stdout carried a non-JSON line (logs must never go to stdout): %q", sc.Text())
		}
		if id, ok := m["id"].(float64); ok {
			answers[id] = m
		} else if m["error"] != nil {
			parseErr = true
		}
	}
	cancel()
	<-done
	if !parseErr {
		t.Error("malformed frame got no JSON-RPC error")
	}
	if e, _ := answers[2]["error"].(map[string]any); e == nil {
		t.Error("unknown method: want a JSON-RPC error")
	}
	ids := []float64{}
	for id := range answers {
		ids = append(ids, id)
	}
	t.Logf("answered ids: %v", ids)
	if b, _ := json.Marshal(answers[4]); !strings.Contains(string(b), "not found") {
		t.Errorf("unknown tool: want an error naming it not found, got %s", b)
	}
	for id, want := range map[float64]string{3: `must be an integer`, 5: `bytes`} {
		b, _ := json.Marshal(answers[id])
		if !strings.Contains(string(b), want) || !strings.Contains(string(b), `"isError":true`) {
			t.Errorf("id %v: want a tool error containing %q, got %.300s", id, want, b)
		}
	}
	if answers[6]["error"] == nil {
		t.Errorf("reading an unknown tenant's URI: want an error, got %v", answers[6])
	}
	if r, _ := answers[7]["result"].(map[string]any); r == nil || len(r["tools"].([]any)) < 13 {
		t.Errorf("tools/list after bad frames: %v", answers[7])
	}
}

// blockUntil is a reader that blocks until ctx ends, then reports EOF.
type blockUntil struct{ ctx context.Context }

func (b *blockUntil) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, io.EOF
}
