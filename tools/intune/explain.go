package intune

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ExplainToolName is the name of the compliance explanation tool.
const ExplainToolName = "intune_explain_compliance"

func explainTool() tools.Spec {
	return tools.New(tools.ToolsetIntune, ExplainToolName,
		"Explain Intune compliance in plain English. With deviceId: each failing setting (required vs actual value), the grace period, when Conditional Access starts blocking the device, and remediation for the user and IT. With fleet: true: the top failure reasons per platform with example devices. Lines cite their device or policy.",
		ExplainCompliance, tools.OpenWorld(), tools.WithCost(3), tools.WithTimeout(90*time.Second),
		tools.WithTitle("Explain device compliance"))
}

// ExplainParams choose one device or the fleet.
type ExplainParams struct {
	DeviceID string `json:"deviceId,omitempty" maxLength:"128" jsonschema:"Intune managed device ID (from intune_list_devices)."`
	Fleet    bool   `json:"fleet,omitempty" jsonschema:"Explain the top failure reasons across all devices instead."`
	Top      int    `json:"top,omitempty" minimum:"1" maximum:"50" jsonschema:"Fleet mode: how many failure reasons to return (default 10)."`
}

// Validate requires exactly one of deviceId and fleet.
func (p *ExplainParams) Validate() error {
	p.DeviceID = strings.TrimSpace(p.DeviceID)
	switch {
	case p.DeviceID == "" && !p.Fleet:
		return errors.New("pass deviceId (from intune_list_devices) to explain one device, or fleet: true for the whole fleet")
	case p.DeviceID != "" && p.Fleet:
		return errors.New("pass either deviceId or fleet: true, not both")
	case p.Top != 0 && !p.Fleet:
		return errors.New("top applies to fleet mode only; remove it or set fleet: true")
	}
	return nil
}

// Explanation is the result of intune_explain_compliance.
type Explanation struct {
	Tenant string `json:"tenant"`
	Mode   string `json:"mode" jsonschema:"device or fleet"`
	// Device is set in device mode.
	Device *DeviceExplanation `json:"device,omitempty"`
	// Fleet is set in fleet mode.
	Fleet          *FleetExplanation `json:"fleet,omitempty"`
	MissingSources []MissingSource   `json:"missingSources"`
	Citations      CitationCheck     `json:"citations"`
	Sources        []resources.Ref   `json:"sources"`

	claims   []cite.Claim
	markdown string
}

// Claims returns the checked claims behind the explanation's lines.
func (e Explanation) Claims() []cite.Claim { return e.claims }

// Text returns the Markdown explanation with its citations.
func (e Explanation) Text() string { return e.markdown }

// MissingSource names a source that could not be read; the parts of the
// answer that depend on it are absent, not guessed.
type MissingSource struct {
	Source  string `json:"source"`
	Error   string `json:"error"`
	Affects string `json:"affects"`
}

// DeviceExplanation explains one device.
type DeviceExplanation struct {
	Device  DeviceItem       `json:"device"`
	Failing []FailingSetting `json:"failingSettings"`
	Grace   GraceInfo        `json:"grace"`
	// ConditionalAccess are the policies requiring a compliant device that
	// apply to this device's user and platform.
	ConditionalAccess []CAImpact `json:"conditionalAccess"`
	UserSteps         []string   `json:"userSteps"`
	ITSteps           []string   `json:"itSteps"`
}

// FailingSetting is one failing compliance setting explained.
type FailingSetting struct {
	Policy    string `json:"policy"`
	PolicyID  string `json:"policyId,omitempty"`
	PolicyURI string `json:"policyUri,omitempty"`
	Setting   string `json:"setting"`
	Title     string `json:"title"`
	// Configured is the policy's value for the setting (absent when the
	// policy could not be read).
	Configured any    `json:"configured,omitempty"`
	Requires   string `json:"requires"`
	Actual     string `json:"actual"`
	// ActualFrom names the field Actual was read from.
	ActualFrom string `json:"actualFrom,omitempty"`
	State      string `json:"state"`
	Why        string `json:"why"`
	UserFix    string `json:"userFix"`
	ITFix      string `json:"itFix"`
}

