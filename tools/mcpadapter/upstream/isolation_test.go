package upstream

import (
	"bufio"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// TestPluginCrash: a crashed server's tools answer "unavailable … retrying
// in Ns" and work again after the restart.
func TestPluginCrash(t *testing.T) {
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, stdioServer(t, "p1"))
	r.waitTool("p1__echo")
	if _, err := r.call(alpha, "p1__crash", `{}`); err == nil || !strings.Contains(err.Error(), "plugin server p1 is unavailable") {
		t.Fatalf("crash call: %v", err)
	}
	_, err := r.call(alpha, "p1__echo", `{"msg":"x"}`)
	if err == nil || !strings.Contains(err.Error(), "plugin server p1 is unavailable: ") {
		t.Errorf("call while down: %v", err)
	}
	eventually(t, "echo answers after the restart", func() bool {
		got, err := r.call(alpha, "p1__echo", `{"msg":"back"}`)
		return err == nil && got == "echo: back"
	})
	if st := r.mgr.Status()[0]; st.Restarts != 1 {
		t.Errorf("restarts = %d, want 1", st.Restarts)
	}
	if r.audit.lines("p1__echo", "unavailable") == 0 && r.audit.lines("p1__crash", "unavailable") == 0 {
		t.Error("no audit line with outcome unavailable")
	}
}

// TestPluginHang: a slow call times out at callTimeout while other calls
// to the same server answer; a frozen server is detected by a ping and
// restarted.
func TestPluginHang(t *testing.T) {
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, stdioServer(t, "p1"))
	r.waitTool("p1__echo")
	var wg sync.WaitGroup
	wg.Add(1)
	var slowErr error
	var slowTook time.Duration
	go func() {
		defer wg.Done()
		start := time.Now()
		_, slowErr = r.call(alpha, "p1__sleep", `{"ms":30000}`)
		slowTook = time.Since(start)
	}()
	time.Sleep(100 * time.Millisecond)
	for i := 0; i < 5; i++ {
		if got, err := r.call(alpha, "p1__echo", `{"msg":"still"}`); err != nil || got != "echo: still" {
			t.Errorf("echo during a slow call: %q %v", got, err)
		}
	}
	wg.Wait()
	if st := r.mgr.Status()[0]; st.Restarts != 0 {
		t.Errorf("one slow call restarted the server: %+v", st)
	}
	if slowErr == nil || !strings.Contains(slowErr.Error(), "did not answer sleep within 1s (callTimeout)") || slowTook > 3*time.Second {
		t.Errorf("slow call: %v after %s", slowErr, slowTook)
	}
	// Calls that all hang while tools/list still answers (the server's
	// workers are stuck): restarted after hangAfter timeouts in a row.
	var hung sync.WaitGroup
	for i := 0; i < int(hangAfter); i++ {
		hung.Add(1)
		go func() {
			defer hung.Done()
			_, _ = r.call(alpha, "p1__sleep", `{"ms":600000}`)
		}()
	}
	hung.Wait()
	eventually(t, "restarted after calls that all hang", func() bool {
		st := r.mgr.Status()[0]
		return st.Restarts == 1
	})
	eventually(t, "echo after the restart", func() bool {
		got, err := r.call(alpha, "p1__echo", `{"msg":"x"}`)
		return err == nil && got == "echo: x"
	})
	// Freeze the whole process: the call times out, the ping after it
	// fails, the server is restarted.
	if got, err := r.call(alpha, "p1__freeze", `{}`); err == nil {
		t.Fatalf("freeze answered %q", got)
	}
	eventually(t, "the frozen server is restarted and answers", func() bool {
		got, err := r.call(alpha, "p1__echo", `{"msg":"thawed"}`)
		return err == nil && got == "echo: thawed"
	})
	if st := r.mgr.Status()[0]; st.Restarts < 2 {
		t.Errorf("restarts = %d", st.Restarts)
	}
}

