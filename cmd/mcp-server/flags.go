package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit/redisstore"
	"github.com/secmcp/secmcp/tools/mcpadapter"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

var errUsage = errors.New("usage")

type options struct {
	httpAddr     string
	configPath   string
	toolsets     []string
	tools        []string
	excludeTools []string
	readOnly     bool
	logLevel     string
	logFile      string
	auditKeyFile string
	// getenv reads the environment (injected by tests).
	getenv       func(string) string
	demoClock    string
	anonymous    []string
	clientConfig string
	listTools    bool
	// doctor runs the configuration check (`mcp-server doctor` or --check).
	doctor bool
	// synthesizer and the openai writer's endpoint (see --synthesizer).
	synthesizer      string
	openaiURL        string
	openaiDeployment string
	openaiKeyEnv     string
	openaiKey        string
	version          bool
	help             bool
	// HTTP limits (see limitsFlags).
	// outputSchemas is "on" or "off" (the default): whether tools/list
	// sends each tool's outputSchema (see --output-schemas).
	outputSchemas     string
	limits            mcpadapter.Limits
	readHeaderTimeout time.Duration
	// maxConnections caps the HTTP listener's open connections
	// (internal/connlimit); at the cap Accept waits.
	maxConnections    int
	maxInflightTenant int
	// demoBudget, when positive, replaces the demo tenants' capacity
	// budget (units per minute; see --demo-budget).
	demoBudget float64
	// cpuProfile is where --cpu-profile writes the run's CPU profile.
	cpuProfile string
	// budgetStore is where budgets and in-flight slots are kept: "" or
	// "memory" for this process, a redis:// URL to share them between
	// replicas (see --budget-store).
	budgetStore string
	// plugins are folders of plugin manifests (--plugins); pluginsValidate
	// is the folder of `mcp-server plugins validate DIR`.
	plugins         []string
	pluginsValidate string

	// mcpServersPath is a file holding an mcpServers: list (plugin MCP
	// servers), usable with or without --config.
	mcpServersPath string
}

const usageText = `mcp-server: SOC workflows for Defender XDR, Sentinel, Entra ID, Purview and Intune over MCP.

Usage:
  mcp-server [flags]                 serve MCP over stdio (default)
  mcp-server --http 127.0.0.1:8080   serve streamable HTTP at /mcp
  mcp-server plugins validate DIR    load every plugin manifest in DIR and print the skills
                                     loaded, skipped and refused; exits 1 on a refused one
  mcp-server doctor [--config FILE]  check every tenant: token, each endpoint the
                                     enabled tools need, permissions, licenses
                                     (also --check); exits 1 when a tool cannot work
  mcp-server demo-token --tenant contoso --user UPN [--roles R1,R2] [--url URL]
                                     print an Entra ID user token of the running
                                     demo server's authority (demo mode only)

Without --config the server runs on two demo tenants (contoso, fabrikam)
served by a built-in emulator of the Microsoft APIs; HTTP keys demo-contoso
and demo-fabrikam each reach only their own tenant. Over HTTP the demo also
signs users in: the emulator is the demo tenants' Entra authority, and the
server accepts its tokens next to the keys (see demo-token).

Every flag can also be set as an environment variable SECMCP_<FLAG>
(upper case, dashes as underscores), e.g. SECMCP_READ_ONLY=false.
Flags win over the environment.

Flags:
`

