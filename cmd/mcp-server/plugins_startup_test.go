package main

import (
	"bytes"
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

	"github.com/secmcp/secmcp/internal/cputime"
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
// interleaved in the same run, and reports the minimum and median wall
// and CPU times of 7 of each and their ratio:
//
//	PLUGINS_STARTUP=1 go test -count=1 -v -run TestStartupWithFiftyPlugins ./cmd/mcp-server/
//
// It is a timing, so it runs on its own (script/test), not amid the
// parallel package tests. The wall time of one build grows with the
// machine's load (390–490 ms at load average 31, against 130–270 ms
// quiet), so the bound is on the CPU time the manifests add, least
// disturbed of the 7 (about 1 ms per skill; contention inflates CPU time
// far less than wall time), and the build with manifests must really have
// loaded their tools.
func TestStartupWithFiftyPlugins(t *testing.T) {
	if os.Getenv("PLUGINS_STARTUP") == "" {
		t.Skip("a timing: PLUGINS_STARTUP=1 runs it (script/test does, on its own)")
	}
	dir := fiftyManifests(t)
	t.Setenv("SECMCP_STATE_DIR", t.TempDir())
	loadedRE := regexp.MustCompile(`msg="plugins loaded" manifests=(\d+) tools=(\d+)`)
	measure := func(plugins []string) (wall, cpu time.Duration) {
		opts, err := parseFlags([]string{"--demo-clock", "2026-11-20T12:00:00Z"}, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		opts.plugins = plugins
		var log bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&log, nil))
		start, cpu0 := time.Now(), cputime.Used()
		a, err := build(context.Background(), opts, logger)
		wall, cpu = time.Since(start), cputime.Used()-cpu0
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if plugins != nil {
			m := loadedRE.FindStringSubmatch(log.String())
			if m == nil || m[1] != "50" || len(m[2]) < 3 {
				t.Fatalf("the build with 50 manifests did not load their tools (want 50 manifests, 100+ tools): %v", m)
			}
		}
		return wall, cpu
	}
	measure(nil) // warm caches shared by both (schemas, fixtures)
	var with, without, withCPU, withoutCPU []time.Duration
	for i := 0; i < 7; i++ {
		w, c := measure(nil)
		without, withoutCPU = append(without, w), append(withoutCPU, c)
		w, c = measure([]string{dir})
		with, withCPU = append(with, w), append(withCPU, c)
	}
	for _, s := range [][]time.Duration{with, without, withCPU, withoutCPU} {
		slices.Sort(s)
	}
	t.Logf("start-up (build) of 7 each, min / median: none %v / %v, 50 manifests %v / %v, ratio of medians %.2f; CPU none %v / %v, 50 manifests %v / %v",
		without[0], without[3], with[0], with[3], float64(with[3])/float64(without[3]), withoutCPU[0], withoutCPU[3], withCPU[0], withCPU[3])
	if d := withCPU[0] - withoutCPU[0]; d > time.Second {
		t.Errorf("50 plugin manifests add %v of CPU to start-up; keep it under a second", d)
	}
}