// GraceInfo is the device's grace period and when Conditional Access blocks it.
type GraceInfo struct {
	ComplianceState string `json:"complianceState"`
	// PolicyGraceHours is, per failing policy, the hours the policy's block
	// action waits after a device becomes non-compliant.
	PolicyGraceHours map[string]int32 `json:"policyGraceHours"`
	// Expires is complianceGracePeriodExpirationDateTime (absent when none).
	Expires time.Time `json:"expires,omitzero"`
	// BlockedFrom is when Conditional Access treats the device as not
	// compliant (absent when it never will on the current data).
	BlockedFrom time.Time `json:"blockedFrom,omitzero"`
	Summary     string    `json:"summary"`
}

// ExplainCompliance is the tool body; it is exported for the reports and tests.
func ExplainCompliance(ctx context.Context, call tools.Call, p ExplainParams) (Explanation, error) {
	g, err := call.Graph(ctx)
	if err != nil {
		return Explanation{}, err
	}
	res := Explanation{Tenant: call.Tenant.Alias, MissingSources: []MissingSource{}, Sources: []resources.Ref{}}
	docs := map[string]any{}
	var a answer
	if p.Fleet {
		res.Mode = "fleet"
		if err := explainFleet(ctx, call, g, p, &res, docs, &a); err != nil {
			return Explanation{}, err
		}
	} else {
		res.Mode = "device"
		if err := explainDevice(ctx, call, g, p.DeviceID, &res, docs, &a); err != nil {
			return Explanation{}, err
		}
	}
	for _, m := range res.MissingSources {
		a.Note(fmt.Sprintf("Missing source: %s could not be read (%s); %s.", m.Source, m.Error, m.Affects))
	}
	kept, chk, md, err := a.Finish(ctx, cite.JSONFetcher(docs))
	if err != nil {
		return Explanation{}, err
	}
	res.claims, res.Citations, res.markdown = kept, chk, md
	return res, nil
}

// deviceDoc has the shape resources/read serves for a device URI.
type deviceDoc struct {
	source.ManagedDevice
	CompliancePolicyStates []source.CompliancePolicyState `json:"compliancePolicyStates"`
}

// upstream turns an error of a source the answer cannot do without into a
// tool error that names the source.
func upstream(err error, what, kind, id, alias string) error {
	if errors.Is(err, source.ErrNotFound) {
		return tools.NotFound(kind, id, alias)
	}
	var th *source.ThrottledError
	if errors.As(err, &th) {
		return &tools.ToolError{Msg: fmt.Sprintf("%s is unavailable or throttling tenant %q; retry after %s", what, alias,
			ratelimit.RetryText(th.RetryAfter)), RetryAfter: th.RetryAfter, Kind: "rate_limited"}
	}
	return &tools.ToolError{Msg: fmt.Sprintf("%s could not be read for tenant %q: %v; retry later", what, alias, err), Kind: "upstream"}
}

func missing(res *Explanation, src string, err error, affects string) {
	res.MissingSources = append(res.MissingSources, MissingSource{Source: src, Error: shortErr(err), Affects: affects})
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// noGrace reports the "no grace period" sentinel (9999-12-31) or zero.
func noGrace(t time.Time) bool { return t.IsZero() || t.Year() >= 9999 }

// policyIndex finds a compliance policy by the display name of a policy state.
func policyIndex(pols []source.CompliancePolicy) map[string]source.CompliancePolicy {
	m := map[string]source.CompliancePolicy{}
	for _, p := range pols {
		m[p.DisplayName] = p
	}
	return m
}

// whyFails explains a failing setting from the configured and actual values.
func whyFails(prop string, configured any, actual, desc string) string {
	switch {
	case actual == "" && desc != "":
		return "the device reported: " + desc
	case actual == "":
		return "the device did not report a value for " + prop
	}
	why := fmt.Sprintf("the device reports %s = %s", prop, actual)
	if configured != nil {
		why += "; the policy's requirement: " + requirement(prop, configured)
	}
	if desc != "" {
		why += " (" + desc + ")"
	}
	return why
}