// TestPluginFlood: a result above maxResultBytes is cut and says so; a
// message above 16 × maxResultBytes drops the connection (restart); a
// notification flood is paced and the call still answers.
func TestPluginFlood(t *testing.T) {
	srv := stdioServer(t, "p1")
	srv.MaxResultBytes = 4 << 10
	srv.CallTimeout = 20 * time.Second
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, srv)
	r.waitTool("p1__big")
	got, err := r.call(alpha, "p1__big", `{"bytes":10000}`)
	if err != nil || len(got) > 4<<10+200 || !strings.Contains(got, "text cut at 4096 of 10000 bytes") {
		t.Errorf("big result: %d bytes, %v; tail %q", len(got), err, got[max(0, len(got)-120):])
	}
	_, err = r.call(alpha, "p1__big", `{"bytes":1000000}`)
	if err == nil || !strings.Contains(err.Error(), "larger than 65536 bytes") {
		t.Errorf("huge message: %v", err)
	}
	eventually(t, "restarted after the huge message", func() bool {
		_, err := r.call(alpha, "p1__echo", `{"msg":"x"}`)
		return err == nil
	})
	start := time.Now()
	got, err = r.call(alpha, "p1__flood", `{"n":5000}`)
	if err != nil || got != "flooded 5000" {
		t.Errorf("flood: %q %v", got, err)
	}
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Errorf("5,000 notifications took %s; the 2,000/s pace should hold them back", d)
	}
	// mcp-go's server may write the answer before its queued
	// notifications: wait for them.
	eventually(t, "5,000 notifications counted", func() bool { return r.mgr.Status()[0].Notifications >= 5000 })
}

// TestPluginListChanged: notifications/tools/list_changed from the server
// refreshes the registry, and listeners hear of it.
func TestPluginListChanged(t *testing.T) {
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, stdioServer(t, "p1"))
	r.waitTool("p1__echo")
	heard := make(chan []tools.Spec, 4)
	r.reg.OnLateChange(func(ts string, _ []string, exposed []tools.Spec) { heard <- exposed })
	if _, err := r.call(alpha, "p1__add_tool", `{}`); err != nil {
		t.Fatal(err)
	}
	r.waitTool("p1__extra")
	select {
	case ss := <-heard:
		found := false
		for _, s := range ss {
			found = found || s.Name == "p1__extra"
		}
		if !found {
			t.Error("listener did not get p1__extra")
		}
	case <-time.After(5 * time.Second):
		t.Error("no late-change callback")
	}
}

// startHTTPPlugin starts plugsrv over HTTP on addr and returns its URL
// and a function that kills it.
func startHTTPPlugin(t *testing.T, addr string) (string, func()) {
	t.Helper()
	cmd := exec.Command(plugServer(t), "-http", addr)
	cmd.Env = append(cmd.Environ(), "PLUG_AUTH=Bearer s3cret")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }) }
	t.Cleanup(kill)
	url, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(url), kill
}

// TestPluginHTTP: a streamable HTTP server with a header from the
// environment; when it goes away its tools say so, and it is reconnected
// when it is back.
func TestPluginHTTP(t *testing.T) {
	url, kill := startHTTPPlugin(t, "127.0.0.1:0")
	t.Setenv("PLUG_HTTP_AUTH", "Bearer s3cret")
	srv := config.MCPServer{Name: "web", URL: url, Tenants: []string{"*"},
		Headers: map[string]string{"Authorization": "PLUG_HTTP_AUTH"}}
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, srv)
	r.waitTool("web__echo")
	beta := tools.Caller{Principal: "b", Tenants: []string{"beta"}}
	if got, err := r.call(beta, "web__echo", `{"msg":"over http"}`); err != nil || got != "echo: over http" {
		t.Errorf("http echo: %q %v", got, err)
	}
	kill()
	if _, err := r.call(beta, "web__echo", `{"msg":"x"}`); err == nil {
		t.Fatal("a call to a stopped HTTP plugin answered")
	}
	eventually(t, "the stopped HTTP plugin reported unavailable", func() bool {
		_, err := r.call(beta, "web__echo", `{"msg":"x"}`)
		return err != nil && strings.Contains(err.Error(), "plugin server web is unavailable: ")
	})
	startHTTPPlugin(t, strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/mcp"))
	eventually(t, "reconnected to the HTTP plugin", func() bool {
		got, err := r.call(beta, "web__echo", `{"msg":"again"}`)
		return err == nil && got == "echo: again"
	})
}
