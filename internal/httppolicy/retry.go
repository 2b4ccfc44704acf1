package httppolicy

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"
)

// outcome is what one attempt produced and what the policy makes of it.
type outcome struct {
	retry      bool
	throttle   bool          // 429/503: exhausting retries yields ThrottledError
	retryAfter time.Duration // upstream advice, valid when hasAfter
	hasAfter   bool
}

// attempts runs the retry loop. The returned response (if any) is the one to
// hand to the caller; every other response has been drained and closed.
func (t *transport) attempts(ctx context.Context, req *http.Request, getBody func() (io.ReadCloser, error)) (*http.Response, error) {
	idempotent := isSafeMethod(req.Method) || t.o.Idempotent(req)
	var slept time.Duration // the wait this call just served; it counts toward the gate
	for attempt := 0; ; attempt++ {
		if err := t.waitGate(ctx, req, slept); err != nil {
			return nil, err
		}
		body, err := getBody()
		if err != nil {
			return nil, err
		}
		r := req.Clone(ctx)
		r.Body = body
		resp, err := t.base.RoundTrip(r)
		if ctx.Err() != nil {
			closeBody(resp)
			return nil, ctx.Err()
		}
		oc := t.classify(resp, err, idempotent)
		if oc.hasAfter && oc.throttle {
			t.o.Gate.Close(req.URL.Host, t.o.Now().Add(oc.retryAfter))
		}
		if !oc.retry {
			return resp, err
		}
		delay := t.backoff(attempt)
		if oc.hasAfter {
			delay = oc.retryAfter
		}
		tooLong := oc.hasAfter && oc.retryAfter > t.o.MaxRetryAfter
		if attempt >= t.o.MaxRetries || tooLong || !fits(ctx, t.o.Now(), delay) {
			if oc.throttle {
				closeBody(resp)
				return nil, t.throttled(req, delay)
			}
			return resp, err
		}
		closeBody(resp)
		t.o.Logger.Debug("httppolicy: retrying", "tenant", t.o.Tenant, "method", req.Method,
			"host", req.URL.Host, "path", req.URL.Path, "status", status(resp), "error", errString(err),
			"attempt", attempt+1, "delay_ms", delay.Milliseconds())
		if err := t.o.Sleep(ctx, delay); err != nil {
			return nil, err
		}
		slept = delay
	}
}

func (t *transport) classify(resp *http.Response, err error, idempotent bool) outcome {
	if err != nil {
		return outcome{retry: transientNetErr(err) && (idempotent || errors.Is(err, syscall.ECONNREFUSED))}
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		d, ok := RetryAfter(resp.Header, t.o.Now())
		return outcome{retry: true, throttle: true, retryAfter: d, hasAfter: ok}
	case http.StatusGatewayTimeout:
		d, ok := RetryAfter(resp.Header, t.o.Now())
		return outcome{retry: idempotent, retryAfter: d, hasAfter: ok}
	}
	return outcome{}
}

// backoff is exponential with "equal jitter": a delay in [d/2, d] where d
// doubles per attempt from BaseDelay up to MaxDelay.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.o.BaseDelay
	for i := 0; i < attempt && d < t.o.MaxDelay; i++ {
		d *= 2
	}
	if d > t.o.MaxDelay {
		d = t.o.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func isSafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// transientNetErr reports connection-level failures worth another attempt.
// Context cancellation is never transient.
func transientNetErr(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func closeBody(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

func status(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
