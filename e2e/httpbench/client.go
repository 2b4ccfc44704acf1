package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is one server process listening on loopback.
type server struct {
	cmd *exec.Cmd
	url string
}

// start runs bin with --http on a free loopback port and waits until it
// answers.
func start(name, bin string, extra ...string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin, append([]string{"--http", addr}, extra...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{cmd: cmd, url: "http://" + addr + "/mcp"}
	for i := 0; i < 400; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return s, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s did not listen on %s", name, addr)
}

// stop interrupts the server and waits for it to exit.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// cpuSeconds is the process's user+system CPU time so far (/proc/PID/stat).
func (s *server) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start at ") ".
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// target is one server with the tool the benchmark calls on it.
type target struct {
	name       string
	srv        *server
	tool, args string
	key        string // bearer key, if the server wants one
}

// batchResult is one batch's figures.
type batchResult struct {
	rate       float64 // calls per second
	p50, p99   time.Duration
	cpuPerCall float64 // server CPU seconds per call
}

var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

// batch opens clients sessions (not timed), then has each send calls
// sequential calls at once, and ends the sessions. Any failed call fails
// the batch.
func (t *target) batch(clients, calls int) (batchResult, error) {
	sessions := make([]*session, clients)
	for i := range sessions {
		s, err := t.open()
		if err != nil {
			return batchResult{}, err
		}
		sessions[i] = s
		defer s.end()
	}
	lat := make([][]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	cpu0, t0 := t.srv.cpuSeconds(), time.Now()
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i], errs[i] = s.run(t.tool, t.args, calls)
		}()
	}
	wg.Wait()
	wall, cpu := time.Since(t0), t.srv.cpuSeconds()-cpu0
	var all []time.Duration
	for i := range lat {
		if errs[i] != nil {
			return batchResult{}, errs[i]
		}
		all = append(all, lat[i]...)
	}
	slices.Sort(all)
	n := len(all)
	return batchResult{rate: float64(n) / wall.Seconds(), p50: all[n/2], p99: all[(n*99)/100],
		cpuPerCall: cpu / float64(n)}, nil
}

// session is one client's MCP session.
type session struct {
	t   *target
	id  string
	seq int
}

func (t *target) open() (*session, error) {
	s := &session{t: t}
	resp, body, err := s.post(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"httpbench","version":"1"}}}`)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("initialize: HTTP %d: %.200s", resp.StatusCode, body)
	}
	s.id = resp.Header.Get("Mcp-Session-Id")
	if _, _, err := s.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`); err != nil {
		return nil, err
	}
	return s, nil
}

// end deletes the session so the next batch starts under the same caps.
func (s *session) end() {
	req, _ := http.NewRequest(http.MethodDelete, s.t.srv.url, nil)
	s.headers(req)
	if resp, err := httpClient.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}

func (s *session) headers(req *http.Request) {
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if s.t.key != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.key)
	}
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
	}
}

func (s *session) post(body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(http.MethodPost, s.t.srv.url, strings.NewReader(body))
	s.headers(req)
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// run sends n sequential calls and returns each one's latency.
func (s *session) run(tool, args string, n int) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	for range n {
		s.seq++
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, s.seq, tool, args)
		t0 := time.Now()
		resp, b, err := s.post(body)
		lat = append(lat, time.Since(t0))
		if err != nil {
			return nil, err
		}
		if err := checkResult(resp, b); err != nil {
			return nil, fmt.Errorf("%s: %w", tool, err)
		}
	}
	return lat, nil
}

// checkResult fails on anything but a successful tool result.
func checkResult(resp *http.Response, body []byte) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
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
	var r struct {
		Result *struct {
			IsError bool              `json:"isError"`
			Content []json.RawMessage `json:"content"`
		} `json:"result"`
		Error *struct{ Message string } `json:"error"`
	}
	switch err := json.Unmarshal(body, &r); {
	case err != nil:
		return fmt.Errorf("decode: %v: %.200s", err, body)
	case r.Error != nil:
		return fmt.Errorf("rpc error: %s", r.Error.Message)
	case r.Result == nil || r.Result.IsError || len(r.Result.Content) == 0:
		return fmt.Errorf("tool error or empty result: %.300s", body)
	}
	return nil
}
