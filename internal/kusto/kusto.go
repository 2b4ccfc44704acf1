// Package kusto implements source.Kusto with the Azure Data Explorer SDK
// (github.com/Azure/azure-kusto-go/azkustodata v1.2.3): KQL against an ADX
// cluster, against a Sentinel (Log Analytics) workspace through the ADX proxy,
// or against the emulator's Kusto endpoint, which speaks the same protocol.
//
// The SDK does the HTTP call, the authentication and the v2 frame decoding.
// This package adds what a server answering a model needs around it:
//
//   - A guard between the HTTP body and the SDK's decoder checks each frame
//     line before the SDK sees it (row width against the column count, frame
//     order, a complete data set, a byte cap). The SDK indexes row cells by
//     column without a bounds check, in a goroutine of its own, so a row with
//     one cell too many would crash the process; and it silently accepts a
//     stream cut off between tables. Both become errors here.
//   - Results are bounded: at most Options.MaxRows rows are kept, the query
//     asks the service for one more (query_take_max_records) so truncation is
//     detected without transferring the rest, and Result.Truncated says so.
//   - Errors name the database and carry the service's own sentence (the
//     OneApi "@message"), and throttling (429, 503, or the shared retry
//     policy giving up) becomes *source.ThrottledError with the Retry-After
//     advice, recorded by a small transport wrapper because the SDK's HTTP
//     error does not keep response headers.
//   - Cells become plain Go values (see convert.go); no SDK type escapes.
//
// Sentinel: a Log Analytics workspace answers ADX queries at
// https://ade.loganalytics.io/subscriptions/<sub>/resourcegroups/<rg>/providers/microsoft.operationalinsights/workspaces/<ws>
// (SentinelEndpoint builds it); the database is the workspace name, and the
// token audience comes from the proxy's auth metadata. The SDK trusts that
// host and any loopback address (the emulator) without configuration.
package kusto

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-kusto-go/azkustodata"
	"github.com/Azure/azure-kusto-go/azkustodata/kql"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/secmcp/secmcp/internal/source"
)

// Defaults for Options.
const (
	// DefaultTimeout is Log Analytics' documented maximum query time
	// (contract logAnalytics.query); an ADX cluster's own limit answers first.
	DefaultTimeout          = 10 * time.Minute
	DefaultMaxRows          = 10000
	DefaultMaxResponseBytes = 64 << 20
)

// Options configures New. Zero values select the defaults.
type Options struct {
	// HTTPClient carries the shared transport (internal/httppolicy). It is
	// copied, not modified. Default: a client with http.DefaultTransport.
	HTTPClient *http.Client
	// DefaultDatabase is used when Query is called with database "".
	DefaultDatabase string
	// Timeout bounds one query, SDK calls included (default DefaultTimeout).
	// The SDK sends the remaining time to the service as servertimeout.
	Timeout time.Duration
	// MaxRows is the most rows kept from the primary result (default DefaultMaxRows).
	MaxRows int
	// MaxResponseBytes caps the decoded response size (default DefaultMaxResponseBytes).
	MaxResponseBytes int64
}

// Client runs KQL queries on one Kusto endpoint. It is safe for concurrent use.
type Client struct {
	sdk      *azkustodata.Client
	endpoint string
	opts     Options
}

var _ source.Kusto = (*Client)(nil)

