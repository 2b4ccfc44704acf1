// Command floor is the performance floor secmcp is measured against: a bare
// mcp-go server (the same mcp-go version secmcp uses) with two trivial tools,
// echo and add, and nothing else. script/bench-floor starts it and secmcp
// side by side and prints secmcp's figures as ratios to this one's, so a
// start-up or per-call regression shows on any machine (issue 16).
//
// It lives under tools/mcpadapter because the project's rule is that only
// tools/mcpadapter imports mcp-go.
//
// Usage: floor            (stdio)
//
//	floor --http ADDR  (streamable HTTP on ADDR, path /mcp)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	addr := flag.String("http", "", "serve streamable HTTP on this address (path /mcp) instead of stdio")
	flag.Parse()
	s := newServer()
	var err error
	if *addr != "" {
		err = server.NewStreamableHTTPServer(s).Start(*addr)
	} else {
		err = server.ServeStdio(s)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// newServer builds the bare server with its two tools.
func newServer() *server.MCPServer {
	s := server.NewMCPServer("floor", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("echo", mcp.WithDescription("Returns its text argument."),
		mcp.WithString("text", mcp.Required())),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			text, err := req.RequireString("text")
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			return mcp.NewToolResultText(text), nil
		})
	s.AddTool(mcp.NewTool("add", mcp.WithDescription("Returns a+b."),
		mcp.WithNumber("a", mcp.Required()), mcp.WithNumber("b", mcp.Required())),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			a, errA := req.RequireFloat("a")
			b, errB := req.RequireFloat("b")
			if errA != nil || errB != nil {
				return mcp.NewToolResultError("add: a and b must be numbers"), nil
			}
			return mcp.NewToolResultText(fmt.Sprint(a + b)), nil
		})
	return s
}
