package defender

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// Cross-product linking bounds: how many of the incident's users and devices
// are looked up, how wide the window around the incident is, and how many
// rows one lookup reads.
const (
	maxLinkedUsers   = 10
	maxLinkedDevices = 10
	linkPadBefore    = 24 * time.Hour
	linkPadAfter     = 24 * time.Hour
	maxLinkWindow    = 30 * 24 * time.Hour
	linkParallelism  = 4
)

const serviceDLP = "dataLossPrevention"

// LinkedFindings are what other products say about the incident's users and
// devices in the incident window.
type LinkedFindings struct {
	WindowStart    time.Time         `json:"windowStart,omitzero"`
	WindowEnd      time.Time         `json:"windowEnd,omitzero"`
	RiskySignIns   []LinkedSignIn    `json:"riskySignIns"`
	RiskDetections []LinkedDetection `json:"riskDetections"`
	DLPAlerts      []LinkedDLPAlert  `json:"dlpAlerts"`
	// SignInCounts is the number of sign-ins read per user in the window (absent: not read).
	SignInCounts map[string]int `json:"signInCounts,omitempty"`
	// NotLinked lists users or devices that were not looked up (over the bounds).
	NotLinked []string `json:"notLinked,omitempty"`
}

// LinkedSignIn is a risky Entra sign-in of an incident user.
type LinkedSignIn struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	User       string    `json:"user"`
	IPAddress  string    `json:"ipAddress,omitempty"`
	Country    string    `json:"country,omitempty"`
	App        string    `json:"app,omitempty"`
	RiskLevel  string    `json:"riskLevel"`
	RiskEvents []string  `json:"riskEventTypes,omitempty"`
	ErrorCode  int32     `json:"errorCode"`
	CAStatus   string    `json:"conditionalAccessStatus,omitempty"`
	URI        string    `json:"uri"`
}

// LinkedDetection is an Entra ID Protection risk detection of an incident
// user. URI is the detection's resource; SignInURI is the sign-in it was
// raised on, when the summary read that sign-in.
type LinkedDetection struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	User      string    `json:"user"`
	EventType string    `json:"riskEventType"`
	Level     string    `json:"riskLevel"`
	IPAddress string    `json:"ipAddress,omitempty"`
	URI       string    `json:"uri"`
	SignInURI string    `json:"signInUri,omitempty"`
}

// LinkedDLPAlert is a Purview DLP alert naming an incident user.
type LinkedDLPAlert struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	User       string    `json:"user"`
	Title      string    `json:"title"`
	Policy     string    `json:"policy,omitempty"`
	Action     string    `json:"action,omitempty"`
	InIncident bool      `json:"inIncident"`
	URI        string    `json:"uri"`
}

// linkScope is what the cross-product lookups ask about.
type linkScope struct {
	alias, tenantID string
	users           []string // UPNs
	devices         []string // evidence device names
	from, to        time.Time
	incidentAlerts  map[string]bool
	notLinked       []string
}

// linkedData is the raw outcome of the lookups.
type linkedData struct {
	mu         sync.Mutex
	signIns    map[string][]source.SignIn
	detections map[string][]source.RiskDetection
	riskyUsers map[string]source.RiskyUser
	devices    map[string]*DeviceCompliance // by lower-case evidence device name
	devStates  map[string]any               // device URI → resource content
	deviceSeen map[string]bool              // evidence names looked up without error
	dlp        []source.Alert
	missing    map[string]*MissingSource
	scope      linkScope
}

func (d *linkedData) fail(src, route, affects string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.missing == nil {
		d.missing = map[string]*MissingSource{}
	}
	if _, ok := d.missing[route]; !ok {
		d.missing[route] = &MissingSource{Source: src, Route: route, Error: sourceError(err), Affects: affects}
	}
}

// sourceError words a source failure for the output without internals.
func sourceError(err error) string {
	var te *source.ThrottledError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s throttled or unavailable (retry after %s)", te.Service, ratelimit.RetryText(te.RetryAfter))
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// gatherLinked runs the cross-product lookups with bounded parallelism.
// Failures are recorded per source; nothing here fails the summary.
func gatherLinked(ctx context.Context, g source.Graph, sc linkScope) *linkedData {
	d := &linkedData{signIns: map[string][]source.SignIn{}, detections: map[string][]source.RiskDetection{},
		riskyUsers: map[string]source.RiskyUser{}, devices: map[string]*DeviceCompliance{}, devStates: map[string]any{},
		deviceSeen: map[string]bool{}, scope: sc}
	if sc.from.IsZero() {
		return d
	}
	var jobs []func()
	for _, u := range sc.users {
		jobs = append(jobs, func() { d.userSignIns(ctx, g, u) }, func() { d.userDetections(ctx, g, u) }, func() { d.userRisk(ctx, g, u) })
	}
	for _, dev := range sc.devices {
		jobs = append(jobs, func() { d.deviceCompliance(ctx, g, dev) })
	}
	if len(sc.users) > 0 {
		jobs = append(jobs, func() { d.dlpAlerts(ctx, g) })
	}
	sem := make(chan struct{}, linkParallelism)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			j()
		}()
	}
	wg.Wait()
	return d
}

