//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// statelessClient sends tools/call requests in the stateless protocol
// (2026-07-28: no initialize, no Mcp-Session-Id, every request carries its
// own _meta), round robin over several replicas, as a client behind a load
// balancer without sticky sessions would.
type statelessClient struct {
	urls []string
	key  string
	next atomic.Int64
	hc   *http.Client
}

func newStatelessClient(key string, urls ...string) *statelessClient {
	return &statelessClient{urls: urls, key: key,
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
}

// callOutcome classifies one call's answer.
type callOutcome int

const (
	callOK callOutcome = iota
	callBudgetRefused
	callInflightRefused
	callToolError
	callHTTP5xx
	callOtherFailure
)

const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"e2e-replicas","version":"1"}}`

// call runs defender_list_incidents on the next replica.
func (c *statelessClient) call() (callOutcome, string) {
	n := c.next.Add(1)
	url := c.urls[int(n)%len(c.urls)]
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"defender_list_incidents","arguments":{"top":5},%s}}`, n, modernMeta)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "defender_list_incidents")
	resp, err := c.hc.Do(req)
	if err != nil {
		return callOtherFailure, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode >= 500:
		return callHTTP5xx, fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, b)
	case resp.StatusCode != http.StatusOK:
		return callOtherFailure, fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(d, `"id":`) {
				b = []byte(d)
			}
		}
	}
	var r struct {
		Result *struct {
			IsError bool `json:"isError"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	if json.Unmarshal(b, &r) != nil || r.Result == nil {
		return callOtherFailure, fmt.Sprintf("not a tool result: %.200s", b)
	}
	text := ""
	if len(r.Result.Content) > 0 {
		text = r.Result.Content[0].Text
	}
	switch {
	case !r.Result.IsError:
		return callOK, ""
	case strings.Contains(text, "has spent its capacity budget"):
		return callBudgetRefused, text
	case strings.Contains(text, "already runs as many tool calls"):
		return callInflightRefused, text
	}
	return callToolError, text
}

// tally counts outcomes, keeping one example of each failure.
type tally struct {
	mu      sync.Mutex
	n       [callOtherFailure + 1]int
	example map[callOutcome]string
	lat     []time.Duration
	elapsed time.Duration
}

func (t *tally) add(o callOutcome, detail string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n[o]++
	t.lat = append(t.lat, d)
	if o != callOK && detail != "" {
		if t.example == nil {
			t.example = map[callOutcome]string{}
		}
		t.example[o] = detail
	}
}

// merge adds o's calls to t.
func (t *tally) merge(o *tally) {
	for i, c := range o.n {
		t.n[i] += c
	}
	t.lat = append(t.lat, o.lat...)
	t.elapsed += o.elapsed
	for k, v := range o.example {
		if t.example == nil {
			t.example = map[callOutcome]string{}
		}
		t.example[k] = v
	}
}

func (t *tally) sent() (n int) {
	for _, c := range t.n {
		n += c
	}
	return n
}

// p is the q-quantile of the latencies.
func (t *tally) p(q float64) time.Duration {
	l := slices.Clone(t.lat)
	slices.Sort(l)
	if len(l) == 0 {
		return 0
	}
	return l[int(q*float64(len(l)-1))]
}

func (t *tally) String() string {
	return fmt.Sprintf("sent %d in %.1fs: ok %d, budget-refused %d, in-flight-refused %d, other tool errors %d, 5xx %d, other failures %d %v",
		t.sent(), t.elapsed.Seconds(), t.n[callOK], t.n[callBudgetRefused], t.n[callInflightRefused], t.n[callToolError], t.n[callHTTP5xx], t.n[callOtherFailure], t.example)
}

// flood offers rate calls a second for d from a bounded pool of workers
// (a tick finding every worker busy is dropped, never queued).
func (c *statelessClient) flood(rate int, d time.Duration) *tally {
	st := &tally{}
	work := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for w := 0; w < 12; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				t0 := time.Now()
				o, detail := c.call()
				st.add(o, detail, time.Since(t0))
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for time.Since(start) < d {
		<-tick.C
		select {
		case work <- struct{}{}:
		default:
		}
	}
	tick.Stop()
	close(work)
	wg.Wait()
	st.elapsed = time.Since(start)
	return st
}

// steady sends rate calls a second, one at a time, for d.
func (c *statelessClient) steady(rate int, d time.Duration) *tally {
	st := &tally{}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for time.Since(start) < d {
		<-tick.C
		t0 := time.Now()
		o, detail := c.call()
		st.add(o, detail, time.Since(t0))
	}
	st.elapsed = time.Since(start)
	return st
}

// sessionPost sends one session-protocol (2025-11-25) request to url with
// the session ID sid (none when empty) and returns the status and the
// session ID the answer carries.
func sessionPost(url, key, sid, body string) (int, string, error) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Mcp-Session-Id"), nil
}
