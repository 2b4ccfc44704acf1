package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/secmcp/secmcp/internal/plugins"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/catalog"
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

// listTools prints the catalogue, marking the tools the other flags expose.
func listTools(opts options, stdout io.Writer) error {
	all := catalog.All(catalog.Deps{})
	if dirs := pluginDirs(opts, nil); len(dirs) > 0 {
		res, err := plugins.LoadDirs(&plugins.Env{}, dirs...)
		if err != nil {
			return err
		}
		all = append(all, res.Specs...)
	}
	reg, err := tools.NewRegistry(all, tools.Selection{Toolsets: opts.toolsets, Tools: opts.tools, Exclude: opts.excludeTools, ReadOnly: opts.readOnly})
	if err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, s := range all {
		mark := "-"
		if _, ok := reg.Lookup(s.Name); ok {
			mark = "+"
		}
		if _, err := fmt.Fprintf(stdout, "%s %-36s %-10s cost %-2d %s\n", mark, s.Name, s.Toolset, s.Cost, s.Description); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintln(stdout, "(+ exposed with these flags; investigate appears with --synthesizer)")
	return err
}
