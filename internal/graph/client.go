// Package graph implements source.Graph with the Microsoft Graph Go SDK
// (msgraph-sdk-go). It is the only package of the module that imports the
// SDK, because the SDK costs minutes and gigabytes to compile: tool packages
// depend on the source interfaces and never pay for it.
//
// The client uses the SDK's typed request builders with a caller-supplied
// *http.Client, so the SDK's own middleware (retry, redirect, compression)
// is not installed: retries, Retry-After and per-tenant throttling belong to
// internal/httppolicy, which the caller puts in HTTPClient. Pointing BaseURL
// at the fixtures emulator runs this exact code against demo tenants.
//
// Results are converted into the trimmed source types; all alert evidence
// kinds are flattened into source.Evidence. Errors: a 404 becomes a wrapped
// source.ErrNotFound naming the object; persistent 429/503 become
// *source.ThrottledError (from httppolicy, or mapped here when the transport
// let the response through); other failures carry Graph's error code and
// message. SDK panics on hostile payloads are recovered into errors.
//
// Paging: Page.Next is the offset of the next page ($skip) when Graph's
// @odata.nextLink carries one, or the nextLink itself for endpoints that page
// with $skiptoken (auditLogs/signIns, identityProtection on the live
// service); ListOptions.Continuation resumes from it, after checking that it
// points at the same collection of this client's Graph.
package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/secmcp/secmcp/internal/httppolicy"
	"github.com/secmcp/secmcp/internal/source"
)

// DefaultBaseURL is the public-cloud Graph v1.0 root.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// Options configures New.
type Options struct {
	// BaseURL is the Graph v1.0 root (default DefaultBaseURL; the national
	// cloud's or the emulator's GraphURL() otherwise).
	BaseURL string
	// HTTPClient sends the requests; give it the tenant's httppolicy
	// transport (default: http.DefaultTransport wrapped in httppolicy.New).
	HTTPClient *http.Client
	// Scopes requested for tokens (default: "<scheme>://<graph host>/.default"
	// for public cloud hosts, "https://graph.microsoft.com/.default" otherwise,
	// which is what the emulator expects).
	Scopes []string
	// Service names Graph in throttling errors (default "graph").
	Service string
}

// Client is one tenant's Graph source. It is safe for concurrent use.
type Client struct {
	sdk     *msgraph.GraphServiceClient
	service string
	base    *url.URL
}

var _ source.Graph = (*Client)(nil)

// New builds a Graph client that authenticates with cred.
func New(cred azcore.TokenCredential, opts Options) (*Client, error) {
	if cred == nil {
		return nil, errors.New("graph: new client: credential is nil")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || u.Scheme != "https" {
		return nil, fmt.Errorf("graph: new client: base URL %q must be an absolute https URL", opts.BaseURL)
	}
	scopes := opts.Scopes
	if len(scopes) == 0 {
		scopes = []string{defaultScope(u)}
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: httppolicy.New(nil, httppolicy.Options{Service: "graph"})}
	}
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, scopes, []string{u.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph: new client: %w", err)
	}
	adapter, err := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
	if err != nil {
		return nil, fmt.Errorf("graph: new client: %w", err)
	}
	adapter.SetBaseUrl(base)
	svc := opts.Service
	if svc == "" {
		svc = "graph"
	}
	return &Client{sdk: msgraph.NewGraphServiceClient(adapter), service: svc, base: u}, nil
}

// defaultScope is the .default scope of the Graph host; hosts that are not a
// Microsoft Graph endpoint (the emulator) get the public Graph scope.
func defaultScope(u *url.URL) string {
	h := strings.ToLower(u.Hostname())
	if strings.HasPrefix(h, "graph.") || strings.HasPrefix(h, "dod-graph.") || strings.HasPrefix(h, "microsoftgraph.") {
		return "https://" + h + "/.default"
	}
	return "https://graph.microsoft.com/.default"
}

// statusError is what kiota's API errors expose.
type statusError interface {
	error
	GetStatusCode() int
	GetResponseHeaders() *abs.ResponseHeaders
}

