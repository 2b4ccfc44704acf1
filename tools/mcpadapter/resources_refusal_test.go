package mcpadapter

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestResourceRefusalsAreNotInternalErrors: another tenant's URI, an unknown
// kind and a malformed URI are refused as "resource not found" with the
// refusal's own words, never as -32603 internal error.
func TestResourceRefusalsAreNotInternalErrors(t *testing.T) {
	url := serveInterop(t, newInteropServer(t), keyOnlyAuth)
	c, err := client.NewStreamableHttpClient(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + interopKey}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	for uri, want := range map[string]string{
		"secmcp://fabrikam/incidents/1":         "not available to this caller",
		"secmcp://" + interopTenant + "/nope/1": `resource kind "nope" is unknown`,
	} {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		_, err := c.ReadResource(ctx, req)
		switch {
		case err == nil:
			t.Errorf("%s: read succeeded", uri)
		case errors.Is(err, mcp.ErrInternalError):
			t.Errorf("%s: internal error: %v", uri, err)
		case !errors.Is(err, mcp.ErrResourceNotFound) && !errors.Is(err, mcp.ErrInvalidParams):
			t.Errorf("%s: want resource not found, got %v", uri, err)
		case !strings.Contains(err.Error(), want):
			t.Errorf("%s: %v does not say %q", uri, err, want)
		}
	}
}
