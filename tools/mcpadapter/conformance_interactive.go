//go:build conformance

package mcpadapter

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// The interactive fixtures ask the client for input with mcp-go's multi
// round-trip builder: the handler returns its input requests, and for
// 2025-11-25 clients the SDK sends sampling/createMessage or
// elicitation/create itself and calls the handler again with the answers.
// The same handler therefore serves both protocol versions
// (docs/mcp-interop.md: the direct session calls fail in stateless mode).

const confInputID = "answer"

func addConformanceInteractiveTools(s *server.MCPServer) {
	s.AddTool(mcp.NewTool("test_sampling",
		mcp.WithDescription("Conformance fixture: asks the client to sample an LLM completion for the prompt."),
		mcp.WithString("prompt", mcp.Required(), mcp.Description("The prompt to send to the LLM")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
	), confSamplingTool)
	s.AddTool(mcp.NewTool("test_elicitation",
		mcp.WithDescription("Conformance fixture: asks the client for a username and email."),
		mcp.WithString("message", mcp.Required(), mcp.Description("The message to show the user")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
	), func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		msg := req.GetString("message", "Please provide your information")
		return confElicit(req, msg, confUserSchema, "User response")
	})
	s.AddTool(noArgTool("test_elicitation_sep1034_defaults",
		"Conformance fixture: elicitation whose schema carries a default for every primitive type (SEP-1034)."),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return confElicit(req, "Please review the pre-filled values", confDefaultsSchema, "Elicitation completed")
		})
	s.AddTool(noArgTool("test_elicitation_sep1330_enums",
		"Conformance fixture: elicitation with the five enum schema forms (SEP-1330)."),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return confElicit(req, "Please choose options", confEnumsSchema, "Elicitation completed")
		})
}

func confSamplingTool(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if answer := server.SamplingResponse(req.Params.InputResponses, confInputID); answer != nil {
		return mcp.NewToolResultText("LLM response: " + samplingText(answer.Content)), nil
	}
	prompt, err := req.RequireString("prompt")
	if err != nil {
		return mcp.NewToolResultError("test_sampling: " + err.Error()), nil
	}
	params := mcp.CreateMessageParams{
		Messages:  []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: mcp.NewTextContent(prompt)}},
		MaxTokens: 100,
	}
	return server.NewInputRequestBuilder("").Sample(confInputID, params).ToolResult(), nil
}

// samplingText extracts the text of a sampling answer whatever shape the
// SDK decoded it into.
func samplingText(content any) string {
	switch c := content.(type) {
	case mcp.TextContent:
		return c.Text
	case *mcp.TextContent:
		return c.Text
	}
	raw, err := json.Marshal(content)
	if err != nil {
		return fmt.Sprint(content)
	}
	var t struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &t) == nil && t.Text != "" {
		return t.Text
	}
	return string(raw)
}

func confElicit(req mcp.CallToolRequest, message string, schema map[string]any, label string) (*mcp.CallToolResult, error) {
	if answer := server.ElicitationResponse(req.Params.InputResponses, confInputID); answer != nil {
		content, _ := json.Marshal(answer.Content)
		return mcp.NewToolResultText(fmt.Sprintf("%s: action=%s, content=%s", label, answer.Action, content)), nil
	}
	params := mcp.ElicitationParams{Message: message, RequestedSchema: schema}
	return server.NewInputRequestBuilder("").Elicit(confInputID, params).ToolResult(), nil
}

var confUserSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"username": map[string]any{"type": "string", "description": "User's response"},
		"email":    map[string]any{"type": "string", "description": "User's email address"},
	},
	"required": []string{"username", "email"},
}

var confDefaultsSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"name":     map[string]any{"type": "string", "description": "User name", "default": "John Doe"},
		"age":      map[string]any{"type": "integer", "description": "User age", "default": 30},
		"score":    map[string]any{"type": "number", "description": "User score", "default": 95.5},
		"status":   map[string]any{"type": "string", "description": "User status", "enum": []string{"active", "inactive", "pending"}, "default": "active"},
		"verified": map[string]any{"type": "boolean", "description": "Verification status", "default": true},
	},
	"required": []string{},
}

func titled(key string, pairs ...string) []map[string]any {
	var out []map[string]any
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{key: pairs[i], "title": pairs[i+1]})
	}
	return out
}

var confEnumsSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"untitledSingle": map[string]any{"type": "string", "enum": []string{"option1", "option2", "option3"}},
		"titledSingle": map[string]any{"type": "string",
			"oneOf": titled("const", "value1", "First Option", "value2", "Second Option", "value3", "Third Option")},
		"legacyEnum": map[string]any{"type": "string", "enum": []string{"opt1", "opt2", "opt3"},
			"enumNames": []string{"Option One", "Option Two", "Option Three"}},
		"untitledMulti": map[string]any{"type": "array",
			"items": map[string]any{"type": "string", "enum": []string{"option1", "option2", "option3"}}},
		"titledMulti": map[string]any{"type": "array",
			"items": map[string]any{"anyOf": titled("const", "value1", "First Choice", "value2", "Second Choice", "value3", "Third Choice")}},
	},
	"required": []string{},
}
