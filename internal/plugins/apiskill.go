package plugins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// API skills (Format: API): each operation of the plugin's OpenAPI 3
// document becomes a tool (learn.microsoft.com/copilot/security/plugin-api).
// The document is a path (the configuration's pluginApis.<Name>.openapi,
// relative to the configuration file, or the manifest's OpenApiSpecUrl
// when it is a path, relative to the manifest) or a URL fetched at load
// only when the configuration allows it (pluginOpenAPIFetch).

// MaxOpenAPIBytes is the largest OpenAPI document read.
const MaxOpenAPIBytes = 4 << 20

// maxDescription caps a tool description taken from a document.
const maxDescription = 1000

// MaxAPIOperations is how many operations of one document become tools;
// a larger document is refused (list the ones wanted in a smaller copy).
const MaxAPIOperations = 200

// APISkill is one loaded API operation.
type APISkill struct {
	Plugin, PluginName, Tool string
	Op                       apiOp
	// Base is the server URL calls go to (one the document names).
	Base     *url.URL
	Auth     apiAuth
	ReadOnly bool
	Timeout  time.Duration
	// PerTenant are the tenants' own server, auth and timeout (their
	// pluginApis); others use Base, Auth and Timeout.
	PerTenant map[string]apiTarget
	// Tenants are the aliases the tools are for (empty: every tenant).
	Tenants []string
	// Notes are what the loader left out of the operation (reported).
	Notes []string
	// args and argNames are the parameters the tool takes and the
	// argument names it accepts, built once by spec (buildArgs).
	args     []apiArg
	argNames []string
}

type apiBuilder struct{}

func (apiBuilder) BuildGroup(env *Env, m *Manifest, g *SkillGroup) []SkillReport {
	one := func(status, reason string) []SkillReport {
		return []SkillReport{{Skill: "(OpenAPI operations)", Format: "API", Status: status, Reason: reason, Line: g.Line}}
	}
	cfg := env.apiConfig(m.Descriptor.Name)
	doc, docURL, skip, err := loadOpenAPI(env, m, g, cfg)
	if skip != "" {
		return one(Skipped, skip)
	}
	if err != nil {
		return one(Refused, err.Error())
	}
	def, err := resolveTarget(doc, docURL, m, cfg, "pluginApis."+m.Descriptor.Name)
	if err != nil {
		return one(Refused, err.Error())
	}
	perTenant, tenants, err := env.tenantTargets(doc, docURL, m, cfg)
	if err != nil {
		return one(Refused, err.Error())
	}
	if len(doc.Ops) == 0 {
		return one(Skipped, "the OpenAPI document has no operations")
	}
	if len(doc.Ops) > MaxAPIOperations {
		return one(Refused, fmt.Sprintf("the OpenAPI document has %d operations; at most %d become tools: give a copy with the operations the SOC needs", len(doc.Ops), MaxAPIOperations))
	}
	var reps []SkillReport
	for _, op := range doc.Ops {
		sk := &APISkill{Plugin: Normalize(m.Descriptor.Name), PluginName: m.Descriptor.Name,
			Tool: ToolName(m.Descriptor.Name, op.ID), Op: op, Base: def.Base, Auth: def.Auth, Timeout: def.Timeout,
			PerTenant: perTenant, Tenants: tenants,
			ReadOnly: op.Method == "GET" || op.Method == "HEAD" || slices.Contains(cfg.ReadOnly, "*") || slices.Contains(cfg.ReadOnly, op.ID) ||
				readOnlyInManifest(g, op.ID)}
		sk.dropUnusedPathParams()
		rep := SkillReport{Skill: cleanDescription(op.ID), Format: "API", Line: g.Line}
		spec, err := sk.spec(env)
		if op.Err != "" {
			err = errors.New(op.Err)
		} else if Normalize(op.ID) == "" {
			err = fmt.Errorf("operationId %q has no letter or digit to name its tool with", cleanDescription(op.ID))
		}
		if err != nil {
			rep.Status, rep.Reason = Refused, fmt.Sprintf("operation %s %s: %v", op.Method, op.Path, err)
		} else {
			rep.Status, rep.Tool, rep.Spec = Loaded, spec.Name, &spec
			notes := sk.Notes
			if !sk.ReadOnly {
				notes = append([]string{op.Method + ": a write tool (hidden by --read-only)"}, notes...)
			}
			rep.Reason = strings.Join(notes, "; ")
		}
		reps = append(reps, rep)
	}
	return reps
}

