//go:build conformance

package mcpadapter

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// Tests of the conformance fixtures themselves (go test -tags conformance).

// TestFixtureNotificationsPrecedeResponse: the logging and progress fixtures
// deliver all three notifications before their response, call after call.
func TestFixtureNotificationsPrecedeResponse(t *testing.T) {
	url := serveInterop(t, newInteropServer(t), interopAuth)
	s := newRawSession(t, url)
	for _, tc := range []struct {
		tool string
		log  bool
	}{{"test_tool_with_logging", true}, {"test_tool_with_progress", false}} {
		sum, _ := burst(t, s, tc.tool, "{}", 8, tc.log, nil)
		t.Logf("%s, 8 calls x 3: %+v", tc.tool, sum)
		if sum.getAfter != 0 || sum.lost != 0 || sum.onPost+sum.getBefore != 24 {
			t.Errorf("%s: notifications late or lost: %+v", tc.tool, sum)
		}
	}
}

type fakeLLM struct{}

func (fakeLLM) CreateMessage(context.Context, mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
	return &mcp.CreateMessageResult{
		SamplingMessage: mcp.SamplingMessage{Role: mcp.RoleAssistant, Content: mcp.NewTextContent("forty-two")},
		Model:           "fake", StopReason: "endTurn",
	}, nil
}

type fakeUser struct{ asked *mcp.ElicitationParams }

func (u fakeUser) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	*u.asked = req.Params
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
		Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"username": "ann", "email": "ann@example.com"},
	}}, nil
}

// TestFixtureSamplingAndElicitationBothVersions: the multi round-trip
// fixtures work for mcp-go's client in 2026-07-28 (input_required results)
// and 2025-11-25 (server-initiated requests on the GET stream).
func TestFixtureSamplingAndElicitationBothVersions(t *testing.T) {
	url := serveInterop(t, newInteropServer(t), interopAuth)
	for _, v := range []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125} {
		t.Run(v, func(t *testing.T) {
			var opts []transport.StreamableHTTPCOption
			if v == mcp.ProtocolVersion20251125 {
				opts = append(opts, transport.WithContinuousListening())
			}
			tr, err := transport.NewStreamableHTTP(url, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var asked mcp.ElicitationParams
			c := client.NewClient(tr, client.WithProtocolVersion(v),
				client.WithSamplingHandler(fakeLLM{}), client.WithElicitationHandler(fakeUser{&asked}))
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.Start(ctx); err != nil {
				t.Fatal(err)
			}
			init := mcp.InitializeRequest{}
			init.Params.ClientInfo = mcp.Implementation{Name: "fixture-test", Version: "1"}
			if _, err := c.Initialize(ctx, init); err != nil {
				t.Fatal(err)
			}
			if got := callText(ctx, t, c, "test_sampling", map[string]any{"prompt": "six times seven?"}); got != "LLM response: forty-two" {
				t.Errorf("test_sampling: %q", got)
			}
			got := callText(ctx, t, c, "test_elicitation", map[string]any{"message": "Who are you?"})
			if !strings.Contains(got, "action=accept") || !strings.Contains(got, "ann@example.com") || asked.Message != "Who are you?" {
				t.Errorf("test_elicitation: %q (asked %q)", got, asked.Message)
			}
		})
	}
}

func callText(ctx context.Context, t *testing.T, c *client.Client, name string, args map[string]any) string {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError || len(res.Content) == 0 {
		t.Fatalf("%s: %+v", name, res)
	}
	tc, _ := res.Content[0].(mcp.TextContent)
	return tc.Text
}
