// Package httppolicy is the one HTTP policy every outbound call of the server
// goes through (Graph via msgraph-sdk-go, Kusto via azkustodata, the Entra
// token endpoint via azidentity): bounded retries with exponential back-off and
// jitter for 429, 503, 504 and transient network errors; Retry-After honoured
// up to a cap; a per-call deadline; and a per-tenant throttle gate.
//
// It is an http.RoundTripper rather than an azcore or kiota policy because it
// is the only layer all three SDKs share: each of them accepts an
// *http.Client (or a policy.Transporter, which *http.Client satisfies). Build
// one transport per tenant with New and disable the SDKs' own retry layers so
// attempts are not multiplied.
//
// Idempotency: GET, HEAD, OPTIONS, PUT and DELETE are retried on every
// retryable outcome. POST is retried on 429 and 503 (the upstream refused the
// request, it did not run it) and on connection-refused; other failures of a
// POST are retried only when Options.Idempotent says the call is a read, which
// by default is true for Defender's runHuntingQuery, Kusto queries and the
// token endpoint.
//
// Throttling: a 429 or 503 carrying Retry-After closes the tenant's Gate for
// that host. Later calls of the same tenant wait for the gate to open when the
// wait is at most MaxRetryAfter and fits their deadline, and otherwise fail
// fast with *source.ThrottledError. When retries are exhausted on 429/503 the
// transport also returns *source.ThrottledError (wrapped by net/http in a
// *url.Error; use errors.As). Other tenants have their own Gate and are not
// affected.
//
// The policy never logs request or response headers, so Authorization headers
// and tokens cannot leak through it; it logs method, host, path, status,
// attempt and delay only.
package httppolicy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// Options configures New. Zero values select the defaults noted per field.
type Options struct {
	// MaxRetries is the number of retries after the first attempt (default 3;
	// negative disables retries).
	MaxRetries int
	// BaseDelay is the first back-off delay before jitter (default 500ms).
	BaseDelay time.Duration
	// MaxDelay caps the exponential back-off (default 8s).
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the policy waits for; longer
	// advice fails fast with *source.ThrottledError (default 30s).
	MaxRetryAfter time.Duration
	// Timeout is the deadline of one logical call, all attempts and waits
	// included, until the response body is closed (default 0: only the
	// request context bounds the call).
	Timeout time.Duration
	// Tenant labels log lines and errors (the tenant alias).
	Tenant string
	// Service names the upstream in *source.ThrottledError (default: the request host).
	Service string
	// Gate is the tenant's throttle gate, shared by all of the tenant's
	// transports (default: a gate private to this transport).
	Gate *Gate
	// Idempotent reports whether a POST may be retried after failures other
	// than 429/503 (default DefaultIdempotent).
	Idempotent func(*http.Request) bool
	// Sleep waits for d or until ctx is done (default: a timer). Tests inject
	// a recorder to run without real waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Logger receives one Debug line per retry (default: discard).
	Logger *slog.Logger
}

// DefaultIdempotent reports whether a POST is a read that may be repeated:
// Defender Advanced Hunting, Kusto/Log Analytics queries and OAuth token
// requests.
func DefaultIdempotent(r *http.Request) bool {
	p := strings.ToLower(r.URL.Path)
	for _, suffix := range []string{"/security/runhuntingquery", "/v2/rest/query", "/v1/rest/query", "/oauth2/v2.0/token", "/oauth2/token"} {
		if strings.HasSuffix(p, suffix) {
			return true
		}
	}
	return false
}

// New wraps base (http.DefaultTransport when nil) with the policy.
func New(base http.RoundTripper, opts Options) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 3
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = 500 * time.Millisecond
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 8 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 30 * time.Second
	}
	if opts.Gate == nil {
		opts.Gate = NewGate()
	}
	if opts.Idempotent == nil {
		opts.Idempotent = DefaultIdempotent
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &transport{base: base, o: opts}
}

type transport struct {
	base http.RoundTripper
	o    Options
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RoundTrip runs req with the policy. It always closes req.Body.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if t.o.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.o.Timeout)
	}
	getBody, err := rewindable(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := t.attempts(ctx, req, getBody)
	if err != nil || resp == nil {
		cancel()
		return resp, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// rewindable returns a function producing a fresh copy of req's body for each
// attempt, buffering the body when the caller gave no GetBody.
func rewindable(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return func() (io.ReadCloser, error) { return http.NoBody, nil }, nil
	}
	if req.GetBody != nil {
		_ = req.Body.Close()
		return req.GetBody, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("httppolicy: read request body: %w", err)
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, nil
}

// cancelOnClose releases the per-call deadline when the caller is done with the body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func (t *transport) service(req *http.Request) string {
	if t.o.Service != "" {
		return t.o.Service
	}
	return req.URL.Host
}

func (t *transport) throttled(req *http.Request, d time.Duration) error {
	return &source.ThrottledError{RetryAfter: d, Service: t.service(req)}
}

// waitGate blocks while the tenant's gate for this host is closed, or fails
// fast when the wait is too long for the cap or the deadline. credit is the
// back-off this call has just slept: a gate it closed itself and already
// waited out is not waited for twice.
func (t *transport) waitGate(ctx context.Context, req *http.Request, credit time.Duration) error {
	d := t.o.Gate.Remaining(req.URL.Host, t.o.Now())
	if d <= credit {
		return nil
	}
	if d > t.o.MaxRetryAfter || !fits(ctx, t.o.Now(), d) {
		return t.throttled(req, d)
	}
	return t.o.Sleep(ctx, d)
}

// fits reports whether waiting d still leaves time before ctx's deadline.
func fits(ctx context.Context, now time.Time, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || now.Add(d).Before(dl)
}