// parseFlags reads flags with SECMCP_* environment fallbacks.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	o := options{getenv: getenv}
	fs := flag.NewFlagSet("mcp-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var toolsets, toolsList, exclude, anonymous, plugins string
	fs.StringVar(&o.httpAddr, "http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8080) instead of stdio")
	fs.StringVar(&o.configPath, "config", "", "YAML configuration file (tenants, principals, budgets); omit for the demo tenants")
	fs.StringVar(&o.mcpServersPath, "mcp-servers", "", "YAML file with an mcpServers: list of other MCP servers whose tools to re-export as SERVER__tool (also with the demo tenants; the configuration's mcpServers: add to it)")
	fs.StringVar(&toolsets, "toolsets", "", "comma-separated toolsets to enable (default all): defender,sentinel,entra,intune,purview,kql,scripts,reports")
	fs.StringVar(&toolsList, "tools", "", "comma-separated individual tools to enable in addition to --toolsets")
	fs.StringVar(&exclude, "exclude-tools", "", "comma-separated tools to disable (wins over --toolsets and --tools)")
	fs.BoolVar(&o.readOnly, "read-only", true, "expose only tools that change nothing")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&o.logFile, "log-file", "", "write logs to this file instead of stderr (never stdout)")
	fs.StringVar(&o.auditKeyFile, "audit-key-file", "", "file holding the secret (hex) that keys the audit log's argument digests; created with a random key when missing (default $XDG_STATE_HOME/secmcp/audit.key); the SECMCP_AUDIT_KEY variable, or the variable the config's auditKeyEnv names, wins")
	fs.StringVar(&o.demoClock, "demo-clock", "", "fix the demo tenants' clock (RFC 3339) for deterministic output")
	fs.StringVar(&anonymous, "anonymous-tenants", "", "let HTTP callers without a key use these tenants (loopback only; for local tools that cannot send keys, such as the MCP conformance suite)")
	fs.StringVar(&o.clientConfig, "print-client-config", "", "print a client configuration for this binary and exit: claude, vscode or vscode-http")
	fs.StringVar(&o.synthesizer, "synthesizer", "off", "the investigate tool's writer: off (no investigate tool), builtin (deterministic, no model), sampling (the client's model via MCP sampling, builtin fallback) or openai (an OpenAI-compatible endpoint)")
	fs.StringVar(&o.openaiURL, "openai-url", "", "with --synthesizer openai: the chat completions URL (https, or http to loopback); requests go nowhere else")
	fs.StringVar(&o.openaiDeployment, "openai-deployment", "", "with --synthesizer openai: the deployment or model name")
	fs.StringVar(&o.openaiKeyEnv, "openai-key-env", "", "with --synthesizer openai: the NAME of the environment variable that holds the API key")
	fs.BoolVar(&o.listTools, "list-tools", false, "print every tool (name, toolset, cost, whether exposed with the other flags) and exit")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.doctor, "check", false, "check the configuration against the tenants (same as the doctor command) and exit")
	fs.StringVar(&o.outputSchemas, "output-schemas", "off", "on or off: whether tools/list carries each tool's outputSchema; off (the default) spares clients that compile a validator per schema (the TypeScript SDK) that cost at connect, results still carry structuredContent and every schema stays readable as the resource secmcp://schemas/tools/{name}; the default for every client, which the configuration's outputSchemas (per client name or Entra app) and a principal's outputSchemas override")
	fs.Float64Var(&o.demoBudget, "demo-budget", 0, "demo tenants only: capacity units per minute for each demo tenant (burst a fifth of it) instead of the default 600, for load tests and benchmarks")
	fs.StringVar(&o.cpuProfile, "cpu-profile", "", "write a CPU profile (pprof format) of the whole run to this file when the server stops, for performance work")
	fs.StringVar(&plugins, "plugins", "", "comma-separated folders of Security Copilot plugin manifests (*.yaml, *.yml, *.json) whose KQL skills become tools plugin_<plugin>_<skill>, one toolset per plugin (added to the config's plugins:)")
	o.limitFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	if err := applyEnv(fs, getenv); err != nil {
		return o, err
	}
	if len(args) > 0 && args[0] == "doctor" {
		o.doctor, args = true, args[1:]
	}
	if len(args) > 0 && args[0] == "plugins" {
		if len(args) < 3 || args[1] != "validate" || strings.HasPrefix(args[2], "-") {
			fmt.Fprintln(stderr, "mcp-server: usage: mcp-server plugins validate DIR [flags]")
			return o, errUsage
		}
		o.pluginsValidate, args = args[2], args[3:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			o.help = true
			return o, nil
		}
		return o, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mcp-server: unexpected argument %q; see --help\n", fs.Arg(0))
		return o, errUsage
	}
	o.toolsets, o.tools, o.excludeTools = splitList(toolsets), splitList(toolsList), splitList(exclude)
	o.anonymous = splitList(anonymous)
	o.plugins = splitList(plugins)
	if err := o.synthOptions(getenv); err != nil {
		return o, err
	}
	if err := o.checkDemoBudget(); err != nil {
		return o, err
	}
	if o.outputSchemas != "on" && o.outputSchemas != "off" {
		return o, fmt.Errorf("--output-schemas %q must be on or off", o.outputSchemas)
	}
	switch o.logLevel {
	case "debug", "info", "warn", "error":
	default:
		return o, fmt.Errorf("--log-level %q must be debug, info, warn or error", o.logLevel)
	}
	return o, o.checkLimits()
}