// dropUnusedPathParams leaves out path parameters the path does not use
// (a document error Security Copilot tolerates), noting each.
func (sk *APISkill) dropUnusedPathParams() {
	var keep []apiParam
	for _, p := range sk.Op.Params {
		if p.In == "path" && !strings.Contains(sk.Op.Path, "{"+p.Name+"}") {
			sk.Notes = append(sk.Notes, fmt.Sprintf("path parameter %q is not in the path %s: left out", p.Name, sk.Op.Path))
			continue
		}
		keep = append(keep, p)
	}
	sk.Op.Params = keep
}

// readOnlyInManifest reports whether the skill group's settings mark an
// operation read-only: ReadOnlyOperations, a list or comma-separated text
// of operationIds ("*" for all).
func readOnlyInManifest(g *SkillGroup, id string) bool {
	for k, v := range g.Settings {
		if !strings.EqualFold(k, "ReadOnlyOperations") {
			continue
		}
		var names []string
		switch v := v.(type) {
		case string:
			names = strings.Split(v, ",")
		case []any:
			for _, x := range v {
				names = append(names, fmt.Sprint(x))
			}
		}
		for _, n := range names {
			if n = strings.TrimSpace(n); n == "*" || n == id {
				return true
			}
		}
	}
	return false
}

// apiConfig is the configuration of a plugin, by Descriptor.Name (matched
// exactly, then normalized).
func (e *Env) apiConfig(name string) config.PluginAPI {
	c, _ := lookupAPI(e.APIs, name)
	return c
}

// loadOpenAPI reads the document. skip says why the group is skipped (no
// document, or a URL the configuration does not allow fetching).
func loadOpenAPI(env *Env, m *Manifest, g *SkillGroup, cfg config.PluginAPI) (doc *openAPIDoc, docURL *url.URL, skip string, err error) {
	ref, where := cfg.OpenAPI, "the configuration's pluginApis."+m.Descriptor.Name+".openapi"
	if ref == "" {
		ref = firstNonEmpty(SettingValue(g.Settings, "OpenApiSpecUrl"), SettingValue(g.Settings, "OpenApiSpecUri"))
		where = "the manifest's OpenApiSpecUrl"
	}
	if ref == "" {
		return nil, nil, fmt.Sprintf("API skill group names no OpenAPI document: set Settings.OpenApiSpecUrl in the manifest or pluginApis.%s.openapi in the configuration", m.Descriptor.Name), nil
	}
	var data []byte
	if u, perr := url.Parse(ref); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if u.Scheme == "http" && !loopback(u.Hostname()) && env.FetchOpenAPI {
			return nil, nil, "", fmt.Errorf("OpenAPI document %s: plain http: a document (which names the servers credentials go to) is fetched only over https (http only from a loopback address)", ref)
		}
		if !env.FetchOpenAPI {
			return nil, nil, fmt.Sprintf("API skill: %s is a URL (%s) and fetching OpenAPI documents at load is off: give a local copy in pluginApis.%s.openapi, or allow fetching (pluginOpenAPIFetch: true)", where, ref, m.Descriptor.Name), nil
		}
		docURL = u
		if data, err = fetchOpenAPI(env, ref); err != nil {
			return nil, nil, "", fmt.Errorf("OpenAPI document %s: %w", ref, err)
		}
	} else {
		path := ref
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(m.Path), path)
		}
		if data, err = readRegular(path, MaxOpenAPIBytes); err != nil {
			return nil, nil, "", fmt.Errorf("OpenAPI document (%s): %w", where, err)
		}
		ref = path
	}
	doc, err = parseOpenAPI(data)
	if err != nil {
		return nil, nil, "", fmt.Errorf("OpenAPI document %s: %w", ref, err)
	}
	return doc, docURL, "", nil
}

