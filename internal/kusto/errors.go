package kusto

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	kerrors "github.com/Azure/azure-kusto-go/azkustodata/errors"
	queryv2 "github.com/Azure/azure-kusto-go/azkustodata/query/v2"

	"github.com/secmcp/secmcp/internal/source"
)

// callRecord collects, per query, what the transport saw that the SDK's
// errors lose: the status and Retry-After of a throttling response, or the
// retry policy's own *source.ThrottledError.
type callRecord struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	throttled  *source.ThrottledError
}

type recordKey struct{}

func withRecord(ctx context.Context) (context.Context, *callRecord) {
	rec := &callRecord{}
	return context.WithValue(ctx, recordKey{}, rec), rec
}

func (r *callRecord) get() (int, time.Duration, *source.ThrottledError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status, r.retryAfter, r.throttled
}

// recordingTransport records throttling outcomes into the request's callRecord.
type recordingTransport struct{ base http.RoundTripper }

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	rec, ok := req.Context().Value(recordKey{}).(*callRecord)
	if !ok {
		return resp, err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var te *source.ThrottledError
	if errors.As(err, &te) {
		rec.throttled = te
	}
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		rec.status = resp.StatusCode
		rec.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

// recordingClient copies hc (or a default client) with the recording
// transport around its transport. Redirects are not followed: the SDK's
// own default, and a query must not be replayed elsewhere.
func recordingClient(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = recordingTransport{base: base}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > 86400 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// mapError turns an SDK, transport or guard error into the package's error:
// `kusto query on database "X": <the service's sentence>`, keeping
// *source.ThrottledError and context errors reachable with errors.As/Is.
func mapError(ctx context.Context, database string, err error, rec *callRecord) error {
	prefix := fmt.Sprintf("kusto query on database %q", database)
	status, retryAfter, throttled := rec.get()
	var te *source.ThrottledError
	var he *kerrors.HttpError
	errors.As(err, &he)
	var se *serverError
	var oe *queryv2.OneApiError
	var fe *source.ForbiddenError
	switch {
	case errors.As(err, &fe): // the on-behalf-of exchange failed
		return fmt.Errorf("%s: %w", prefix, fe)
	case errors.As(err, &te):
		return fmt.Errorf("%s: %w", prefix, te)
	case throttled != nil:
		return fmt.Errorf("%s: %w", prefix, throttled)
	case he != nil && (he.StatusCode == http.StatusTooManyRequests || he.StatusCode == http.StatusServiceUnavailable),
		he == nil && status != 0: // e.g. the auth-metadata probe was throttled
		return fmt.Errorf("%s: %w", prefix, &source.ThrottledError{RetryAfter: retryAfter, Service: "kusto"})
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", prefix, ctx.Err())
	case he != nil && (he.StatusCode == http.StatusForbidden || he.StatusCode == http.StatusUnauthorized):
		// The workspace (or cluster) refused the caller: no Log Analytics
		// Reader / Microsoft Sentinel Reader role for the app or user.
		// https://learn.microsoft.com/azure/azure-monitor/logs/manage-access
		return fmt.Errorf("%s: %w", prefix, &source.ForbiddenError{Service: "logAnalytics", What: "query workspace " + database,
			Endpoint: "logAnalytics.query", Message: fmt.Sprintf("%s (HTTP %d)", httpErrorText(he), he.StatusCode)})
	case he != nil:
		return fmt.Errorf("%s: %s (HTTP %d)", prefix, httpErrorText(he), he.StatusCode)
	case errors.As(err, &se):
		return fmt.Errorf("%s: %w", prefix, se)
	case errors.As(err, &oe):
		return fmt.Errorf("%s: %w", prefix, &serverError{msg: oneAPIText(oe)})
	}
	if ke, ok := err.(*kerrors.Error); ok && ke.Err != nil {
		err = ke.Err // drop the SDK's "Op(OpQuery): Kind(KInternal): " prefix
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// httpErrorText extracts the service's sentence from an HTTP error body:
// the OneApi "@message", else the messages of Log Analytics' nested
// innererror objects (the cause; the top-level message is generic, see
// contract.DocLAErrors), else "message", else the body itself.
func httpErrorText(he *kerrors.HttpError) string {
	if m := he.UnmarshalREST(); m != nil {
		if e, ok := m["error"].(map[string]any); ok {
			if s, ok := e["@message"].(string); ok && strings.TrimSpace(s) != "" {
				return s
			}
			if inner := innerMessages(e); inner != "" {
				return inner
			}
			for _, k := range []string{"message", "code"} {
				if s, ok := e[k].(string); ok && strings.TrimSpace(s) != "" {
					return s
				}
			}
		}
	}
	text := he.Error()
	if i := strings.Index(text, "):\n"); i >= 0 { // the SDK prefixes "<context>(<status>):\n<body>"
		text = text[i+3:]
	}
	text = strings.TrimSpace(text)
	if len(text) > 500 {
		text = text[:500] + "…"
	}
	if text == "" {
		text = "the service returned an error without a body"
	}
	return text
}

func oneAPIText(e *queryv2.OneApiError) string {
	var o oneAPIError
	o.Error.Code, o.Error.Message, o.Error.Detail = e.ErrorMessage.Code, e.ErrorMessage.Message, e.ErrorMessage.Description
	return o.text()
}

// innerMessages joins the messages of an error's innererror chain, outermost
// first, after the top-level message: "top: inner: innermost". "" when the
// error has no innererror.
func innerMessages(e map[string]any) string {
	var parts []string
	if s, ok := e["message"].(string); ok && strings.TrimSpace(s) != "" {
		parts = append(parts, strings.TrimSpace(s))
	}
	inner, ok := e["innererror"].(map[string]any)
	for depth := 0; ok && depth < 8; depth++ {
		if s, isStr := inner["message"].(string); isStr && strings.TrimSpace(s) != "" {
			parts = append(parts, strings.TrimSpace(s))
		} else if c, isStr := inner["code"].(string); isStr && c != "" {
			parts = append(parts, c)
		}
		inner, ok = inner["innererror"].(map[string]any)
	}
	if len(parts) < 2 {
		return ""
	}
	return strings.Join(parts, ": ")
}
