package tools

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
)

// Caller is the authenticated identity of a call and the tenants it may use.
type Caller struct {
	Principal string
	// Tenants are the aliases this caller may use ("*" = all).
	Tenants []string
	// Roles are the app roles of a caller that signed in with an Entra ID
	// token. Nil for API keys and stdio, whose tool access the
	// configuration grants.
	Roles []string
	// User is the signed-in person behind an Entra ID token; nil for API
	// keys and stdio.
	User *User
	// ClientApp is the Entra application (client) ID of the app that
	// obtained the caller's token (its azp or appid claim); empty for API
	// keys and stdio. The transport keys per-client settings on it.
	ClientApp string
}

// Output is a finished tool result, ready for any transport.
type Output struct {
	// Structured is the sanitized JSON of the result struct.
	Structured json.RawMessage
	// Text is the short human-readable summary.
	Text string
}

// Invoker runs tool calls through the middleware chain:
// recover → caller → tenant → rate limit → audit → deadline.
type Invoker struct {
	Tools   *Registry
	Tenants *tenant.Registry
	// Audit receives one JSON line per call; nil disables auditing.
	Audit *slog.Logger
	// Log receives internal errors (with stack) for operators.
	Log *slog.Logger
	// Inflight caps each tenant's calls running at once; nil means no cap.
	Inflight InflightLimiter
	// AuditKey is the per-deployment secret that keys the audit line's
	// argument digest (HMAC-SHA256), so arguments cannot be recovered from
	// the log by hashing guesses. Nil uses a random key for this process
	// (digests then match only within one run).
	AuditKey []byte
	// Roles decides the tools of role-bound callers (Entra ID token
	// callers, key principals with roles). Nil uses DefaultRoles.
	Roles *RolePolicy

	keyOnce   sync.Once
	key       []byte
	rolesOnce sync.Once
	roles     *RolePolicy
}

// rolePolicy returns Roles, or the built-in mapping over the exposed tools.
func (inv *Invoker) rolePolicy() *RolePolicy {
	inv.rolesOnce.Do(func() {
		inv.roles = inv.Roles
		if inv.roles == nil {
			// Lenient: the exposed tools may be a part of the catalogue.
			p, err := newRolePolicy(DefaultRoles(), inv.Tools.Specs(), false)
			if err != nil { // only a malformed role name fails, and the built-in ones are not
				p = &RolePolicy{grants: map[string]map[string]bool{}}
			}
			inv.roles = p
		}
	})
	return inv.roles
}

// Permits reports whether the caller may call the exposed tool name (for
// filtering tools/list per caller).
func (inv *Invoker) Permits(caller Caller, name string) bool {
	return inv.rolePolicy().Permits(caller, name)
}

// CheckTool returns nil when the caller may call tool, else the refusal
// naming the role it needs (resource reads check the tool they stand for).
func (inv *Invoker) CheckTool(caller Caller, name string) error {
	return inv.rolePolicy().Check(caller, name)
}

// auditKey returns AuditKey, or this process's random key.
func (inv *Invoker) auditKey() []byte {
	inv.keyOnce.Do(func() {
		inv.key = inv.AuditKey
		if len(inv.key) == 0 {
			inv.key = make([]byte, 32)
			_, _ = rand.Read(inv.key)
		}
	})
	return inv.key
}

// InflightLimiter caps concurrent calls per tenant (ratelimit.Inflight).
type InflightLimiter interface {
	// Acquire takes a slot for the tenant alias, or reports ok=false.
	Acquire(tenant string) (release func(), ok bool)
	// Limit is the most calls one tenant may have running.
	Limit() int
}

// heldSlot marks a context whose call already holds a tenant's in-flight
// slot, so the sub-calls it makes (investigate's) do not take more.
type heldSlot struct{ tenant string }

// Invoke runs one call. A returned *ToolError is for the caller to fix; any
// other error is internal and its message is safe to show (no stack, no
// secrets). Invoke never panics.
func (inv *Invoker) Invoke(ctx context.Context, caller Caller, name string, raw json.RawMessage, progress func(done, total float64, msg string)) (out *Output, err error) {
	return inv.InvokeCall(ctx, caller, name, raw, Call{Progress: progress})
}