// mapErr turns an SDK error into the source error contract. It never wraps
// the SDK's ODataError itself: its Error() dereferences fields that a
// malformed error body leaves nil.
func (c *Client) mapErr(op, id string, err error) error {
	if err == nil {
		return nil
	}
	var te *source.ThrottledError
	if errors.As(err, &te) {
		return fmt.Errorf("graph: %s: %w", op, te)
	}
	var se statusError
	if !errors.As(err, &se) {
		var ue *url.Error
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("graph: %s: response body was cut short: %w", op, err)
		case errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("graph: %s: request failed: %w", op, err)
		}
		return fmt.Errorf("graph: %s: malformed response: %w", op, err)
	}
	status := se.GetStatusCode()
	code, msg := odataDetail(err)
	switch {
	case status == http.StatusNotFound:
		if id != "" {
			return fmt.Errorf("graph: %s %q: %w", op, id, source.ErrNotFound)
		}
		return fmt.Errorf("graph: %s: %w", op, source.ErrNotFound)
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return fmt.Errorf("graph: %s: %w", op, &source.ThrottledError{RetryAfter: retryAfter(se.GetResponseHeaders()), Service: c.service})
	}
	return fmt.Errorf("graph: %s: HTTP %d %s: %s", op, status, code, msg)
}

func odataDetail(err error) (code, msg string) {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe != nil {
		if me := oe.GetErrorEscaped(); me != nil {
			code, msg = str(me.GetCode()), str(me.GetMessage())
		}
	}
	if code == "" {
		code = "UnknownError"
	}
	if msg == "" {
		msg = "no error message in the response"
	}
	return code, msg
}

func retryAfter(h *abs.ResponseHeaders) time.Duration {
	if h == nil {
		return 0
	}
	hh := http.Header{}
	for _, k := range h.ListKeys() {
		for _, v := range h.Get(k) {
			hh.Add(k, v)
		}
	}
	d, _ := httppolicy.RetryAfter(hh, time.Now())
	return d
}

// recoverTo converts an SDK panic into an error for the named operation.
func recoverTo(err *error, op string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("graph: %s: malformed response from Graph (%v)", op, r)
	}
}

// nextOffset returns the Page.Next cursor for a page fetched at skip: the
// next $skip offset, or — for endpoints that page with $skiptoken — the
// nextLink itself, to come back as ListOptions.Continuation.
func nextOffset(nextLink *string, skip, n int) string {
	if nextLink == nil || *nextLink == "" {
		return ""
	}
	u, err := url.Parse(*nextLink)
	if err != nil {
		return strconv.Itoa(skip + n)
	}
	q := u.Query()
	if s := q.Get("$skip"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > skip {
			return s
		}
	}
	if q.Get("$skiptoken") != "" {
		return *nextLink
	}
	return strconv.Itoa(skip + n)
}

// collectionPage is a Graph collection response.
type collectionPage[M any] interface {
	GetValue() []M
	GetOdataNextLink() *string
}

// eachItem calls fn for every item of a collection, following
// @odata.nextLink for at most maxPages further pages; get fetches the first
// page when next is "" and the page at next otherwise.
func eachItem[M any, P collectionPage[M]](ctx context.Context, get func(ctx context.Context, next string) (P, error), fn func(M)) error {
	next := ""
	for page := 0; page <= maxPages; page++ {
		resp, err := get(ctx, next)
		if err != nil {
			return err
		}
		for _, it := range resp.GetValue() {
			fn(it)
		}
		if next = str(resp.GetOdataNextLink()); next == "" {
			return nil
		}
	}
	return nil
}

// continuation checks an upstream continuation a caller passed back in a
// cursor: it must point into this client's Graph, at the same collection,
// so a crafted cursor cannot make the server send the tenant's token
// anywhere else or read another collection.
func (c *Client) continuation(link, collection string) (string, error) {
	u, err := url.Parse(link)
	want := strings.TrimRight(c.base.Path, "/") + "/" + collection
	if err != nil || u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil ||
		u.Fragment != "" || !strings.EqualFold(strings.TrimRight(u.Path, "/"), want) {
		return "", fmt.Errorf("graph: the cursor does not continue a %s listing of this tenant; pass the cursor from the previous result unchanged: %w", collection, source.ErrInvalid)
	}
	return u.String(), nil
}
