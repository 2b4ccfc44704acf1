package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// fiftyManifests writes 50 manifests: the ../shared/plugins-dev sample,
// copied under new plugin names until there are 50.
func fiftyManifests(t *testing.T) string {
	t.Helper()
	src := sharedcorpus.Path(t, "plugins-dev")
	files, _ := filepath.Glob(filepath.Join(src, "*.y*ml"))
	if len(files) == 0 {
		t.Skip("no manifests in ../shared/plugins-dev")
	}
	name := regexp.MustCompile(`(?m)^(Descriptor:\s*\n\s+Name:\s*)(.+)$`)
	dir := t.TempDir()
	for i := 0; i < 50; i++ {
		data, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			t.Fatal(err)
		}
		data = name.ReplaceAll(data, []byte(fmt.Sprintf("${1}P%02d ${2}", i)))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%02d_%s", i, filepath.Base(files[i%len(files)]))), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestStartupWithFiftyPlugins measures build (the server's whole start-up
// wiring on the demo tenants) with 50 plugin manifests and with none,
// interleaved in the same run, and reports the medians and their ratio:
//
//	PLUGINS_STARTUP=1 go test -count=1 -v -run TestStartupWithFiftyPlugins ./cmd/mcp-server/
//
// It is a timing, so it runs on its own (script/test), not amid the
// parallel package tests.
func TestStartupWithFiftyPlugins(t *testing.T) {
	if os.Getenv("PLUGINS_STARTUP") == "" {
		t.Skip("a timing: PLUGINS_STARTUP=1 runs it (script/test does, on its own)")
	}
	dir := fiftyManifests(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Setenv("SECMCP_STATE_DIR", t.TempDir())
	measure := func(plugins []string) time.Duration {
		opts, err := parseFlags([]string{"--demo-clock", "2026-11-20T12:00:00Z"}, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		opts.plugins = plugins
		start := time.Now()
		a, err := build(context.Background(), opts, logger)
		d := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		return d
	}
	measure(nil) // warm caches shared by both (schemas, fixtures)
	var with, without []time.Duration
	for i := 0; i < 7; i++ {
		without = append(without, measure(nil))
		with = append(with, measure([]string{dir}))
	}
	slices.Sort(with)
	slices.Sort(without)
	mw, mo := with[len(with)/2], without[len(without)/2]
	t.Logf("start-up (build) median of 7: none %v, 50 manifests %v, ratio %.2f", mo, mw, float64(mw)/float64(mo))
	if mw-mo > time.Second {
		t.Errorf("50 plugin manifests add %v to start-up; keep it under a second", mw-mo)
	}
}