// limitFlags declares the flags that bound HTTP requests, sessions and
// concurrency.
func (o *options) limitFlags(fs *flag.FlagSet) {
	d := mcpadapter.DefaultLimits()
	fs.Int64Var(&o.limits.MaxBodyBytes, "max-body-bytes", d.MaxBodyBytes, "largest request body (HTTP) or message line (stdio) accepted; a larger one is refused (413 over HTTP) before it is parsed")
	fs.IntVar(&o.limits.MaxHeaderBytes, "max-header-bytes", d.MaxHeaderBytes, "HTTP: most bytes of request line and headers (431 beyond)")
	fs.DurationVar(&o.readHeaderTimeout, "read-header-timeout", 10*time.Second, "HTTP: a client must send its request headers within this time, or the connection is closed")
	fs.IntVar(&o.maxConnections, "max-connections", 4096, "HTTP: most connections open at once; beyond, new ones wait in the kernel's listen backlog until one closes")
	fs.DurationVar(&o.limits.ReadTimeout, "read-timeout", d.ReadTimeout, "HTTP: a client must send its request body within this time (408); SSE streams are not cut by it")
	fs.IntVar(&o.limits.MaxSessions, "max-sessions", d.MaxSessions, "HTTP: most open MCP sessions in total (503 beyond)")
	fs.IntVar(&o.limits.MaxSessionsPerPrincipal, "max-sessions-per-principal", d.MaxSessionsPerPrincipal, "HTTP: most open MCP sessions per principal (429 beyond)")
	fs.DurationVar(&o.limits.SessionIdleTimeout, "session-idle-timeout", d.SessionIdleTimeout, "HTTP: end a session no request has used for this long")
	fs.IntVar(&o.limits.MaxInflightPerPrincipal, "max-inflight-per-principal", d.MaxInflightPerPrincipal, "HTTP: most concurrent requests per principal (429 beyond)")
	fs.IntVar(&o.maxInflightTenant, "max-inflight-per-tenant", 16, "most tool calls running at once per tenant, over any transport; more are refused with a tool error")
	fs.StringVar(&o.budgetStore, "budget-store", "memory", "where budgets and per-tenant in-flight slots are kept: memory (this process) or redis://[:PASSWORD@]HOST:PORT/DB (rediss:// for TLS) shared by every replica; prefer SECMCP_BUDGET_STORE for a URL with a password")
}

// checkLimits refuses limits that would break the server or bound nothing.
func (o *options) checkLimits() error {
	if err := o.limits.Validate(); err != nil {
		return err
	}
	switch {
	case o.readHeaderTimeout < time.Second:
		return fmt.Errorf("--read-header-timeout %s must be at least 1s", o.readHeaderTimeout)
	case o.maxConnections < 1:
		return fmt.Errorf("--max-connections %d must be at least 1", o.maxConnections)
	case o.maxInflightTenant < 1:
		return fmt.Errorf("--max-inflight-per-tenant %d must be at least 1", o.maxInflightTenant)
	}
	if o.budgetStore != "memory" && o.budgetStore != "" {
		if _, _, err := redisstore.ParseURL(o.budgetStore); err != nil {
			return fmt.Errorf("--budget-store (or SECMCP_BUDGET_STORE): %w", err)
		}
	}
	return nil
}

// applyEnv sets each flag from SECMCP_<FLAG> when present.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "SECMCP_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := getenv(name)
		if v == "" || err != nil {
			return
		}
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			if _, perr := strconv.ParseBool(v); perr != nil {
				err = fmt.Errorf("%s=%q must be true or false", name, v)
				return
			}
		}
		if serr := f.Value.Set(v); serr != nil {
			err = fmt.Errorf("%s=%q: %v", name, v, serr)
		}
	})
	return err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// synthOptions checks the synthesizer flags and reads the openai key from
// the environment variable the operator named.
func (o *options) synthOptions(getenv func(string) string) error {
	switch o.synthesizer {
	case "off", "builtin", "sampling":
		if o.openaiURL != "" || o.openaiDeployment != "" || o.openaiKeyEnv != "" {
			return fmt.Errorf("--openai-url, --openai-deployment and --openai-key-env need --synthesizer openai (it is %q)", o.synthesizer)
		}
		return nil
	case "openai":
	default:
		return fmt.Errorf("--synthesizer %q must be off, builtin, sampling or openai", o.synthesizer)
	}
	if o.openaiURL == "" || o.openaiDeployment == "" {
		return fmt.Errorf("--synthesizer openai needs --openai-url and --openai-deployment")
	}
	if o.openaiKeyEnv != "" {
		if o.openaiKey = getenv(o.openaiKeyEnv); o.openaiKey == "" {
			return fmt.Errorf("--openai-key-env names %s, which is empty or unset", o.openaiKeyEnv)
		}
	}
	return nil
}
