package mcpadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// subscribeServer has one resource kind, "notes", of which only id 1 exists.
func subscribeServer(t *testing.T) (*Server, *resources.Server) {
	t.Helper()
	ten := tenant.New(interopTenant, "00000000-0000-4000-8000-00000000c0de", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, err := tenant.NewRegistry(ten)
	if err != nil {
		t.Fatal(err)
	}
	toolReg, err := tools.NewRegistry([]tools.Spec{echoSpec()}, tools.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	rs := resources.NewServer(reg)
	rs.AddTemplate(resources.Template{Kind: "notes", Name: "notes", Description: "notes",
		Read: func(_ context.Context, _ *tenant.Tenant, id string) (any, error) {
			if id != "1" {
				return nil, fmt.Errorf("note %s: %w", id, source.ErrNotFound)
			}
			return map[string]string{"id": id}, nil
		}})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewServer(Config{Name: "secmcp", Version: "t", Invoker: &tools.Invoker{Tools: toolReg, Tenants: reg}, Resources: rs, Log: quiet}), rs
}

// refusedWords is what a refused read of uri answers.
func refusedWords(t *testing.T, rs *resources.Server, uri string) string {
	t.Helper()
	_, _, err := rs.Read(context.Background(), []string{interopTenant}, uri)
	if err == nil {
		t.Fatalf("%s: read succeeded", uri)
	}
	return fmt.Sprintf("handler not found for resource URI '%s (%s)': resource not found", uri, err)
}

// TestSubscribeRefusedLikeRead: resources/subscribe of a URI the caller
// cannot read (another tenant's, one that does not exist) is refused with
// the very words a read of it gets; a readable one is acknowledged.
func TestSubscribeRefusedLikeRead(t *testing.T) {
	s, rs := subscribeServer(t)
	c, err := connectGoClient(t, serveInterop(t, s, keyOnlyAuth), mcp.ProtocolVersion20251125, map[string]string{"Authorization": "Bearer " + interopKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, uri := range []string{"secmcp://fabrikam/notes/1", "secmcp://" + interopTenant + "/notes/2", "secmcp://" + interopTenant + "/nope/1"} {
		want := refusedWords(t, rs, uri)
		read := mcp.ReadResourceRequest{}
		read.Params.URI = uri
		if _, err := c.ReadResource(ctx, read); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s: %v, want %q", uri, err, want)
		}
		sub := mcp.SubscribeRequest{}
		sub.Params.URI = uri
		if err := c.Subscribe(ctx, sub); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("subscribe %s: %v, want %q", uri, err, want)
		}
	}
	sub := mcp.SubscribeRequest{}
	sub.Params.URI = "secmcp://" + interopTenant + "/notes/1"
	if err := c.Subscribe(ctx, sub); err != nil {
		t.Errorf("subscribe to a readable note: %v", err)
	}
}

// TestSubscribeRefusedOverStdio: the same refusal over stdio, for a caller
// allowed only its own tenant, also when the method name is written with
// JSON escapes (which decode to the same name).
func TestSubscribeRefusedOverStdio(t *testing.T) {
	for _, method := range []string{`resources/subscribe`, `resources\/subscribe`, `resources/subscrib\u0065`} {
		t.Run(method, func(t *testing.T) { subscribeRefusedOverStdio(t, method) })
	}
}

func subscribeRefusedOverStdio(t *testing.T, method string) {
	s, rs := subscribeServer(t)
	uri := "secmcp://fabrikam/notes/1"
	want := refusedWords(t, rs, uri)
	sc, stop := serveStdioPipe(s, tools.Caller{Principal: "stdio", Tenants: []string{interopTenant}}, 30*time.Second, func(w io.Writer) {
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`+"\n")
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":2,"method":"`+method+`","params":{"uri":"`+uri+`"}}`+"\n")
	})
	var got string
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"id":2`) {
			got = sc.Text()
			break
		}
	}
	stop()
	var resp struct {
		Error *struct{ Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(got), &resp); err != nil || resp.Error == nil || resp.Error.Message != want {
		t.Fatalf("stdio subscribe %s: %s, want an error saying %q", uri, got, want)
	}
}
