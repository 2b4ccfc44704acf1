package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// printClientConfig writes a client configuration snippet that names this
// binary by its absolute path, so it works as pasted.
func printClientConfig(kind string, stdout io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--print-client-config: find this binary: %w", err)
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	var v any
	switch kind {
	case "claude":
		v = map[string]any{"mcpServers": map[string]any{"secmcp": map[string]any{"command": exe, "args": []string{}}}}
	case "vscode":
		v = map[string]any{"servers": map[string]any{"secmcp": map[string]any{"type": "stdio", "command": exe, "args": []string{}}}}
	case "vscode-http":
		v = map[string]any{"servers": map[string]any{"secmcp": map[string]any{
			"type": "http", "url": "http://127.0.0.1:8080/mcp",
			"headers": map[string]string{"Authorization": "Bearer demo-contoso"},
		}}}
	default:
		return fmt.Errorf("--print-client-config %q must be claude, vscode or vscode-http", kind)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}
