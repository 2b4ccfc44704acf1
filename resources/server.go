package resources

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
)

// EntityReader fetches one entity of a tenant; the result is served as JSON.
type EntityReader func(ctx context.Context, t *tenant.Tenant, id string) (any, error)

// Template is an entity resource template secmcp://{tenant}/{kind}/{id}.
type Template struct {
	Kind        string
	Name        string
	Description string
	Read        EntityReader
	// Tool is the tool whose price a read pays (the tool that reads the
	// same record directly); empty means the default price of one unit.
	Tool string
	// Needs is the tool a caller must be allowed to call to read this kind
	// (Server.Allow); empty means Tool.
	Needs string
}

// Static is a fixed resource (schemas, libraries, technique pages).
type Static struct {
	URI         string
	Name        string
	Description string
	MIMEType    string
	Read        func(ctx context.Context) (string, error)
}

// StaticTemplate is a tenant-independent template, e.g. secmcp://attack/{technique}.
type StaticTemplate struct {
	URITemplate string
	Prefix      string // URIs starting with Prefix are read by Read with the rest
	Name        string
	Description string
	MIMEType    string
	Read        func(ctx context.Context, rest string) (string, error)
}

// Server resolves and reads resources with the same tenant isolation as tools.
type Server struct {
	Tenants         *tenant.Registry
	templates       map[string]Template
	statics         []Static
	staticTemplates []StaticTemplate
	prompts         []Prompt
	// Price returns a tool's price in capacity units (the tool registry's
	// Price); a tenant-scoped read pays its template's Tool's price from the
	// tenant's budget. Nil charges every read one unit.
	Price func(tool string) (int, bool)
	// Allow returns nil when the caller on ctx may call tool, else the
	// refusal; a tenant-scoped read needs its template's tool (Needs, else
	// Tool), so an app role that cannot call a tool cannot read the same
	// record as a resource either. Nil allows every read.
	Allow func(ctx context.Context, tool string) error
}

// NewServer returns a server with the standard entity templates.
func NewServer(reg *tenant.Registry) *Server {
	s := &Server{Tenants: reg, templates: map[string]Template{}}
	for _, t := range entityTemplates() {
		s.templates[t.Kind] = t
	}
	return s
}

// AddTemplate registers a tenant-scoped kind secmcp://{tenant}/{kind}/{id}:
// reads resolve the tenant through the registry exactly as entity reads do,
// so callers outside the tenant are refused in the same words.
func (s *Server) AddTemplate(t Template) { s.templates[t.Kind] = t }

// AddStatic registers fixed resources.
func (s *Server) AddStatic(st ...Static) { s.statics = append(s.statics, st...) }

// AddStaticTemplate registers a tenant-independent template.
func (s *Server) AddStaticTemplate(st ...StaticTemplate) {
	s.staticTemplates = append(s.staticTemplates, st...)
}

