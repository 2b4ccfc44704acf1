// Command loadtest is the bounded loopback load test of tenant isolation
// under flooding: one demo tenant (contoso) sends 10× its capacity budget
// while the other (fabrikam) sends a steady trickle, and it prints
// fabrikam's p50/p99 latency idle and under the flood, their ratio, and what
// the flooding tenant got back (successes, clean rate-limit tool errors,
// anything else, HTTP 5xx).
//
// Usage: go run ./e2e/loadtest [-bin path/to/mcp-server] [-seconds 10]
// It only ever talks to 127.0.0.1, and stops by itself.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "", "server binary (default: go build ./cmd/mcp-server)")
	seconds := flag.Int("seconds", 10, "length of each phase")
	flag.Parse()
	if err := run(*bin, time.Duration(*seconds)*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(bin string, phase time.Duration) error {
	if bin == "" {
		bin = os.TempDir() + "/secmcp-loadtest-server"
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/mcp-server").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	srv := exec.Command(bin, "--http", addr, "--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error")
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }()
	url := "http://" + addr + "/mcp"
	if err := waitUp("http://" + addr + "/healthz"); err != nil {
		return err
	}
	con, err := newSession(url, "demo-contoso")
	if err != nil {
		return err
	}
	fab, err := newSession(url, "demo-fabrikam")
	if err != nil {
		return err
	}
	// Warm both tenants (data generation, token, first Graph call).
	for _, s := range []*session{con, fab} {
		if _, err := s.call("defender_list_incidents", `{"top":5}`); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	const trickle = 10 // fabrikam calls per second
	idle := fab.steady(trickle, phase)
	budgetPerSec := 600.0 / 60 // ratelimit.Default: 600 units/min
	floodRate := int(10 * budgetPerSec)
	var flood floodStats
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); flood = con.flood(floodRate, phase) }()
	busy := fab.steady(trickle, phase)
	wg.Wait()
	p := func(l []time.Duration, q float64) time.Duration { return l[int(q*float64(len(l)-1))] }
	fmt.Printf("fabrikam idle:        n=%d p50=%v p99=%v errors=%d\n", len(idle.lat), p(idle.lat, .5), p(idle.lat, .99), idle.errors)
	fmt.Printf("fabrikam under flood: n=%d p50=%v p99=%v errors=%d\n", len(busy.lat), p(busy.lat, .5), p(busy.lat, .99), busy.errors)
	fmt.Printf("p99 ratio (flood/idle): %.2f (target <= 1.5)\n", float64(p(busy.lat, .99))/float64(p(idle.lat, .99)))
	fmt.Printf("contoso flood: sent=%d at %d/s (10x its %.0f units/s budget): ok=%d rate_limited=%d other_tool_errors=%d http_5xx=%d transport_errors=%d\n",
		flood.sent, floodRate, budgetPerSec, flood.ok, flood.limited, flood.otherTool, flood.http5xx, flood.transport)
	if flood.http5xx > 0 || flood.transport > 0 || busy.errors > 0 {
		return fmt.Errorf("unclean results under load")
	}
	return nil
}

func waitUp(u string) error {
	for i := 0; i < 200; i++ {
		if r, err := http.Get(u); err == nil {
			_ = r.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("server did not come up")
}

type session struct {
	url, key, id string
	seq          atomic.Int64
	hc           *http.Client
}

func newSession(url, key string) (*session, error) {
	s := &session{url: url, key: key, hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	resp, _, err := s.post(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"loadtest","version":"1"}}}`)
	if err != nil {
		return nil, err
	}
	s.id = resp.Header.Get("Mcp-Session-Id")
	if _, _, err := s.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *session) post(body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", s.url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

type rpcResult struct {
	Result struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"result"`
	Error *struct{ Message string } `json:"error"`
}

// call returns the tool result; an error means a transport or protocol failure.
func (s *session) call(tool, args string) (rpcResult, error) {
	id := s.seq.Add(1)
	resp, body, err := s.post(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, id, tool, args))
	if err != nil {
		return rpcResult{}, err
	}
	if resp.StatusCode >= 500 {
		return rpcResult{}, &statusErr{resp.StatusCode}
	}
	if resp.StatusCode != 200 {
		return rpcResult{}, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(d, `"id":`) {
				body = []byte(d)
			}
		}
	}
	var r rpcResult
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("decode: %v: %.200s", err, body)
	}
	if r.Error != nil {
		return r, fmt.Errorf("rpc error: %s", r.Error.Message)
	}
	return r, nil
}

type statusErr struct{ code int }

func (e *statusErr) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

type steadyStats struct {
	lat    []time.Duration
	errors int
}

// steady sends rate calls per second for d, one at a time per tick.
func (s *session) steady(rate int, d time.Duration) steadyStats {
	var st steadyStats
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		<-tick.C
		t0 := time.Now()
		r, err := s.call("defender_list_incidents", `{"top":5}`)
		st.lat = append(st.lat, time.Since(t0))
		if err != nil || r.Result.IsError {
			st.errors++
		}
	}
	sort.Slice(st.lat, func(i, j int) bool { return st.lat[i] < st.lat[j] })
	return st
}

type floodStats struct{ sent, ok, limited, otherTool, http5xx, transport int64 }

// flood sends rate calls per second for d from a bounded worker pool.
func (s *session) flood(rate int, d time.Duration) floodStats {
	var st floodStats
	work := make(chan struct{}, rate)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				r, err := s.call("defender_list_incidents", `{"top":5}`)
				atomic.AddInt64(&st.sent, 1)
				var se *statusErr
				switch {
				case err != nil && asStatus(err, &se):
					atomic.AddInt64(&st.http5xx, 1)
				case err != nil:
					atomic.AddInt64(&st.transport, 1)
				case !r.Result.IsError:
					atomic.AddInt64(&st.ok, 1)
				case len(r.Result.Content) > 0 && strings.Contains(r.Result.Content[0].Text, "capacity budget"):
					atomic.AddInt64(&st.limited, 1)
				default:
					atomic.AddInt64(&st.otherTool, 1)
				}
			}
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		<-tick.C
		select {
		case work <- struct{}{}:
		default: // bounded: never queue without limit
		}
	}
	tick.Stop()
	close(work)
	wg.Wait()
	return st
}

func asStatus(err error, target **statusErr) bool {
	se, ok := err.(*statusErr)
	if ok {
		*target = se
	}
	return ok
}
