// Package investigate is the investigate tool: one question about an
// incident, a user, a device or an IP address fans out to the workflow tools
// of the same tenant, and comes back as a Markdown answer whose every
// factual sentence cites checkable evidence (internal/synth does the work).
//
// The tool exists only when a synthesizer is configured
// (--synthesizer builtin|sampling|openai); with "off" (the default) Tools
// returns nothing, so clients with their own model keep using the tools.
package investigate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/docstore"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/synth"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Synthesizer modes (--synthesizer).
const (
	ModeOff      = "off"
	ModeBuiltin  = synth.WriterBuiltin
	ModeSampling = synth.WriterSampling
	ModeOpenAI   = synth.WriterOpenAI
)

// Deps configure the investigate tool.
type Deps struct {
	// Mode is off (no tool), builtin, sampling or openai.
	Mode string
	// OpenAI configures the openai mode.
	OpenAI synth.OpenAIConfig
	// Invoke runs the source tools; cmd builds it with synth.Through once
	// the invoker exists. Nil makes every source missing.
	Invoke synth.Invoke
	// Store keeps hunting results for their resources; nil uses the
	// process-wide store.
	Store *synth.Store
	// Skills are the loaded plugin skills the planner may choose.
	Skills []synth.PluginSkill
}

var (
	sharedOnce  sync.Once
	sharedStore *synth.Store
)

func (d Deps) store() *synth.Store {
	if d.Store != nil {
		return d.Store
	}
	sharedOnce.Do(func() { sharedStore = synth.NewStore().WithDisk(docstore.Default("investigations")) })
	return sharedStore
}

// Writer returns the writer of a mode.
func (d Deps) Writer() (synth.Writer, error) {
	switch d.Mode {
	case ModeBuiltin:
		return synth.BuiltinWriter{}, nil
	case ModeSampling:
		return synth.SamplingWriter{}, nil
	case ModeOpenAI:
		return synth.NewOpenAIWriter(d.OpenAI)
	}
	return nil, fmt.Errorf("synthesizer %q must be off, builtin, sampling or openai", d.Mode)
}

// Params are the investigate tool's arguments.
type Params struct {
	Question       string `json:"question" maxLength:"2000" jsonschema:"The question, e.g. What's going on with incident 1001?, Has nolan.prescott@contoso.com been compromised?, or Find the top three users at risk. Incidents (incident N), UPNs, device names and IP addresses in it are investigated when the fields below are empty; a question naming none is planned tenant-wide."`
	IncidentID     string `json:"incidentId,omitempty" maxLength:"64" jsonschema:"The Defender incident to investigate."`
	User           string `json:"user,omitempty" maxLength:"256" jsonschema:"A user (UPN) to investigate."`
	Device         string `json:"device,omitempty" maxLength:"256" jsonschema:"A device name to investigate (CT-LT-1037 or its FQDN)."`
	IPAddress      string `json:"ipAddress,omitempty" maxLength:"64" jsonschema:"An IP address to investigate."`
	Since          string `json:"since,omitempty" maxLength:"40" jsonschema:"Window start: 24h, 7d or RFC 3339; default: the incident's activity."`
	Until          string `json:"until,omitempty" maxLength:"40" jsonschema:"Window end; default now."`
	TimeoutSeconds int    `json:"timeoutSeconds,omitempty" minimum:"2" maximum:"120" jsonschema:"Answer within this many seconds (default 60); sources still running then are reported as missing."`
}

// Tools returns the investigate tool, or nothing when the mode is off.
func Tools(d Deps) []tools.Spec {
	if d.Mode == "" || d.Mode == ModeOff {
		return nil
	}
	w, werr := d.Writer()
	return []tools.Spec{tools.New(tools.ToolsetInvestigate, "investigate",
		"Answer a question about an incident, user, device or IP address from every relevant source at once: the incident and its alerts, the alerts and incidents naming the user or device, the users' sign-in risk, the devices' compliance and Advanced Hunting rows, DLP activity, and static analysis of encoded command lines. Scope-less questions (top risky users, sign-in failures, outgoing-connection outliers, users with an alert type, what happened yesterday, unusual activity of a service, noncompliant devices, other hunting questions via kql_generate) run a tenant-wide ranking step first, then the same fan-out for the top entities. Answers start with a compromise verdict (confidence, rule) or the ranking. Returns a Markdown answer in which every factual sentence cites evidence ids ([E1]) that map to resource URIs; a verifier removes sentences the cited evidence does not support and reports how many, and sources that fail or time out are listed as missing.",
		func(ctx context.Context, call tools.Call, p Params) (synth.Result, error) {
			if werr != nil {
				return synth.Result{}, werr
			}
			return run(ctx, call, p, d, w)
		}, tools.OpenWorld(), tools.WithCost(2), tools.WithTimeout(125*time.Second), tools.WithTitle("Investigate"))}
}

func run(ctx context.Context, call tools.Call, p Params, d Deps, w synth.Writer) (synth.Result, error) {
	q := synth.Request{Question: p.Question, IncidentID: p.IncidentID, User: p.User, Device: p.Device, IP: p.IPAddress}
	if p.Since != "" || p.Until != "" {
		since, until, err := tools.Window(p.Since, p.Until, call.Tenant.Now(), 7*24*time.Hour)
		if err != nil {
			return synth.Result{}, err
		}
		q.Since, q.Until = since, until
	}
	timeout := 60 * time.Second
	if p.TimeoutSeconds > 0 {
		timeout = time.Duration(p.TimeoutSeconds) * time.Second
	}
	invoke := d.Invoke
	if invoke == nil {
		invoke = func(context.Context, tools.Call, string, map[string]any) (json.RawMessage, error) {
			return nil, errors.New("no tool invoker is wired")
		}
	}
	res, err := synth.Investigate(ctx, call, q, synth.Config{Writer: w, Invoke: invoke, Store: d.store(), Skills: d.Skills}, timeout)
	if errors.Is(err, synth.ErrNothingToInvestigate) {
		return res, tools.Errorf("%v", err)
	}
	return res, err
}

// RegisterResources serves the hunting results investigations cite
// (secmcp://{tenant}/hunting/{id}), resolved per tenant like entity reads.
// With the synthesizer off there is nothing to serve.
func RegisterResources(rs *resources.Server, d Deps) {
	if d.Mode == "" || d.Mode == ModeOff {
		return
	}
	store := d.store()
	rs.AddTemplate(resources.Template{
		Kind:        synth.KindHuntingResource,
		Name:        "Advanced Hunting result or ranking cited by an investigation",
		Needs:       tools.ToolsetInvestigate,
		Description: "The query and rows of an Advanced Hunting query the investigate tool ran in this tenant and cited, or a tenant-wide ranking or entity search it computed from a tool's results (what it ranked, by what, the window and the entries). Kept on the server's disk for the 256 most recent results per tenant, so it opens in later sessions and after a restart.",
		Read: func(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
			doc, ok := store.Get(t.Scope(ctx), id)
			if !ok {
				return nil, source.ErrNotFound
			}
			return doc, nil
		},
	})
}
