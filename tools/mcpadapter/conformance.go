//go:build conformance

// This file and conformance_*.go are compiled only with -tags conformance.
// They add the fixture tools, resources and prompts that the MCP conformance
// suite (@modelcontextprotocol/conformance) calls by fixed names, so that the
// suite can check the server's transport and protocol handling end to end.
// Nothing here touches tenant data: fixtures answer with constant content.
// A normal build has none of these names.

package mcpadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func init() {
	buildExtras = append(buildExtras, registerConformanceFixtures)
}

// registerConformanceFixtures adds every fixture and switches on the
// capabilities the suite exercises. mcp-go's ServerOption is a plain
// func(*MCPServer), so capabilities can be set here, after construction and
// before the server is served.
func registerConformanceFixtures(s *server.MCPServer, _ Config) {
	server.WithResourceCapabilities(true, false)(s)
	server.WithCompletions()(s)
	server.WithPromptCompletionProvider(conformanceCompletions{})(s)
	addConformanceTools(s)
	addConformanceInteractiveTools(s)
	addConformanceResources(s)
	addConformancePrompts(s)
}

// Fixed texts the suite's scenario descriptions ask for.
const (
	confSimpleText   = "This is a simple text response for testing."
	confErrorText    = "This tool intentionally returns an error for testing"
	confEmbeddedText = "This is an embedded resource content."
	confStepPause    = 50 * time.Millisecond
)

func noArgTool(name, description string) mcp.Tool {
	return mcp.NewTool(name,
		mcp.WithDescription(description),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
	)
}

func addConformanceTools(s *server.MCPServer) {
	s.AddTool(noArgTool("test_simple_text", "Conformance fixture: returns one text item."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(confSimpleText), nil
		})
	s.AddTool(noArgTool("test_image_content", "Conformance fixture: returns a 1x1 PNG image."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewImageContent(confPNG, "image/png")}}, nil
		})
	s.AddTool(noArgTool("test_audio_content", "Conformance fixture: returns a short WAV clip."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewAudioContent(confWAV, "audio/wav")}}, nil
		})
	s.AddTool(noArgTool("test_embedded_resource", "Conformance fixture: returns an embedded text resource."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res := mcp.TextResourceContents{URI: "test://embedded-resource", MIMEType: "text/plain", Text: confEmbeddedText}
			return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewEmbeddedResource(res)}}, nil
		})
	s.AddTool(noArgTool("test_multiple_content_types", "Conformance fixture: returns text, image and resource items."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res := mcp.TextResourceContents{URI: "test://mixed-content-resource", MIMEType: "application/json", Text: `{"test":"data","value":123}`}
			return &mcp.CallToolResult{Content: []mcp.Content{
				mcp.NewTextContent("Multiple content types test:"),
				mcp.NewImageContent(confPNG, "image/png"),
				mcp.NewEmbeddedResource(res),
			}}, nil
		})
	s.AddTool(noArgTool("test_error_handling", "Conformance fixture: always fails with a tool error."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultError(confErrorText), nil
		})
	s.AddTool(noArgTool("test_tool_with_logging", "Conformance fixture: sends three info log notifications."),
		confLoggingTool)
	s.AddTool(noArgTool("test_tool_with_progress", "Conformance fixture: reports progress 0, 50 and 100 of 100."),
		confProgressTool)
	s.AddTool(mcp.NewToolWithRawSchema(confJSONSchemaTool, "Conformance fixture: input schema with JSON Schema 2020-12 keywords.", confJSONSchema),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			raw, _ := json.Marshal(req.GetRawArguments())
			return mcp.NewToolResultText("received " + string(raw)), nil
		})
}

const confJSONSchemaTool = "json_schema_2020_12_tool"

var confJSONSchema = json.RawMessage(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
  "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
  "additionalProperties": false
}`)

func confLoggingTool(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return nil, fmt.Errorf("test_tool_with_logging: no server in context")
	}
	steps := []string{"Tool execution started", "Tool processing data", "Tool execution completed"}
	for i, msg := range steps {
		if i > 0 {
			if err := sleepCtx(ctx, confStepPause); err != nil {
				return nil, err
			}
		}
		n := mcp.NewLoggingMessageNotification(mcp.LoggingLevelInfo, "conformance", msg)
		if err := srv.SendLogMessageToClient(ctx, n); err != nil {
			return nil, fmt.Errorf("test_tool_with_logging: send log: %w", err)
		}
	}
	awaitNotificationsFlushed(ctx)
	return mcp.NewToolResultText("Logged 3 messages at info level."), nil
}

func confProgressTool(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	report := progressFunc(ctx, req)
	for i, done := range []float64{0, 50, 100} {
		if i > 0 {
			if err := sleepCtx(ctx, confStepPause); err != nil {
				return nil, err
			}
		}
		if report != nil {
			report(done, 100, "")
		}
	}
	if report != nil {
		awaitNotificationsFlushed(ctx)
	}
	return mcp.NewToolResultText("Progress reported: 0, 50, 100 of 100."), nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
