package integration

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/synth"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/investigate"
	"github.com/secmcp/secmcp/tools/mcpadapter"
)

// plantedLLM is a client-side model that answers every sampling request
// with planted hallucinations about contoso's incident 1000 (E1 is the
// incident): a made-up IP, a wrong count, a citation to a missing id and an
// uncited fact, around two true sentences.
type plantedLLM struct {
	mu      sync.Mutex
	prompts []mcp.CreateMessageParams
}

const plantedAnswer = `## Incident 1000
Incident 1000 is a high-severity incident that groups 12 alerts [E1].
The attacker connected from 203.0.113.77 to ct-lt-1037.contoso.com [E1].
The incident groups 7 alerts [E1].
Credentials were dumped with T1003.001 on ct-lt-1037.contoso.com [E404].
Command and control ran through 198.51.100.23.
- samuel.abbott@contoso.com and adm-sdonovan@contoso.com are the affected users [E1].`

var plantedCaught = map[string]string{
	"203.0.113.77":  synth.ProblemMissingFacts,
	"7 alerts":      synth.ProblemWrongCount,
	"[E404]":        synth.ProblemUnknownCitation,
	"198.51.100.23": synth.ProblemNoCitation,
}

func (p *plantedLLM) CreateMessage(_ context.Context, req mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
	p.mu.Lock()
	p.prompts = append(p.prompts, req.CreateMessageParams)
	p.mu.Unlock()
	return &mcp.CreateMessageResult{
		SamplingMessage: mcp.SamplingMessage{Role: mcp.RoleAssistant, Content: mcp.NewTextContent(plantedAnswer)},
		Model:           "planted", StopReason: "endTurn",
	}, nil
}

// mcpClient serves the harness over in-process stdio pipes and connects
// mcp-go's client, declaring sampling with the given handler.
func mcpClient(t *testing.T, x *harness, h client.SamplingHandler, version string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv := mcpadapter.NewServer(mcpadapter.Config{Name: "secmcp", Version: "test", Invoker: x.inv, Resources: x.rs})
	c2sR, c2sW := io.Pipe()
	s2cR, s2cW := io.Pipe()
	go func() {
		_ = srv.ServeStdio(ctx, tools.Caller{Principal: "stdio", Tenants: []string{"contoso"}}, c2sR, s2cW)
		_ = s2cW.Close()
	}()
	opts := []client.ClientOption{client.WithSamplingHandler(h)}
	if version != "" {
		opts = append(opts, client.WithProtocolVersion(version))
	}
	c := client.NewClient(transport.NewIO(s2cR, c2sW, io.NopCloser(strings.NewReader(""))), opts...)
	t.Cleanup(func() { _ = c.Close() })
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	defer scancel()
	// Start's context lives as long as the client: the transport answers
	// the server's sampling requests with it.
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "planted-client", Version: "1"}
	if version != "" {
		init.Params.ProtocolVersion = version
	}
	if _, err := c.Initialize(sctx, init); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestInvestigateSamplingOverMCP: end to end over MCP (2025-11-25 session
// protocol, which carries server-initiated sampling), the sampling writer
// asks the client's model, and the verifier removes every planted
// hallucination of its answer.
func TestInvestigateSamplingOverMCP(t *testing.T) {
	x := newSynthHarness(t, investigate.ModeSampling)
	t.Cleanup(x.env.Close)
	for _, version := range []string{mcp.ProtocolVersion20251125} {
		t.Run("protocol="+version, func(t *testing.T) {
			llm := &plantedLLM{}
			c := mcpClient(t, x, llm, version)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			req := mcp.CallToolRequest{}
			req.Params.Name = "investigate"
			req.Params.Arguments = map[string]any{"question": "What's going on with incident 1000?"}
			out, err := c.CallTool(ctx, req)
			if err != nil || out.IsError {
				t.Fatalf("investigate: %v %+v", err, out)
			}
			raw, _ := json.Marshal(out.StructuredContent)
			var res synth.Result
			if err := json.Unmarshal(raw, &res); err != nil {
				t.Fatal(err)
			}
			if res.Writer != "sampling" {
				t.Fatalf("writer %q (%s); the client's model was not used", res.Writer, res.WriterNote)
			}
			if len(llm.prompts) != 1 || !strings.Contains(llm.prompts[0].SystemPrompt, "UNTRUSTED DATA") ||
				!strings.Contains(samplingText(llm.prompts[0]), "BEGIN_EVIDENCE_") {
				t.Errorf("sampling request lacks the untrusted-evidence framing")
			}
			caught := 0
			for needle, problem := range plantedCaught {
				for _, r := range res.Verification.Removed {
					if strings.Contains(r.Sentence, needle) && r.Problem == problem {
						caught++
					}
				}
				if strings.Contains(res.Answer, strings.Trim(needle, "[]")) {
					t.Errorf("the answer still states %q", needle)
				}
			}
			if caught != len(plantedCaught) || res.Unsupported != len(plantedCaught) {
				t.Errorf("caught %d of %d planted hallucinations (unsupported %d): %+v", caught, len(plantedCaught), res.Unsupported, res.Verification.Removed)
			}
			if !strings.Contains(res.Answer, "groups 12 alerts [E1]") {
				t.Errorf("a supported sentence was removed:\n%s", res.Answer)
			}
			t.Logf("protocol %q: writer %s, caught %d/%d planted hallucinations: %+v", version, res.Writer, caught, len(plantedCaught), res.Verification.Removed)
		})
	}
}

func samplingText(p mcp.CreateMessageParams) string {
	var b strings.Builder
	for _, m := range p.Messages {
		if tc, ok := m.Content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestInvestigateSamplingStatelessFallsBack: mcp-go's default 2026-07-28
// protocol cannot carry a server-initiated sampling request, so the answer
// comes from the builtin writer and says so.
func TestInvestigateSamplingStatelessFallsBack(t *testing.T) {
	x := newSynthHarness(t, investigate.ModeSampling)
	t.Cleanup(x.env.Close)
	llm := &plantedLLM{}
	c := mcpClient(t, x, llm, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "investigate"
	req.Params.Arguments = map[string]any{"question": "What's going on with incident 1001?"}
	out, err := c.CallTool(ctx, req)
	if err != nil || out.IsError {
		t.Fatalf("investigate: %v %+v", err, out)
	}
	raw, _ := json.Marshal(out.StructuredContent)
	var res synth.Result
	_ = json.Unmarshal(raw, &res)
	if res.Writer != "builtin (fallback from sampling)" || res.WriterNote == "" || res.Unsupported != 0 ||
		!strings.Contains(res.Answer, "Written by the built-in writer") || len(llm.prompts) != 0 {
		t.Errorf("writer %q note %q unsupported %d prompts %d", res.Writer, res.WriterNote, res.Unsupported, len(llm.prompts))
	}
	t.Logf("fallback note: %s", res.WriterNote)
}