// New returns a client for the cluster (or ADX proxy) URL endpoint, which
// must be https, authenticating with cred.
func New(endpoint string, cred azcore.TokenCredential, opts Options) (c *Client, err error) {
	defer func() { // the SDK's connection-string builder panics on input it dislikes
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("kusto: new client for %q: %v", endpoint, p)
		}
	}()
	if cred == nil {
		return nil, errors.New("kusto: new client: no token credential")
	}
	ep, err := checkEndpoint(endpoint)
	if err != nil {
		return nil, fmt.Errorf("kusto: new client: %w", err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	hc := recordingClient(opts.HTTPClient)
	kcsb := azkustodata.NewConnectionStringBuilder(ep).WithTokenCredential(cred)
	// Without this the SDK sends the OS user name in x-ms-user on every call.
	kcsb.SetConnectorDetails("secmcp", "1", "secmcp", "", false, "")
	sdk, err := azkustodata.New(kcsb, azkustodata.WithHttpClient(hc))
	if err != nil {
		return nil, fmt.Errorf("kusto: new client for %s: %w", ep, err)
	}
	return &Client{sdk: sdk, endpoint: ep, opts: opts}, nil
}

// checkEndpoint accepts an absolute https URL without query, fragment or the
// characters the SDK's connection-string parser would split on (it panics on
// some of them).
func checkEndpoint(endpoint string) (string, error) {
	endpoint = strings.TrimRight(strings.TrimSpace(endpoint), "/")
	if strings.ContainsAny(endpoint, ";=") {
		return "", fmt.Errorf("endpoint %q: must be a plain URL without ';' or '='", endpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("endpoint %q: want https://host[/path] (tokens are never sent over plain http)", endpoint)
	}
	return endpoint, nil
}

// SentinelEndpoint returns the ADX proxy URL of a Log Analytics workspace:
// https://ade.loganalytics.io/subscriptions/<sub>/resourcegroups/<rg>/providers/microsoft.operationalinsights/workspaces/<ws>.
// Query it with the workspace name as the database.
func SentinelEndpoint(subscriptionID, resourceGroup, workspaceName string) (string, error) {
	for name, v := range map[string]string{"subscription id": subscriptionID, "resource group": resourceGroup, "workspace name": workspaceName} {
		if strings.TrimSpace(v) == "" || strings.ContainsAny(v, "/?#;=% \t\r\n") {
			return "", fmt.Errorf("kusto: sentinel endpoint: invalid %s %q", name, v)
		}
	}
	return "https://ade.loganalytics.io/subscriptions/" + subscriptionID +
		"/resourcegroups/" + resourceGroup +
		"/providers/microsoft.operationalinsights/workspaces/" + workspaceName, nil
}

// Endpoint returns the endpoint the client queries.
func (c *Client) Endpoint() string { return c.endpoint }

// Close releases idle connections.
func (c *Client) Close() error { return c.sdk.Close() }

// Result is a bounded query result.
type Result struct {
	Table *source.Table
	// Truncated reports that the primary result had more than MaxRows rows
	// and only the first MaxRows are in Table.
	Truncated bool
}

// Query implements source.Kusto. It returns at most Options.MaxRows rows;
// use QueryResult to learn whether rows were cut.
func (c *Client) Query(ctx context.Context, database, query string) (*source.Table, error) {
	res, err := c.QueryResult(ctx, database, query)
	if err != nil {
		return nil, err
	}
	return res.Table, nil
}

// QueryResult runs query on database (Options.DefaultDatabase when "") and
// returns the primary result, bounded by Options.MaxRows.
func (c *Client) QueryResult(ctx context.Context, database, query string) (*Result, error) {
	if database == "" {
		database = c.opts.DefaultDatabase
	}
	if database == "" {
		return nil, errors.New("kusto query: no database given and no default database configured")
	}
	if strings.TrimSpace(query) == "" {
		return nil, fmt.Errorf("kusto query on database %q: empty query", database)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	ctx, rec := withRecord(ctx)
	res, err := c.run(ctx, database, query)
	if err != nil {
		return nil, mapError(ctx, database, err, rec)
	}
	return res, nil
}

func (c *Client) run(ctx context.Context, database, query string) (*Result, error) {
	opts := []azkustodata.QueryOption{
		azkustodata.V2NewlinesBetweenFrames(),
		azkustodata.V2FragmentPrimaryTables(),
		azkustodata.ResultsErrorReportingPlacement(azkustodata.ResultsErrorReportingPlacementEndOfTable),
		azkustodata.QueryTakeMaxRecords(int64(c.opts.MaxRows) + 1),
	}
	body, err := c.sdk.RawV2(ctx, database, kql.New("").AddUnsafe(query), opts)
	if err != nil {
		return nil, err
	}
	return readDataSet(ctx, body, c.opts.MaxRows, c.opts.MaxResponseBytes)
}
