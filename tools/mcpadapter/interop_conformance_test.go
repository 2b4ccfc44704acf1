package mcpadapter

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"testing"
	"time"
)

// The MCP conformance suite runs in CI against the built binaries (normal
// and -tags conformance) in e2e/conformance_test.go. This harness serves
// the adapter alone for running the suite by hand:
//
//	SECMCP_CONFORMANCE_SERVE=127.0.0.1:8765 go test -tags conformance -run TestConformanceHarness -timeout 0 ./tools/mcpadapter/
func TestConformanceHarness(t *testing.T) {
	addr := os.Getenv("SECMCP_CONFORMANCE_SERVE")
	if addr == "" {
		t.Skip("set SECMCP_CONFORMANCE_SERVE=host:port to serve the adapter for manual conformance runs")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newInteropServer(t).HTTPHandler(HTTPOptions{Authenticate: interopAuth}), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	t.Logf("serving http://%s/mcp (fixtures=%v); interrupt to stop", ln.Addr(), len(buildExtras) > 0)
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		t.Fatal(err)
	}
}
