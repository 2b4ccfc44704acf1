package main

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/docstore"
	"github.com/secmcp/secmcp/internal/plugins"
	"github.com/secmcp/secmcp/internal/sources"
	"github.com/secmcp/secmcp/internal/synth"
)

// validatePlugins is `mcp-server plugins validate DIR`: it loads every
// manifest in DIR as the server would and prints, per manifest, the skills
// loaded, skipped and refused with reasons. It fails (exit 1) when a skill
// or a manifest is refused, or DIR holds no manifest, for plugin authors'
// CI pipelines.
//
// With --config, API plugins use the configuration's pluginApis (their
// OpenAPI documents and auth) and pluginOpenAPIFetch; without it, an API
// plugin whose document is only a URL is listed as skipped.
func validatePlugins(opts options, stdout io.Writer) error {
	dir := opts.pluginsValidate
	env := &plugins.Env{}
	if opts.configPath != "" {
		cfg, err := config.Load(opts.configPath)
		if err != nil {
			return err
		}
		apiEnv(env, opts, cfg)
	}
	res, err := plugins.LoadDirs(env, dir)
	if err != nil {
		return err
	}
	res.Write(stdout)
	if len(res.Manifests) == 0 {
		return fmt.Errorf("plugins validate: %s holds no manifest (*.yaml, *.yml, *.json)", dir)
	}
	if n := res.Refused(); n > 0 {
		return fmt.Errorf("plugins validate: %d refused (see above)", n)
	}
	return nil
}

// pluginDirs are the folders of --plugins and of the configuration's
// plugins: (relative to the configuration file).
func pluginDirs(opts options, cfg *config.Config) []string {
	dirs := append([]string(nil), opts.plugins...)
	if cfg != nil {
		for _, d := range cfg.Plugins {
			if !filepath.IsAbs(d) && opts.configPath != "" {
				d = filepath.Join(filepath.Dir(opts.configPath), d)
			}
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// apiEnv gives the loader the configuration's API plugin settings, with
// OpenAPI document paths relative to the configuration file.
func apiEnv(env *plugins.Env, opts options, cfg *config.Config) {
	if cfg == nil {
		return
	}
	env.FetchOpenAPI = cfg.PluginOpenAPIFetch
	env.Token = sources.NewTokens(cfg).Token
	env.APIs = map[string]config.PluginAPI{}
	for name, p := range cfg.PluginAPIs {
		if p.OpenAPI != "" && !strings.Contains(p.OpenAPI, "://") && !filepath.IsAbs(p.OpenAPI) && opts.configPath != "" {
			p.OpenAPI = filepath.Join(filepath.Dir(opts.configPath), p.OpenAPI)
		}
		env.APIs[name] = p
	}
	env.TenantAPIs = map[string]map[string]config.PluginAPI{}
	for _, t := range cfg.Tenants {
		if len(t.PluginAPIs) > 0 {
			env.TenantAPIs[t.Alias] = t.PluginAPIs
		}
	}
}

// loadPlugins loads the plugin folders. A folder that cannot be read stops
// the start; a refused manifest or skill is logged and the rest load.
func loadPlugins(opts options, cfg *config.Config, env *plugins.Env, logger *slog.Logger) (*plugins.Result, error) {
	dirs := pluginDirs(opts, cfg)
	if len(dirs) == 0 {
		return &plugins.Result{}, nil
	}
	env.Settings = pluginSettings(cfg)
	apiEnv(env, opts, cfg)
	env.Runs = plugins.NewRunStore(docstore.Default("plugins"))
	res, err := plugins.LoadDirs(env, dirs...)
	if err != nil {
		return nil, err
	}
	loaded := 0
	for _, m := range res.Manifests {
		if m.Error != "" {
			logger.Warn("plugin manifest refused", "path", m.Path, "reason", m.Error)
		}
		for _, s := range m.Skills {
			switch s.Status {
			case plugins.Refused:
				logger.Warn("plugin skill refused", "path", m.Path, "line", s.Line, "skill", s.Skill, "reason", s.Reason)
			case plugins.Skipped:
				logger.Info("plugin skill skipped", "path", m.Path, "line", s.Line, "skill", s.Skill, "reason", s.Reason)
			case plugins.Loaded:
				loaded++
				for _, w := range s.Warnings {
					logger.Warn("plugin skill warning", "path", m.Path, "line", s.Line, "skill", s.Skill, "warning", w)
				}
			}
		}
	}
	named := slices.Collect(maps.Keys(env.APIs))
	for _, m := range env.TenantAPIs {
		named = append(named, slices.Collect(maps.Keys(m))...)
	}
	for _, name := range named {
		if !slices.ContainsFunc(res.Manifests, func(m plugins.ManifestReport) bool { return plugins.Normalize(m.Plugin) == plugins.Normalize(name) }) {
			logger.Warn("pluginApis names a plugin no manifest has (use the manifest's Descriptor.Name)", "plugin", name)
		}
	}
	logger.Info("plugins loaded", "manifests", len(res.Manifests), "tools", loaded)
	return res, nil
}

// pluginSettings returns the per-tenant plugin settings of the
// configuration: the tenant's pluginSettings, over the workspace settings
// every Sentinel plugin asks for (SubscriptionId, ResourceGroupName,
// WorkspaceName) taken from the tenant's sentinel section.
func pluginSettings(cfg *config.Config) func(alias, plugin string) map[string]string {
	if cfg == nil {
		return nil
	}
	byAlias := map[string]config.Tenant{}
	for _, t := range cfg.Tenants {
		byAlias[t.Alias] = t
	}
	return func(alias, plugin string) map[string]string {
		t, ok := byAlias[alias]
		if !ok {
			return nil
		}
		out := map[string]string{"TenantId": t.TenantID}
		if s := t.Sentinel; s != nil {
			out["SubscriptionId"], out["ResourceGroupName"], out["WorkspaceName"] = s.SubscriptionID, s.ResourceGroup, s.WorkspaceName
		}
		for k, v := range t.PluginSettings[plugin] {
			out[k] = v
		}
		return out
	}
}

// plannerSkills describes the loaded KQL skills to the investigate
// planner, which runs those whose description matches a question.
func plannerSkills(res *plugins.Result) []synth.PluginSkill {
	out := make([]synth.PluginSkill, 0, len(res.Skills))
	for _, sk := range res.Skills {
		ps := synth.PluginSkill{Tool: sk.Tool, Description: sk.Description}
		for _, in := range sk.Inputs {
			ps.Inputs = append(ps.Inputs, synth.PluginInput{Name: in.Name, Description: in.Description,
				Kind: sk.InputKind(in.Name), Optional: sk.Optional(in)})
		}
		out = append(out, ps)
	}
	return out
}
