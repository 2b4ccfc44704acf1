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
// Paging follows the contract (internal/contract): Page.Next is Graph's
// @odata.nextLink itself, for every listing, and ListOptions.Continuation
// resumes from it unchanged after checking that it points at the same
// collection of this client's Graph — the client never rebuilds a link from
// $skip offsets, and sends $skip only where the endpoint documents it.
//
// Every request carries Prefer: include-unknown-enum-members, so evolvable
// enum members newer than the SDK (reportOnly* CA results, newer alert
// service sources, incident status awaitingAction) arrive as themselves
// instead of "unknownFutureValue".
package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/secmcp/secmcp/internal/contract"
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
	// Timeout bounds one Graph read, retries included (default
	// DefaultTimeout); runHuntingQuery gets its documented 3 minutes instead.
	Timeout time.Duration
}

// DefaultTimeout bounds a Graph read other than runHuntingQuery.
const DefaultTimeout = 2 * time.Minute

// Client is one tenant's Graph source. It is safe for concurrent use.
type Client struct {
	sdk     *msgraph.GraphServiceClient
	adapter abs.RequestAdapter // sends the lean models' requests (lean.go)
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
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc = withGraphTransport(hc, timeout)
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
	return &Client{sdk: msgraph.NewGraphServiceClient(adapter), adapter: adapter, service: svc, base: u}, nil
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
	var fe *source.ForbiddenError
	if errors.As(err, &fe) { // the on-behalf-of exchange failed
		return fmt.Errorf("graph: %s: %w", op, fe)
	}
	if errors.Is(err, source.ErrInvalid) { // refused before any request, e.g. a crafted cursor
		return err
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
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		// 403: the caller (the app, or the signed-in user on-behalf-of)
		// lacks the permission or role; 401: Graph did not accept the
		// token. https://learn.microsoft.com/graph/errors
		return fmt.Errorf("graph: %s: %w", op, &source.ForbiddenError{Service: c.service, What: op, Endpoint: opEndpoints[op], Code: code, Message: firstSentence(msg)})
	}
	return fmt.Errorf("graph: %s: HTTP %d %s: %s", op, status, code, msg)
}

// opEndpoints maps each operation name to its contract endpoint, so a
// refusal can name the permission the call needs.
var opEndpoints = map[string]string{
	"list incidents": "incidents.list", "get incident": "incidents.get", "list alerts": "alerts.list",
	"get alert": "alerts.get", "run hunting query": "hunting.run", "list sign-ins": "signIns.list",
	"get sign-in": "signIns.get", "list risky users": "riskyUsers.list", "list risk detections": "riskDetections.list",
	"list conditional access policies": "caPolicies.list", "list named locations": "namedLocations.list",
	"get user": "users.get", "get user memberships": "users.transitiveMemberOf",
	"list managed devices": "managedDevices.list", "get managed device": "managedDevices.get",
	"list device compliance": "managedDevices.compliancePolicyStates", "list compliance policies": "compliancePolicies.list",
}

// firstSentence keeps an upstream message short: its first sentence, at
// most 200 bytes.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
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

// nextLink is the Page.Next of a page: the @odata.nextLink, opaque.
func nextLink(link *string) string { return str(link) }

// graphTransport adds Prefer: include-unknown-enum-members to every request
// (contract.DocBestPractices: without it Graph turns enum members added
// after unknownFutureValue into "unknownFutureValue") and bounds each call
// by its upstream's documented limit: runHuntingQuery runs up to 3 minutes
// (contract hunting.run), other Graph reads get Options.Timeout.
type graphTransport struct {
	base             http.RoundTripper
	timeout, hunting time.Duration
}

func (t graphTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	d := t.timeout
	if strings.Contains(strings.ToLower(req.URL.Path), "runhuntingquery") {
		d = t.hunting
	}
	ctx, cancel := context.WithTimeout(req.Context(), d)
	req = req.Clone(ctx)
	if !contract.WantsUnknownEnums(req.Header) {
		req.Header.Add("Prefer", contract.PreferUnknownEnums)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases a call's deadline when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// withGraphTransport returns a copy of hc whose transport is graphTransport.
func withGraphTransport(hc *http.Client, timeout time.Duration) *http.Client {
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hunting := time.Duration(0)
	if ep, ok := contract.ByID("hunting.run"); ok {
		hunting = ep.Timeout + 30*time.Second // the service's own limit answers first
	}
	c.Transport = graphTransport{base: base, timeout: timeout, hunting: max(hunting, timeout)}
	return &c
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

// fetch gets a listing's page: the continuation link when the caller passed
// one back (checked by c.continuation), else the first page.
func fetch[R any](c *Client, cont, collection string, first func() (R, error), next func(link string) (R, error)) (R, error) {
	if cont == "" {
		return first()
	}
	link, err := c.continuation(cont, collection)
	if err != nil {
		var zero R
		return zero, err
	}
	return next(link)
}