func fetchOpenAPI(env *Env, ref string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
	if err != nil {
		return nil, err
	}
	resp, err := env.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxOpenAPIBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxOpenAPIBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxOpenAPIBytes>>20)
	}
	return data, nil
}

// pickServer is the base URL calls go to: the configured override, which
// must be one of the document's servers, or the first server. A relative
// server URL is resolved against the document's URL.
func pickServer(doc *openAPIDoc, docURL *url.URL, override string) (*url.URL, error) {
	abs := func(s string) (*url.URL, error) {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("server %q: %w", s, err)
		}
		if !u.IsAbs() && docURL != nil {
			u = docURL.ResolveReference(u)
		}
		if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("server %q is not an absolute http(s) URL; set pluginApis.<plugin>.server to one", s)
		}
		if u.Scheme == "http" && !loopback(u.Hostname()) {
			return nil, fmt.Errorf("server %s is plain http: secmcp sends requests and credentials only over https (http only to a loopback address)", u)
		}
		if why := forbiddenHost(u.Hostname()); why != "" {
			return nil, fmt.Errorf("server %s is %s: secmcp never sends plugin calls there (instance metadata hands out the host's own credentials)", u.Host, why)
		}
		if u.User != nil {
			return nil, fmt.Errorf("server %s carries credentials in its URL; give them in pluginApis.<plugin>.auth", u.Host)
		}
		u.RawQuery, u.Fragment = "", ""
		return u, nil
	}
	if override == "" {
		return abs(doc.Servers[0])
	}
	want, err := abs(strings.TrimRight(override, "/"))
	if err != nil {
		return nil, err
	}
	for _, s := range doc.Servers {
		if u, err := abs(s); err == nil && u.String() == want.String() {
			return u, nil
		}
	}
	return nil, fmt.Errorf("server %s is not one of the document's servers (%s): secmcp calls only the servers the document names", override, strings.Join(doc.Servers, ", "))
}

// loopback reports whether a host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (e *Env) httpClient() *http.Client {
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return &http.Client{Timeout: 60 * time.Second, Transport: guardedTransport()}
}

// spec builds the operation's tool.
func (sk *APISkill) spec(env *Env) (tools.Spec, error) {
	if err := sk.buildArgs(); err != nil {
		return tools.Spec{}, err
	}
	schema, err := sk.inputSchema()
	if err != nil {
		return tools.Spec{}, err
	}
	desc := cleanDescription(firstNonEmpty(sk.Op.Summary, sk.Op.Description, sk.Op.ID))
	desc += fmt.Sprintf(" (plugin %s; API %s %s on %s)", cleanDescription(sk.PluginName), sk.Op.Method, sk.Op.Path, sk.Base.Host)
	return tools.NewDynamic(tools.DynamicSpec{
		Toolset: Toolset(sk.PluginName), Name: sk.Tool, Title: cleanDescription(sk.Op.ID), Description: desc,
		InputSchema: schema, OutputSchema: apiOutputSchema, ReadOnly: sk.ReadOnly, OpenWorld: true,
		Cost: 5, Timeout: sk.maxTimeout() + 5*time.Second, Handler: sk.handler(env), Tenants: sk.Tenants,
	})
}

// cleanDescription sanitizes document text for a tool description: no
// invisible characters, one line, capped.
func cleanDescription(s string) string {
	s = strings.Join(strings.Fields(tools.SanitizeText(s)), " ")
	if r := []rune(s); len(r) > maxDescription {
		s = string(r[:maxDescription-1]) + "…"
	}
	return s
}
