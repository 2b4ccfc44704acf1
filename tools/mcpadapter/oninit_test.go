package mcpadapter

import (
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// TestOnInitialized: Config.OnInitialized runs once per initialize request
// and not for other requests.
func TestOnInitialized(t *testing.T) {
	ten := tenant.New("contoso", "00000000-0000-4000-8000-00000000c0de", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, _ := tenant.NewRegistry(ten)
	tr, err := tools.NewRegistry([]tools.Spec{echoSpec()}, tools.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	s := NewServer(Config{Name: "secmcp", Version: "t", Invoker: &tools.Invoker{Tools: tr, Tenants: reg}, OnInitialized: func() { n.Add(1) }})
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
	}, "\n") + "\n"
	sc, stop := serveStdioPipe(s, tools.Caller{Principal: "stdio", Tenants: []string{"*"}}, 10*time.Second,
		func(w io.Writer) { _, _ = io.WriteString(w, in) })
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	listed := false
	for !listed && sc.Scan() {
		listed = strings.Contains(sc.Text(), `"id":2`)
	}
	stop()
	if !listed {
		t.Fatal("tools/list was not answered")
	}
	if got := n.Load(); got != 1 {
		t.Errorf("OnInitialized ran %d times for one initialize, want 1", got)
	}
}