// InvokeCall is Invoke with the transport's per-call facilities (progress,
// sampling) given as a partial Call; the invoker fills in the tenant and
// principal.
func (inv *Invoker) InvokeCall(ctx context.Context, caller Caller, name string, raw json.RawMessage, facilities Call) (out *Output, err error) {
	start := time.Now()
	rec := &auditRecord{Principal: caller.Principal, Tool: name, ArgsDigest: digest(inv.auditKey(), raw)}
	defer func() {
		if p := recover(); p != nil {
			ref := newRef()
			if inv.Log != nil {
				inv.Log.Error("tool panicked", "tool", name, "ref", ref, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			out, err = nil, fmt.Errorf("internal error in %s (reference %s); the operator's log has details", name, ref)
		}
		rec.finish(inv.Audit, err, time.Since(start))
	}()
	if caller.Principal == "" {
		return nil, &ToolError{Msg: "unauthenticated caller", Kind: "refused"}
	}
	spec, ok := inv.Tools.Lookup(name)
	if !ok || !inv.VisibleTo(caller, spec) {
		return nil, inv.unknownTool(caller, name)
	}
	if err := inv.CheckTool(caller, name); err != nil {
		return nil, err
	}
	args, requested, err := splitTenantArg(raw)
	if err != nil {
		return nil, err
	}
	if requested == "" {
		requested = inv.defaultTenantFor(caller, spec)
	}
	t, err := inv.Tenants.Resolve(caller.Tenants, requested)
	if err != nil {
		return nil, &ToolError{Msg: err.Error(), Kind: "refused"}
	}
	if !spec.ForTenant(t.Alias) {
		// Worded as for a tool that does not exist: the caller learns
		// nothing about another tenant's plugins.
		return nil, inv.unknownTool(caller, name)
	}
	rec.Tenant = t.Alias
	release, err := inv.acquire(ctx, t.Alias, name)
	if err != nil {
		return nil, err
	}
	defer release()
	ctx = context.WithValue(ctx, heldSlot{t.Alias}, true)
	if err := takeBudget(t, name, spec.Cost); err != nil {
		return nil, err
	}
	rec.Units.Add(int64(spec.Cost))
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	call := facilities
	call.Tenant, call.Principal, call.Roles, call.User = t, caller.Principal, caller.Roles, caller.User
	call.charge = func(tool string, n int) error {
		cost := n * inv.price(tool)
		if err := takeBudget(t, fmt.Sprintf("%d × %s", n, tool), cost); err != nil {
			return err
		}
		rec.Units.Add(int64(cost))
		return nil
	}
	if caller.User != nil {
		// The user reaches the sources' credential, which reads on-behalf-of
		// the user on a tenant configured for it (and ignores it elsewhere).
		ctx = source.WithUser(ctx, caller.User)
	}
	res, err := spec.Handler(ctx, call, args)
	if err != nil {
		err = forbidden(err, caller, t)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return nil, &ToolError{Msg: fmt.Sprintf("%s did not finish within %s; narrow the time window or lower top", name, spec.Timeout), Kind: "timeout"}
		}
		return nil, err
	}
	return render(res)
}

// acquire takes the tenant's in-flight slot for a top-level call.
func (inv *Invoker) acquire(ctx context.Context, tenant, tool string) (func(), error) {
	if inv.Inflight == nil || ctx.Value(heldSlot{tenant}) != nil {
		return func() {}, nil
	}
	release, ok := inv.Inflight.Acquire(tenant)
	if !ok {
		return nil, &ToolError{
			Msg: fmt.Sprintf("tenant %q already runs as many tool calls as it may at once (%d, --max-inflight-per-tenant); retry %s when one has finished",
				tenant, inv.Inflight.Limit(), tool),
			RetryAfter: time.Second, Kind: "rate_limited",
		}
	}
	return release, nil
}

// price is what one direct call of tool costs (1 for a tool the catalogue
// does not know, the default cost).
func (inv *Invoker) price(tool string) int {
	if c, ok := inv.Tools.Price(tool); ok {
		return c
	}
	return 1
}

// takeBudget spends cost units of t's budget for what (a tool name, or
// "3 × tool" for work done on a caller's behalf), or returns the
// rate_limited refusal saying when they will be there.
func takeBudget(t *tenant.Tenant, what string, cost int) error {
	err := t.Budget.Spend(t.Alias, what, cost)
	var r *ratelimit.Refusal
	if errors.As(err, &r) {
		return &ToolError{Msg: r.Error(), RetryAfter: r.RetryAfter, Kind: "rate_limited"}
	}
	return err
}

// toolNames are the tools the caller can see.
func (inv *Invoker) toolNames(caller Caller) []string {
	var out []string
	for _, s := range inv.Tools.Specs() {
		if inv.VisibleTo(caller, &s) {
			out = append(out, s.Name)
		}
	}
	return out
}

func (inv *Invoker) unknownTool(caller Caller, name string) error {
	return &ToolError{Msg: fmt.Sprintf("unknown tool %q%s", name, didYouMean(name, inv.toolNames(caller))), Kind: "invalid_argument"}
}

// VisibleTo reports whether the caller may see the tool: a tool for some
// tenants only (Spec.Tenants) is visible to callers allowed one of them.
func (inv *Invoker) VisibleTo(caller Caller, spec *Spec) bool {
	if len(spec.Tenants) == 0 {
		return true
	}
	return inv.defaultTenantFor(caller, spec) != ""
}

// Sees reports whether the caller sees spec in tools/list: its roles allow
// the tool (a caller without roles is allowed every tool) and the tool is
// for one of its tenants. Listings and the schema resources both use it.
func (inv *Invoker) Sees(caller Caller, spec *Spec) bool {
	return inv.Permits(caller, spec.Name) && inv.VisibleTo(caller, spec)
}

// defaultTenantFor is the first tenant the caller may use that the tool is
// for ("" when the tool is for every tenant, or for none of the caller's).
func (inv *Invoker) defaultTenantFor(caller Caller, spec *Spec) string {
	if len(spec.Tenants) == 0 {
		return ""
	}
	for _, t := range inv.Tenants.Permitted(caller.Tenants) {
		if spec.ForTenant(t.Alias) {
			return t.Alias
		}
	}
	return ""
}

// splitTenantArg removes the core's "tenant" argument from the tool's own arguments.
func splitTenantArg(raw json.RawMessage) (json.RawMessage, string, error) {
	if len(raw) == 0 || noTenantKey(raw) {
		return raw, "", nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", Errorf("arguments must be a JSON object: %v", err)
	}
	tv, ok := m["tenant"]
	if !ok {
		return raw, "", nil
	}
	var name string
	if err := json.Unmarshal(tv, &name); err != nil {
		return nil, "", Errorf("argument \"tenant\" must be a string (a tenant alias or ID)")
	}
	delete(m, "tenant")
	rest, err := json.Marshal(m)
	if err != nil {
		return nil, "", fmt.Errorf("re-encode arguments: %w", err)
	}
	return rest, name, nil
}

// noTenantKey reports, without decoding, that raw is a JSON object none of
// whose keys can be "tenant": it is valid JSON starting with '{', holds no
// quoted "tenant", and no \u escape that could spell one of its letters
// (a key written as "\u0074enant" decodes to it; the encoder's \u003c,
// \u003e and \u0026, and escapes such as \" and \n, cannot). Most calls
// take this path, KQL queries with quotes, < or > included; the rest are
// decoded.
func noTenantKey(raw json.RawMessage) bool {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && !escapesTenantLetter(raw) &&
		!bytes.Contains(raw, []byte(`"tenant"`)) && json.Valid(raw)
}

// escapesTenantLetter reports a \u00XX escape of t, e, n or a (either
// case of hex digit). It errs on the safe side: an escaped backslash
// followed by such text also counts.
func escapesTenantLetter(raw []byte) bool {
	for i := 0; ; i++ {
		j := bytes.Index(raw[i:], []byte(`\u00`))
		if j < 0 {
			return false
		}
		i += j
		if i+5 < len(raw) {
			hi, lo := raw[i+4], raw[i+5]|0x20 // hex digit, lower case
			if (hi == '7' && lo == '4') || (hi == '6' && (lo == '5' || lo == 'e' || lo == '1')) {
				return true
			}
		}
	}
}

func render(res any) (*Output, error) {
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	b, err = SanitizeJSON(b)
	if err != nil {
		return nil, err
	}
	out := &Output{Structured: b}
	if t, ok := res.(interface{ Text() string }); ok {
		out.Text = SanitizeText(t.Text())
	} else {
		out.Text = string(b)
	}
	return out, nil
}

// digest is the audit line's keyed digest of the arguments: HMAC-SHA256
// with the deployment's key, first 128 bits in hex. Equal arguments give
// equal digests (calls can be correlated) but nobody without the key can
// test a guess such as {"id":"1000"} against it.
func digest(key []byte, raw json.RawMessage) string {
	pool := macPool(key)
	m := pool.Get().(hash.Hash)
	m.Reset()
	m.Write(raw)
	var sum [sha256.Size]byte
	out := hex.EncodeToString(m.Sum(sum[:0])[:16])
	pool.Put(m)
	return out
}

// macPools keeps, per audit key, HMACs to reuse: a fresh one per call was
// six allocations of the HTTP call path (issue 16). Reset clears all state
// of the previous arguments before each use.
var macPools sync.Map // string(key) → *sync.Pool of hash.Hash

func macPool(key []byte) *sync.Pool {
	if p, ok := macPools.Load(string(key)); ok {
		return p.(*sync.Pool)
	}
	k := bytes.Clone(key)
	p, _ := macPools.LoadOrStore(string(k), &sync.Pool{New: func() any { return hmac.New(sha256.New, k) }})
	return p.(*sync.Pool)
}

func newRef() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type auditRecord struct {
	Principal, Tenant, Tool, ArgsDigest string
	// Units are the capacity units the call spent: its price and what it
	// charged for work done on the caller's behalf (calls it made through
	// the invoker have their own lines).
	Units atomic.Int64
}

func (a *auditRecord) finish(log *slog.Logger, err error, d time.Duration) {
	if log == nil {
		return
	}
	outcome := "ok"
	var te *ToolError
	switch {
	case errors.As(err, &te):
		outcome = te.Kind
	case err != nil:
		outcome = "error"
	}
	// LogAttrs with typed attributes writes the same line as Info with
	// key-value pairs, without boxing each value (issue 16).
	log.LogAttrs(context.Background(), slog.LevelInfo, "call", slog.String("principal", a.Principal), slog.String("tenant", a.Tenant),
		slog.String("tool", a.Tool), slog.String("args_hmac", a.ArgsDigest), slog.Int64("units", a.Units.Load()),
		slog.String("outcome", outcome), slog.Int64("duration_ms", d.Milliseconds()))
}
