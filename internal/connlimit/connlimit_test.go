package connlimit

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestCapHoldsAndFrees: with cap+N raw idle connections dialed, at most cap
// are ever accepted; a real request waits in the backlog and is served once
// some idle ones close; closing the listener twice is harmless, and nothing
// (goroutine or slot) is left behind.
func TestCapHoldsAndFrees(t *testing.T) {
	const limit, extra = 4, 6
	before := runtime.NumGoroutine()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := New(inner, limit)
	var peakMu sync.Mutex
	peak := 0
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ok")
		}),
		ReadHeaderTimeout: time.Minute, // the test frees slots itself
		ConnState: func(net.Conn, http.ConnState) {
			peakMu.Lock()
			peak = max(peak, ln.Open())
			peakMu.Unlock()
		},
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	addr := inner.Addr().String()
	var idle []net.Conn
	for range limit + extra { // completed by the kernel's backlog, accepted or not
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	waitFor(t, "the cap to fill", func() bool { return ln.Open() == limit })

	got := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a request was served past the cap (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	if n := ln.Open(); n != limit {
		t.Fatalf("open connections %d, want the cap %d", n, limit)
	}
	for _, c := range idle { // the queued idle ones are accepted, then closed too
		c.Close()
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("request after idle connections closed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("request not served after idle connections closed")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("serve: %v", err)
	}
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("accept after close: %v, want net.ErrClosed", err)
	}
	http.DefaultClient.CloseIdleConnections()
	peakMu.Lock()
	if peak > limit {
		t.Errorf("peak open connections %d over the cap %d", peak, limit)
	}
	peakMu.Unlock()
	waitFor(t, "every slot to be freed", func() bool { return ln.Open() == 0 })
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

// TestCloseWakesWaitingAccept: an Accept waiting for a slot returns
// net.ErrClosed when the listener closes; a connection's slot is freed once
// however often it is closed.
func TestCloseWakesWaitingAccept(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := New(inner, 1)
	dialed, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer dialed.Close()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		waiting <- err
	}()
	time.Sleep(50 * time.Millisecond)
	_ = ln.Close()
	select {
	case err := <-waiting:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("waiting accept: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake a waiting Accept")
	}
	_ = c.Close()
	_ = c.Close()
	if n := ln.Open(); n != 0 {
		t.Fatalf("open %d after closing the only connection twice, want 0", n)
	}
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
