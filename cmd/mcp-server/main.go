// Command mcp-server is the secmcp MCP server: SOC workflows over Defender
// XDR, Sentinel, Entra ID, Purview and Intune for any MCP client, over stdio
// (default) or streamable HTTP (--http). Without --config it serves two demo
// tenants through an in-process emulator of the Microsoft APIs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/secmcp/secmcp/internal/gctune"
	"github.com/secmcp/secmcp/internal/startgc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The start-up GC setting ends at the first initialize, or after
	// startgc.Window at the latest (internal/startgc); then the collector
	// keeps a headroom over the live heap (internal/gctune).
	startgc.Steady(gctune.Start)
	time.AfterFunc(startgc.Window, startgc.Done)
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "mcp-server:", err)
		os.Exit(1)
	}
}

// run is the whole program; tests drive it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "demo-token" {
		return runDemoToken(ctx, args[1:], stdout, stderr)
	}
	opts, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	if opts.version {
		fmt.Fprintf(stdout, "mcp-server %s\n", version)
		return nil
	}
	if opts.help {
		return nil
	}
	if opts.clientConfig != "" {
		return printClientConfig(opts.clientConfig, stdout)
	}
	if opts.pluginsValidate != "" {
		return validatePlugins(opts, stdout)
	}
	if opts.listTools {
		return listTools(opts, stdout)
	}
	if opts.doctor {
		return runDoctor(ctx, opts, stdout, stderr)
	}
	stopProfile, err := startCPUProfile(opts.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	logger, closeLog, err := newLogger(opts, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	app, err := build(ctx, opts, logger)
	if err != nil {
		return err
	}
	defer app.Close()
	if opts.httpAddr != "" {
		return serveHTTP(ctx, app, opts, logger)
	}
	return app.serveStdio(ctx, stdin, stdout)
}
