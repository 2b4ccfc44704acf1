// Command httpbench measures secmcp's per-call overhead over streamable HTTP
// against the floor (tools/mcpadapter/floor, a bare mcp-go server): both
// servers run side by side on loopback, and for ROUNDS rounds, alternating
// which goes first, CLIENTS clients (one MCP session each) send CALLS
// sequential tools/call requests each — the floor's echo, secmcp's cheap
// tool (default kql_validate on a one-line query). It prints each server's
// median throughput, p50 and p99 latency and CPU per call, and secmcp's
// ratios to the floor (issue 16's targets: throughput ≥ 0.5×, p99 ≤ 2×).
// Then it runs one more batch against a third secmcp started with
// --cpu-profile and prints the profile's top entries.
//
// Usage: go run ./e2e/httpbench -secmcp bin/mcp-server -floor bin/floor
// (script/bench-floor runs it after the stdio benchmark). It only ever
// talks to 127.0.0.1 and stops by itself.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type config struct {
	secmcp, floor   string
	rounds, clients int
	calls, top      int
	tool, args      string
	profile         string
}

func main() {
	var c config
	flag.StringVar(&c.secmcp, "secmcp", "bin/mcp-server", "secmcp binary")
	flag.StringVar(&c.floor, "floor", "bin/floor", "floor binary (go build ./tools/mcpadapter/floor)")
	flag.IntVar(&c.rounds, "rounds", 5, "interleaved rounds (medians are printed)")
	flag.IntVar(&c.clients, "clients", 16, "concurrent clients, one MCP session each")
	flag.IntVar(&c.calls, "calls", 200, "sequential calls per client per round")
	flag.StringVar(&c.tool, "tool", "kql_validate", "secmcp's tool")
	flag.StringVar(&c.args, "args", `{"query":"DeviceProcessEvents | where Timestamp > ago(1h) | count"}`, "secmcp's tool arguments (JSON)")
	flag.StringVar(&c.profile, "profile", "bin/httpbench-secmcp.pprof", "where the profiled run's CPU profile goes (empty: no profile)")
	flag.IntVar(&c.top, "top", 30, "profile entries to print")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	floor, err := start("floor", c.floor)
	if err != nil {
		return err
	}
	defer floor.stop()
	sec, err := start("secmcp", c.secmcp, secmcpArgs()...)
	if err != nil {
		return err
	}
	defer sec.stop()
	defer os.Remove(filepath.Join(os.TempDir(), fmt.Sprintf("httpbench-secmcp-%d.log", os.Getpid())))
	targets := []*target{
		{name: "floor", srv: floor, tool: "echo", args: `{"text":"hello"}`},
		{name: "secmcp", srv: sec, tool: c.tool, args: c.args, key: "demo-contoso"},
	}
	for _, t := range targets { // warm both (first use, connection pools)
		if _, err := t.batch(4, 20); err != nil {
			return fmt.Errorf("%s warm-up: %w", t.name, err)
		}
	}
	samples := map[string][]batchResult{}
	for i := 0; i < c.rounds; i++ {
		order := targets
		if i%2 == 1 {
			order = []*target{targets[1], targets[0]}
		}
		for _, t := range order {
			r, err := t.batch(c.clients, c.calls)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", t.name, i+1, err)
			}
			samples[t.name] = append(samples[t.name], r)
		}
	}
	fmt.Printf("HTTP, %d clients × %d calls, %d interleaved rounds (medians); floor: echo, secmcp: %s %s\n", c.clients, c.calls, c.rounds, c.tool, c.args)
	med := map[string]batchResult{}
	for _, t := range targets {
		med[t.name] = medians(samples[t.name])
		m := med[t.name]
		fmt.Printf("%-7s %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  CPU %5.3f ms/call\n", t.name, m.rate, ms(m.p50), ms(m.p99), m.cpuPerCall*1000)
	}
	f, s := med["floor"], med["secmcp"]
	fmt.Printf("ratio secmcp/floor: throughput %.2f× (target ≥ 0.5)  p99 %.2f× (target ≤ 2)  p50 %.2f×  CPU/call %.2f×\n",
		s.rate/f.rate, float64(s.p99)/float64(f.p99), float64(s.p50)/float64(f.p50), s.cpuPerCall/f.cpuPerCall)
	if c.profile == "" {
		return nil
	}
	return profiled(c)
}

// secmcpArgs are the flags every secmcp under test gets: a budget no batch
// exhausts (the benchmark measures calls, not refusals), a fixed clock, and
// the default log level with the log in a file, so every call pays for its
// audit line as in production.
func secmcpArgs() []string {
	return []string{"--demo-budget", "100000000", "--demo-clock", "2026-11-20T12:00:00Z",
		"--log-level", "info", "--log-file", filepath.Join(os.TempDir(), fmt.Sprintf("httpbench-secmcp-%d.log", os.Getpid()))}
}

// profiled runs one batch against a secmcp started with --cpu-profile and
// prints the profile's top entries (pprof -top, flat and cumulative).
func profiled(c config) error {
	prof, err := filepath.Abs(c.profile)
	if err != nil {
		return err
	}
	srv, err := start("secmcp", c.secmcp, append(secmcpArgs(), "--cpu-profile", prof)...)
	if err != nil {
		return err
	}
	t := &target{name: "secmcp", srv: srv, tool: c.tool, args: c.args, key: "demo-contoso"}
	_, err = t.batch(c.clients, c.calls*c.rounds)
	srv.stop() // writes the profile
	if err != nil {
		return fmt.Errorf("profiled run: %w", err)
	}
	fmt.Printf("\nCPU profile of secmcp over HTTP (%d clients × %d calls): %s\n", c.clients, c.calls*c.rounds, prof)
	for _, mode := range []string{"-top", "-top -cum"} {
		args := append([]string{"tool", "pprof"}, strings.Fields(mode)...)
		args = append(args, fmt.Sprintf("-nodecount=%d", c.top), c.secmcp, prof)
		cmd := exec.Command("go", args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go tool pprof: %w", err)
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// medians takes each figure's median over the rounds separately.
func medians(rs []batchResult) batchResult {
	pick := func(f func(batchResult) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	return batchResult{
		rate:       pick(func(r batchResult) float64 { return r.rate }),
		p50:        time.Duration(pick(func(r batchResult) float64 { return float64(r.p50) })),
		p99:        time.Duration(pick(func(r batchResult) float64 { return float64(r.p99) })),
		cpuPerCall: pick(func(r batchResult) float64 { return r.cpuPerCall }),
	}
}