func (d *linkedData) window() source.ListOptions {
	return source.ListOptions{Since: d.scope.from, Until: d.scope.to}
}

func (d *linkedData) userSignIns(ctx context.Context, g source.Graph, upn string) {
	opts := d.window()
	opts.Top = 200
	page, err := g.ListSignIns(ctx, source.SignInQuery{ListOptions: opts, User: upn})
	if err != nil {
		d.fail("Entra ID sign-ins", "auditLogs/signIns", "risky sign-ins of the incident users", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.signIns[upn] = page.Items
}

func (d *linkedData) userDetections(ctx context.Context, g source.Graph, upn string) {
	opts := d.window()
	opts.Top = 100
	page, err := g.ListRiskDetections(ctx, source.RiskQuery{ListOptions: opts, User: upn})
	if err != nil {
		d.fail("Entra ID Protection risk detections", "identityProtection/riskDetections", "risk detections of the incident users", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.detections[upn] = page.Items
}

func (d *linkedData) userRisk(ctx context.Context, g source.Graph, upn string) {
	page, err := g.ListRiskyUsers(ctx, source.RiskQuery{ListOptions: source.ListOptions{Top: 5}, User: upn})
	if err != nil {
		d.fail("Entra ID Protection risky users", "identityProtection/riskyUsers", "the users' current risk level", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range page.Items {
		if strings.EqualFold(r.UserPrincipalName, upn) {
			d.riskyUsers[upn] = r
		}
	}
}

func (d *linkedData) deviceCompliance(ctx context.Context, g source.Graph, name string) {
	const route, src, affects = "deviceManagement/managedDevices", "Intune managed devices", "the devices' Intune compliance"
	page, err := g.ListManagedDevices(ctx, source.DeviceQuery{ListOptions: source.ListOptions{Top: 10}, DeviceName: shortHost(name)})
	if err != nil {
		d.fail(src, route, affects, err)
		return
	}
	var md *source.ManagedDevice
	for i := range page.Items {
		if sameDevice(page.Items[i].DeviceName, name) {
			md = &page.Items[i]
			break
		}
	}
	d.mu.Lock()
	d.deviceSeen[strings.ToLower(name)] = true
	d.mu.Unlock()
	if md == nil {
		return
	}
	dc := &DeviceCompliance{ManagedDeviceID: md.ID, Name: md.DeviceName, ComplianceState: md.ComplianceState,
		URI: resources.URI(d.scope.alias, resources.KindDevice, md.ID), Portal: resources.DevicePortal(md.ID)}
	states, err := g.ListDeviceCompliance(ctx, md.ID)
	if err != nil {
		d.fail("Intune device compliance policy states", "deviceManagement/managedDevices/{id}/deviceCompliancePolicyStates", "which compliance settings fail", err)
	} else {
		dc.Known = true
		dc.FailingPolicies, dc.FailingSettings = failing(states)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.devices[strings.ToLower(name)] = dc
	d.devStates[dc.URI] = struct {
		source.ManagedDevice
		CompliancePolicyStates []source.CompliancePolicyState `json:"compliancePolicyStates"`
	}{*md, states}
}

// failing lists the policies and settings a device fails.
func failing(states []source.CompliancePolicyState) (policies, settings []string) {
	seen := map[string]bool{}
	for _, st := range states {
		if !isFailingState(st.State) {
			continue
		}
		policies = append(policies, st.DisplayName)
		for _, s := range st.SettingStates {
			name := s.SettingName
			if name == "" {
				name = s.Setting
			}
			if isFailingState(s.State) && !seen[name] {
				seen[name] = true
				settings = append(settings, name)
			}
		}
	}
	sort.Strings(settings)
	return policies, settings
}

func isFailingState(s string) bool {
	switch strings.ToLower(s) {
	case "noncompliant", "error", "conflict":
		return true
	}
	return false
}

func (d *linkedData) dlpAlerts(ctx context.Context, g source.Graph) {
	opts := d.window()
	opts.Top = 200
	page, err := g.ListAlerts(ctx, source.AlertQuery{ListOptions: opts, ServiceSource: serviceDLP})
	if err != nil {
		d.fail("Purview DLP alerts", "security/alerts_v2", "DLP alerts of the incident users", err)
		return
	}
	users := map[string]bool{}
	for _, u := range d.scope.users {
		users[strings.ToLower(u)] = true
	}
	var keep []source.Alert
	for _, a := range page.Items {
		if dlpUser(a, users) != "" {
			keep = append(keep, a)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dlp = keep
}

// dlpUser returns the first incident user a DLP alert's evidence names.
func dlpUser(a source.Alert, users map[string]bool) string {
	for _, e := range a.Evidence {
		for _, u := range []string{e.UserPrincipalName, e.MailboxUPN} {
			if users[strings.ToLower(u)] {
				return strings.ToLower(u)
			}
		}
	}
	return ""
}
