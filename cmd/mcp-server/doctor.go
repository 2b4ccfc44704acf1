package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/doctor"
	"github.com/secmcp/secmcp/internal/sources"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/catalog"
	"github.com/secmcp/secmcp/tools/investigate"
)

// errChecksFailed makes the doctor exit 1 after printing its table.
var errChecksFailed = errors.New("doctor: some checks failed; the table above says what to fix")

// runDoctor checks every tenant of the configuration (or the demo tenants)
// for the tools the other flags enable, prints one table and fails when an
// enabled tool cannot work.
func runDoctor(ctx context.Context, opts options, stdout, stderr io.Writer) error {
	names, err := enabledTools(opts)
	if err != nil {
		return err
	}
	logger, closeLog, err := newLogger(opts, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	var probes []*sources.Probe
	where := "demo tenants (built-in emulator)"
	if opts.configPath == "" {
		clock, err := demoClock(opts.demoClock)
		if err != nil {
			return err
		}
		env, err := sources.NewDemo(clock, logger)
		if err != nil {
			return err
		}
		defer env.Close()
		if probes, err = env.Probes(); err != nil {
			return err
		}
	} else {
		cfg, err := config.Load(opts.configPath)
		if err != nil {
			return err
		}
		if probes, err = sources.ConfigProbes(cfg); err != nil {
			return err
		}
		where = opts.configPath
	}
	targets := make([]doctor.Target, len(probes))
	for i, p := range probes {
		targets[i] = p
		defer p.Close()
	}
	fmt.Fprintf(stdout, "secmcp doctor: %s from %s, %s\n\n", text.Count(int64(len(targets)), "tenant"), where, text.Count(int64(len(names)), "enabled tool"))
	rep := doctor.Run(ctx, targets, doctor.Options{Tools: names})
	if err := rep.Print(stdout); err != nil {
		return err
	}
	if rep.Failed() {
		return errChecksFailed
	}
	return nil
}

// enabledTools lists the tools the server would expose with these flags.
func enabledTools(opts options) ([]string, error) {
	all := catalog.All(catalog.Deps{Synth: investigate.Deps{Mode: opts.synthesizer}})
	reg, err := tools.NewRegistry(all, tools.Selection{Toolsets: opts.toolsets, Tools: opts.tools, Exclude: opts.excludeTools, ReadOnly: opts.readOnly})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range reg.Specs() {
		if !doctor.KnownTool(s.Name) {
			return nil, fmt.Errorf("doctor: tool %s is not in the doctor's endpoint map (internal/doctor/checks.go)", s.Name)
		}
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names, nil
}
