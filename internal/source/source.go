// Package source defines what the tools read from a tenant, independent of
// the SDKs that read it: trimmed domain types and the Graph and Kusto
// interfaces. internal/graph implements Graph with msgraph-sdk-go (the only
// package that imports it) and internal/kusto implements Kusto with
// azkustodata; tool packages depend only on this package, so their tests never
// pay for the Graph SDK's build.
package source

import (
	"context"
	"errors"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// ErrNotFound is returned (wrapped) when the requested object does not exist in
// the tenant. Tools map it to a tool error that does not reveal other tenants.
var ErrNotFound = errors.New("not found")

// ErrInvalid is returned (wrapped, with a message the caller can act on)
// when a request cannot be sent as given, e.g. a forged continuation.
var ErrInvalid = errors.New("invalid request")

// ErrThrottled is returned (wrapped in a *ThrottledError) when the upstream kept
// answering 429/503 after the retry policy gave up.
var ErrThrottled = errors.New("throttled by upstream")

// ThrottledError carries the upstream's Retry-After advice.
type ThrottledError struct {
	RetryAfter time.Duration
	Service    string
}

func (e *ThrottledError) Error() string {
	return e.Service + ": throttled by upstream, retry after " + ratelimit.RetryText(e.RetryAfter)
}

// Unwrap makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// Page is one page of a listing. Next is "" when there is no more, a
// decimal offset for the next $skip, or an upstream continuation to pass
// back as ListOptions.Continuation.
type Page[T any] struct {
	Items []T
	Next  string
	// ItemNext, when set (listings filtered after the fetch), holds for each
	// item the Next that resumes right after it, so a page cut short still
	// resumes exactly where it stopped.
	ItemNext []string
}

// ListOptions are the paging and window options every listing takes.
type ListOptions struct {
	Top   int       // page size (0 = source default)
	Skip  int       // rows to skip (from a cursor)
	Since time.Time // zero = no lower bound
	Until time.Time // zero = no upper bound
	// Continuation resumes a listing from an upstream continuation (a Graph
	// @odata.nextLink carrying a $skiptoken) returned as Page.Next; when set,
	// the other options are already encoded in it and Skip is ignored.
	Continuation string
}

// Graph is the tenant's Microsoft Graph surface that the tools use.
type Graph interface {
	ListIncidents(ctx context.Context, q IncidentQuery) (Page[Incident], error)
	// GetIncident returns the incident with its alerts (Graph $expand=alerts).
	GetIncident(ctx context.Context, id string) (Incident, error)
	ListAlerts(ctx context.Context, q AlertQuery) (Page[Alert], error)
	GetAlert(ctx context.Context, id string) (Alert, error)
	// RunHuntingQuery calls security/runHuntingQuery (Defender Advanced Hunting).
	RunHuntingQuery(ctx context.Context, query string) (*Table, error)

	ListSignIns(ctx context.Context, q SignInQuery) (Page[SignIn], error)
	GetSignIn(ctx context.Context, id string) (SignIn, error)
	ListRiskyUsers(ctx context.Context, q RiskQuery) (Page[RiskyUser], error)
	ListRiskDetections(ctx context.Context, q RiskQuery) (Page[RiskDetection], error)
	ListCAPolicies(ctx context.Context) ([]CAPolicy, error)
	ListNamedLocations(ctx context.Context) ([]NamedLocation, error)
	GetUser(ctx context.Context, idOrUPN string) (User, error)

	ListManagedDevices(ctx context.Context, q DeviceQuery) (Page[ManagedDevice], error)
	GetManagedDevice(ctx context.Context, id string) (ManagedDevice, error)
	// ListDeviceCompliance returns the device's per-policy compliance states with setting states.
	ListDeviceCompliance(ctx context.Context, deviceID string) ([]CompliancePolicyState, error)
	ListCompliancePolicies(ctx context.Context) ([]CompliancePolicy, error)
}

// Kusto runs KQL against Sentinel (Log Analytics through the ADX proxy) or an
// Azure Data Explorer cluster.
type Kusto interface {
	Query(ctx context.Context, database, query string) (*Table, error)
}

// Table is a query result: typed columns and rows. Cell types follow
// fixtures.Table: string, time.Time, int64, float64, bool, map[string]any,
// []any, nil.
type Table struct {
	Columns []Column
	Rows    [][]any
}

// Column is a result column and its KQL type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// IncidentQuery filters incidents.
type IncidentQuery struct {
	ListOptions
	Severity   string // informational|low|medium|high
	Status     string // active|resolved|inProgress|redirected
	AssignedTo string
}

// AlertQuery filters alerts_v2.
type AlertQuery struct {
	ListOptions
	Severity      string
	Status        string // new|inProgress|resolved
	ServiceSource string // Graph's serviceSource enum, e.g. microsoftDefenderForEndpoint, dataLossPrevention
	IncidentID    string
	// User and Device filter client-side on evidence (Graph has no server-side filter for them).
	User   string
	Device string
}

// SignInQuery filters auditLogs/signIns.
type SignInQuery struct {
	ListOptions
	User      string // UPN
	IPAddress string
	AppName   string
	RiskLevel string // low|medium|high (riskLevelDuringSignIn)
	Failed    *bool  // only failures (errorCode != 0) or only successes
}

// RiskQuery filters riskyUsers and riskDetections.
type RiskQuery struct {
	ListOptions
	User      string
	RiskLevel string
	RiskState string
}

// DeviceQuery filters managedDevices.
type DeviceQuery struct {
	ListOptions
	ComplianceState string // compliant|noncompliant|inGracePeriod|unknown
	OS              string
	User            string // UPN
	DeviceName      string
}
