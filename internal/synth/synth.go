package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Config wires the synthesizer.
type Config struct {
	// Writer writes the answer; nil means the builtin writer.
	Writer Writer
	// Invoke runs the source tools (see Through).
	Invoke Invoke
	// Store keeps the hunting results cited as secmcp://{tenant}/hunting/{id}.
	Store *Store
	// Skills are the loaded plugin skills the planner may run when a
	// question is about their data.
	Skills []PluginSkill
}

// Result is what an investigation returns (the investigate tool's result).
type Result struct {
	Tenant   string `json:"tenant"`
	Question string `json:"question"`
	// Scope is what the planner investigated after reading the question.
	Scope Scope `json:"scope"`
	// Verdicts answer "has this user (device) been compromised?" for each
	// entity assessed, by the rules documented on Verdict.
	Verdicts []Verdict `json:"verdicts" jsonschema:"Compromise verdicts (compromised, likely compromised, undetermined, no evidence of compromise) with confidence, the rule that produced each, and the sources that could not be read."`
	// Answer is the verified Markdown answer; it cites evidence ids [E1].
	Answer string `json:"answer" jsonschema:"The verified Markdown answer; factual sentences cite evidence ids such as [E1]. It quotes attacker-controlled text as data."`
	// Citations maps each id the answer cites to its resource URI.
	Citations map[string]string `json:"citations" jsonschema:"Evidence id cited in the answer → resource URI (read it with resources/read)."`
	// Unsupported counts the sentences the verifier removed.
	Unsupported int `json:"unsupported" jsonschema:"How many sentences the citation verifier removed as unsupported."`
	// Writer is the writer that produced the answer ("builtin", "sampling",
	// "openai", or "builtin (fallback from sampling)").
	Writer         string          `json:"writer"`
	WriterNote     string          `json:"writerNote,omitempty"`
	Evidence       []EvidenceRef   `json:"evidence"`
	MissingSources []Missing       `json:"missingSources" jsonschema:"Sources that failed or did not answer before the deadline; the answer lacks what they hold."`
	Notes          []string        `json:"notes"`
	Verification   Verification    `json:"verification"`
	Calls          []Trace         `json:"calls" jsonschema:"Every source call of the fan-out with its status and timing."`
	Timing         Timing          `json:"timing"`
	Untrusted      []string        `json:"untrustedFields"`
	Sources        []resources.Ref `json:"sources"`
}

// Scope is the investigated entities.
type Scope struct {
	IncidentID string    `json:"incidentId,omitempty"`
	User       string    `json:"user,omitempty"`
	Device     string    `json:"device,omitempty"`
	IP         string    `json:"ipAddress,omitempty"`
	Since      time.Time `json:"since,omitzero"`
	Until      time.Time `json:"until,omitzero"`
	// TenantWide is the kind of a scope-less question planned tenant-wide
	// (risky-users, sign-in-failures, outgoing-connections, alert-type,
	// activity, service, device-outliers, user-outliers, noncompliant-devices).
	TenantWide string `json:"tenantWide,omitempty"`
}

// EvidenceRef is one evidence item in the result.
type EvidenceRef struct {
	ID          string          `json:"id"`
	URI         string          `json:"uri"`
	Portal      string          `json:"portal,omitempty"`
	Kind        string          `json:"kind"`
	Description string          `json:"description"`
	Sources     []string        `json:"sources"`
	Snippet     json.RawMessage `json:"snippet" jsonschema:"The JSON the item rests on (untrusted data)."`
}

// Timing reports where the time went, in milliseconds.
type Timing struct {
	FanOutMs   int64 `json:"fanOutMs"`
	WriteMs    int64 `json:"writeMs"`
	VerifyMs   int64 `json:"verifyMs"`
	TotalMs    int64 `json:"totalMs"`
	DeadlineMs int64 `json:"deadlineMs"`
}

// Text is the answer (Markdown).
func (r Result) Text() string { return r.Answer }

// ErrNothingToInvestigate is returned when the request names no entity.
var ErrNothingToInvestigate = errors.New("name an incident (\"incident 1001\" or incidentId), a user (UPN), a device or an IP address to investigate, " +
	"or ask about the whole tenant: the top users at risk, sign-in failures in a window, devices with outstanding outgoing connections, " +
	"users with an alert type (\"users with a password spray alert in the last 7 days\"), what happened yesterday, anything unusual with a service, " +
	"outlier devices or users, or noncompliant devices")

