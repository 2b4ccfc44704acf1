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

func TestSynthesizerFlags(t *testing.T) {
	env := map[string]string{"MY_KEY": "sk-test"}
	getenv := func(k string) string { return env[k] }
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--synthesizer", "gpt"}, "must be off, builtin, sampling or openai"},
		{[]string{"--synthesizer", "openai"}, "needs --openai-url and --openai-deployment"},
		{[]string{"--synthesizer", "openai", "--openai-url", "https://m.example/v1/chat/completions", "--openai-deployment", "d", "--openai-key-env", "NOPE"}, "NOPE, which is empty"},
		{[]string{"--openai-url", "https://m.example/v1"}, "need --synthesizer openai"},
	}
	for _, c := range bad {
		if _, err := parseFlags(c.args, getenv, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
	o, err := parseFlags([]string{"--synthesizer", "openai", "--openai-url", "https://m.example/v1/chat/completions", "--openai-deployment", "d", "--openai-key-env", "MY_KEY"}, getenv, &bytes.Buffer{})
	if err != nil || o.openaiKey != "sk-test" || o.synthesizer != "openai" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, _ := parseFlags(nil, getenv, &bytes.Buffer{}); o.synthesizer != "off" {
		t.Errorf("default synthesizer %q", o.synthesizer)
	}
	if _, stderr, err := runArgs(t, nil, "--synthesizer", "openai", "--openai-url", "http://models.example/v1/chat/completions", "--openai-deployment", "d"); err == nil || !strings.Contains(err.Error()+stderr, "use https") {
		t.Errorf("plain-http remote endpoint accepted: %v %s", err, stderr)
	}
}

// TestInvestigateOverStdio: with --synthesizer builtin the binary answers
// investigate through the real wiring (sub-calls through the invoker).
func TestInvestigateOverStdio(t *testing.T) {
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"investigate","arguments":{"question":"What's going on with incident 1001?"}}}`,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	go func() {
		r := io.MultiReader(strings.NewReader(strings.Join(frames, "\n")+"\n"), &blockUntil{ctx: ctx})
		_ = run(ctx, []string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error", "--synthesizer", "builtin"}, func(string) string { return "" }, r, pw, io.Discard)
		_ = pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for sc.Scan() {
		var msg struct {
			ID     float64 `json:"id"`
			Result struct {
				IsError           bool `json:"isError"`
				StructuredContent struct {
					Answer      string            `json:"answer"`
					Unsupported int               `json:"unsupported"`
					Writer      string            `json:"writer"`
					Citations   map[string]string `json:"citations"`
				} `json:"structuredContent"`
			} `json:"result"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) != nil || msg.ID != 2 {
			continue
		}
		sc := msg.Result.StructuredContent
		if msg.Result.IsError || sc.Writer != "builtin" || sc.Unsupported != 0 || !strings.Contains(sc.Answer, "nolan.prescott@contoso.com") || len(sc.Citations) == 0 {
			t.Fatalf("investigate: %+v", msg.Result)
		}
		cancel()
		return
	}
	t.Fatal("no answer to investigate")
}