// Templates returns the entity templates sorted by kind.
func (s *Server) Templates() []Template {
	out := make([]Template, 0, len(s.templates))
	for _, t := range s.templates {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Statics returns the fixed resources.
func (s *Server) Statics() []Static { return slices.Clone(s.statics) }

// StaticTemplates returns the tenant-independent templates.
func (s *Server) StaticTemplates() []StaticTemplate { return slices.Clone(s.staticTemplates) }

// ErrRefused marks a read refused for what the caller asked (a malformed
// URI, a tenant not available to the caller, an unknown kind, name or id),
// as opposed to a failure to read (throttling, an upstream error).
var ErrRefused = errors.New("resource refused")

// refusal keeps its cause's words and also matches ErrRefused.
type refusal struct{ error }

func (r refusal) Unwrap() []error { return []error{r.error, ErrRefused} }

// StaticRoots returns, sorted, the first segment after secmcp:// of every
// tenant-independent resource and template (attack, hunting, intune,
// schemas, …): a tenant alias must not be one of them, or its resources
// could never be read.
func (s *Server) StaticRoots() []string {
	seen := map[string]bool{}
	add := func(uri string) {
		rest, ok := strings.CutPrefix(uri, Scheme+"://")
		if root, _, _ := strings.Cut(rest, "/"); ok && root != "" {
			seen[root] = true
		}
	}
	for _, st := range s.statics {
		add(st.URI)
	}
	for _, st := range s.staticTemplates {
		add(st.Prefix)
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Read reads uri for a caller allowed the given tenants. It returns the MIME
// type and text. A URI of a tenant outside allowed is refused with the same
// words as a tenant that does not exist.
func (s *Server) Read(ctx context.Context, allowed []string, uri string) (string, string, error) {
	for _, st := range s.statics {
		if st.URI == uri {
			text, err := st.Read(ctx)
			return st.MIMEType, text, err
		}
	}
	for _, st := range s.staticTemplates {
		if rest, ok := strings.CutPrefix(uri, st.Prefix); ok && rest != "" {
			text, err := st.Read(ctx, rest)
			if err != nil {
				return "", "", refusal{err} // static pages: only an unknown name fails
			}
			return st.MIMEType, text, nil
		}
	}
	p, err := Parse(uri)
	if err != nil {
		return "", "", refusal{err}
	}
	t, err := s.Tenants.Resolve(allowed, p.Tenant)
	if err != nil {
		return "", "", refusal{err}
	}
	tpl, ok := s.templates[p.Kind]
	if !ok {
		kinds := make([]string, 0, len(s.templates))
		for _, t := range s.Templates() {
			kinds = append(kinds, t.Kind)
		}
		return "", "", refusal{fmt.Errorf("resource kind %q is unknown; valid kinds: %s", p.Kind, strings.Join(kinds, ", "))}
	}
	if need := cmp.Or(tpl.Needs, tpl.Tool); need != "" && s.Allow != nil {
		if err := s.Allow(ctx, need); err != nil {
			return "", "", refusal{fmt.Errorf("reading %s: %w", uri, err)}
		}
	}
	if err := t.Budget.Spend(t.Alias, "reading "+uri, s.price(tpl.Tool)); err != nil {
		return "", "", err
	}
	v, err := tpl.Read(ctx, t, p.ID)
	if err != nil {
		if errors.Is(err, source.ErrNotFound) {
			return "", "", refusal{fmt.Errorf("%s %q was not found in tenant %q", strings.TrimSuffix(p.Kind, "s"), p.ID, t.Alias)}
		}
		return "", "", fmt.Errorf("read %s: %w", uri, err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("encode %s: %w", uri, err)
	}
	return "application/json", string(b), nil
}

// price is what a read of a template with the given tool pays.
func (s *Server) price(tool string) int {
	if tool != "" && s.Price != nil {
		if c, ok := s.Price(tool); ok {
			return c
		}
	}
	return 1
}

func graphOf(ctx context.Context, t *tenant.Tenant) (source.Graph, error) {
	src, err := t.Sources(ctx)
	if err != nil {
		return nil, err
	}
	return src.Graph, nil
}

func entityTemplates() []Template {
	return []Template{
		{Kind: KindIncident, Tool: "defender_get_incident", Name: "incident", Description: "A Defender XDR incident with its alerts and evidence.",
			Read: func(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
				g, err := graphOf(ctx, t)
				if err != nil {
					return nil, err
				}
				return g.GetIncident(ctx, id)
			}},
		{Kind: KindAlert, Tool: "defender_get_alert", Name: "alert", Description: "A security alert (alerts_v2) with its evidence.",
			Read: func(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
				g, err := graphOf(ctx, t)
				if err != nil {
					return nil, err
				}
				return g.GetAlert(ctx, id)
			}},
		{Kind: KindUser, Tool: "entra_list_risky_users", Name: "user", Description: "An Entra ID user (by UPN or object ID) with risk state.",
			Read: readUser},
		{Kind: KindDevice, Tool: "intune_get_device_compliance", Name: "device", Description: "An Intune managed device with its compliance policy states.",
			Read: readDevice},
		{Kind: KindSignIn, Tool: "entra_list_signins", Name: "sign-in", Description: "An Entra ID sign-in with its Conditional Access results.",
			Read: func(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
				g, err := graphOf(ctx, t)
				if err != nil {
					return nil, err
				}
				return g.GetSignIn(ctx, id)
			}},
		{Kind: KindPolicy, Tool: "entra_list_ca_policies", Name: "policy", Description: "A Conditional Access policy or an Intune compliance policy.",
			Read: readPolicy},
	}
}

func readUser(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
	g, err := graphOf(ctx, t)
	if err != nil {
		return nil, err
	}
	u, err := g.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	risky, err := g.ListRiskyUsers(ctx, source.RiskQuery{User: u.UserPrincipalName, ListOptions: source.ListOptions{Top: 1}})
	out := struct {
		source.User
		Risk *source.RiskyUser `json:"risk,omitempty"`
	}{User: u}
	if err == nil && len(risky.Items) > 0 {
		out.Risk = &risky.Items[0]
	}
	return out, nil
}

func readDevice(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
	g, err := graphOf(ctx, t)
	if err != nil {
		return nil, err
	}
	d, err := g.GetManagedDevice(ctx, id)
	if err != nil {
		return nil, err
	}
	states, err := g.ListDeviceCompliance(ctx, id)
	if err != nil {
		return nil, err
	}
	return struct {
		source.ManagedDevice
		CompliancePolicyStates []source.CompliancePolicyState `json:"compliancePolicyStates"`
	}{d, states}, nil
}

func readPolicy(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
	g, err := graphOf(ctx, t)
	if err != nil {
		return nil, err
	}
	cas, err := g.ListCAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range cas {
		if p.ID == id {
			return p, nil
		}
	}
	cps, err := g.ListCompliancePolicies(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range cps {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, fmt.Errorf("policy %q: %w", id, source.ErrNotFound)
}