// Investigate runs one investigation within timeout: the fan-out gets the
// time the writer does not need, the writer what is left but a margin for
// verification, so the result comes back before the deadline even when a
// source hangs.
func Investigate(ctx context.Context, call tools.Call, q Request, cfg Config, timeout time.Duration) (Result, error) {
	if call.Tenant == nil {
		return Result{}, errors.New("synth: the call has no tenant")
	}
	it := readIntent(q.Question, call.Tenant.Now())
	scoped := q.Resolve()
	plugins := matchSkills(q, it, cfg.Skills)
	if !scoped && it.tenant == "" && len(plugins) == 0 {
		return Result{}, ErrNothingToInvestigate
	}
	if cfg.Invoke == nil {
		return Result{}, errors.New("synth: no source invoker configured")
	}
	start := time.Now()
	writer := cfg.Writer
	if writer == nil {
		writer = BuiltinWriter{}
	}
	reserve := timeout / 5
	if reserve > time.Second {
		reserve = time.Second
	}
	if writer.Name() != WriterBuiltin {
		reserve = timeout * 45 / 100
	}
	set := NewSet()
	fctx, cancel := context.WithTimeout(ctx, timeout-reserve)
	r := newRun(fctx, call, cfg.Invoke, set, cfg.Store)
	call.Report(0, 1, "planning the investigation")
	if scoped || it.tenant != "" {
		r.plan(q, it)
	}
	for _, p := range plugins {
		r.spawn(pluginJob(p))
	}
	r.wait(fctx)
	cancel()
	if err := set.Finalize(); err != nil {
		return Result{}, err
	}
	fanOut := time.Since(start)
	res := Result{Tenant: call.Tenant.Alias, Question: q.Question, Scope: Scope{q.IncidentID, q.User, q.Device, q.IP, q.Since, q.Until, ""},
		Untrusted: []string{"answer", "evidence[].snippet", "evidence[].description", "verification.removed[].sentence"}}
	if !q.scoped() {
		res.Scope.TenantWide = it.tenant
	}
	res.Calls, res.MissingSources, res.Notes = r.report()
	if r.delegated() && defenderRead(res.Calls) {
		res.Notes = append(res.Notes, limitedViewNote)
	}
	q.lead = r.lead(q, it, res.Calls)
	res.Verdicts = append([]Verdict{}, q.lead.verdicts...)
	call.Report(float64(len(res.Calls)), float64(len(res.Calls)+1), "writing the answer")
	wctx, wcancel := context.WithTimeout(ctx, timeout-time.Since(start)-reserve/10)
	answer := write(wctx, call, q, set, writer, &res)
	wcancel()
	wrote := time.Since(start)
	kept, ver, err := verify(ctx, answer, set, strings.Join([]string{q.Question, q.IncidentID, q.User, q.Device, q.IP}, " "))
	if err != nil {
		return Result{}, err
	}
	res.Verification, res.Unsupported = ver, ver.Unsupported
	res.Answer = finish(kept, set, &res)
	res.Timing = Timing{FanOutMs: fanOut.Milliseconds(), WriteMs: (wrote - fanOut).Milliseconds(),
		VerifyMs: (time.Since(start) - wrote).Milliseconds(), TotalMs: time.Since(start).Milliseconds(), DeadlineMs: timeout.Milliseconds()}
	call.Report(float64(len(res.Calls)+1), float64(len(res.Calls)+1), "done")
	return res, nil
}

// write runs the writer, falling back to the builtin writer when a model
// writer cannot answer; res records which one wrote.
func write(ctx context.Context, call tools.Call, q Request, set *Set, w Writer, res *Result) string {
	res.Writer = w.Name()
	if w.Name() == WriterBuiltin {
		return Builtin(q, set)
	}
	if len(set.Items()) == 0 {
		res.Writer, res.WriterNote = WriterBuiltin+" (fallback from "+w.Name()+")", "no evidence to give the model"
		return Builtin(q, set)
	}
	out, err := w.Write(ctx, call, q, set)
	if err != nil {
		res.Writer = WriterBuiltin + " (fallback from " + w.Name() + ")"
		res.WriterNote = truncate(err.Error(), 300)
		return Builtin(q, set)
	}
	return withLead(q, out)
}

// withLead starts a model writer's answer with the deterministic lead (the
// verdicts and rankings), so every writer answers the question first and
// the same way; a model that already began with it is left as it is.
func withLead(q Request, out string) string {
	lead := strings.TrimSpace(q.lead.write())
	if lead == "" || strings.HasPrefix(strings.TrimSpace(out), lead) {
		return out
	}
	return lead + "\n\n" + out
}

// finish appends the system's own sections (not verified: they state what
// the system did, not facts of the tenant) and fills citations and sources.
func finish(kept string, set *Set, res *Result) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(kept, "\n"))
	b.WriteString("\n")
	if res.Unsupported > 0 {
		fmt.Fprintf(&b, "\n_The citation verifier removed %s from this answer._\n", text.Count(int64(res.Unsupported), "unsupported sentence"))
	}
	if strings.HasPrefix(res.Writer, WriterBuiltin+" (fallback") {
		fmt.Fprintf(&b, "\n_Written by the built-in writer because the %s writer was unavailable._\n", strings.TrimSuffix(strings.TrimPrefix(res.Writer, WriterBuiltin+" (fallback from "), ")"))
	}
	if len(res.MissingSources) > 0 {
		b.WriteString("\n### Sources that did not answer\n")
		for _, m := range res.MissingSources {
			tools.MDLine(&b, "- %s (%s): %s", m.Source, m.Tool, m.Error) // errors carry upstream text
		}
	}
	if len(res.Notes) > 0 {
		b.WriteString("\n### Notes\n")
		for _, n := range res.Notes {
			tools.MDLine(&b, "- %s", n)
		}
	}
	res.Citations = map[string]string{}
	for _, id := range citeIDRe.FindAllString(strings.Join(citeGroupRe.FindAllString(kept, -1), " "), -1) {
		if it, ok := set.ByID(id); ok {
			res.Citations[it.ID] = it.URI
		}
	}
	res.Evidence, res.Sources = []EvidenceRef{}, []resources.Ref{}
	var cited []string
	for _, it := range set.Items() {
		res.Evidence = append(res.Evidence, EvidenceRef{ID: it.ID, URI: it.URI, Portal: it.Portal, Kind: it.Kind,
			Description: it.Description, Sources: it.Sources, Snippet: it.Snippet})
		res.Sources = append(res.Sources, resources.Ref{URI: it.URI, Portal: it.Portal})
		if _, ok := res.Citations[it.ID]; ok {
			cited = append(cited, fmt.Sprintf("- [%s] %s — %s", it.ID, it.URI, it.Description))
		}
	}
	if len(cited) > 0 {
		b.WriteString("\n### Evidence\n" + strings.Join(cited, "\n") + "\n")
	}
	return b.String()
}
