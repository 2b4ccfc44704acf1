package intune

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

const (
	srcDevices  = "Intune managed devices (deviceManagement/managedDevices)"
	srcPolicies = "Intune compliance policies (deviceManagement/deviceCompliancePolicies)"
	srcCA       = "Conditional Access policies (identity/conditionalAccess/policies)"
	srcUsers    = "Entra ID users (users)"
)

// deviceData is what device mode reads.
type deviceData struct {
	device source.ManagedDevice
	states []source.CompliancePolicyState
	pols   map[string]source.CompliancePolicy // by display name; nil when unreadable
	user   *source.User
	cas    []source.CAPolicy
	caOK   bool
}

func loadDevice(ctx context.Context, call tools.Call, g source.Graph, id string, res *Explanation, docs map[string]any) (deviceData, error) {
	alias := call.Tenant.Alias
	var dd deviceData
	var err error
	if dd.device, err = g.GetManagedDevice(ctx, id); err != nil {
		return dd, upstream(err, srcDevices, "device", id, alias)
	}
	if dd.states, err = g.ListDeviceCompliance(ctx, id); err != nil {
		return dd, upstream(err, srcDevices, "device", id, alias)
	}
	docs[resources.URI(alias, resources.KindDevice, id)] = deviceDoc{dd.device, dd.states}
	if pols, err := g.ListCompliancePolicies(ctx); err != nil {
		missing(res, srcPolicies, err, "the configured values and grace periods of the policies are not shown")
	} else {
		dd.pols = policyIndex(pols)
		for _, p := range pols {
			docs[resources.URI(alias, resources.KindPolicy, p.ID)] = p
		}
	}
	if upn := dd.device.UserPrincipalName; upn != "" {
		if u, err := g.GetUser(ctx, upn); err != nil {
			missing(res, srcUsers, err, "Conditional Access user scope is evaluated for policies that include all users only")
		} else {
			dd.user = &u
			docs[resources.URI(alias, resources.KindUser, upn)] = u
		}
	}
	if cas, err := g.ListCAPolicies(ctx); err != nil {
		missing(res, srcCA, err, "when Conditional Access blocks the device cannot be told")
	} else {
		dd.cas, dd.caOK = cas, true
		for _, p := range cas {
			docs[resources.URI(alias, resources.KindPolicy, p.ID)] = p
		}
	}
	return dd, nil
}

func explainDevice(ctx context.Context, call tools.Call, g source.Graph, id string, res *Explanation, docs map[string]any, a *answer) error {
	dd, err := loadDevice(ctx, call, g, id, res, docs)
	if err != nil {
		return err
	}
	alias := call.Tenant.Alias
	d := dd.device
	item := deviceItem(alias, d)
	ex := &DeviceExplanation{Device: item, Failing: []FailingSetting{}, ConditionalAccess: []CAImpact{},
		UserSteps: []string{}, ITSteps: []string{}}
	res.Sources = append(res.Sources, resources.Ref{URI: item.URI, Portal: item.Portal})
	a.Heading("Compliance of " + d.DeviceName)
	a.Line(fmt.Sprintf("%s (%s %s, user %s) is %s; last sync %s.", d.DeviceName, d.OperatingSystem, d.OSVersion,
		orNone(d.UserPrincipalName), d.ComplianceState, d.LastSyncDateTime.Format(time.RFC3339)),
		[]string{d.ComplianceState}, item.URI)
	ex.Failing = failingSettings(alias, dd, item.URI, a)
	if len(ex.Failing) == 0 {
		a.Note("No compliance setting is failing on this device.")
	}
	ex.Grace = graceInfo(alias, dd, ex.Failing, item.URI, a)
	if dd.caOK {
		ex.ConditionalAccess = requiringCompliance(alias, dd.cas, dd.user, d)
		caLines(ex, item.URI, a)
	}
	steps(ex, a)
	for _, f := range ex.Failing {
		if f.PolicyURI != "" && !slices.ContainsFunc(res.Sources, func(r resources.Ref) bool { return r.URI == f.PolicyURI }) {
			res.Sources = append(res.Sources, resources.Ref{URI: f.PolicyURI})
		}
	}
	for _, c := range ex.ConditionalAccess {
		res.Sources = append(res.Sources, resources.Ref{URI: c.URI, Portal: c.Portal})
	}
	res.Device = ex
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func failingSettings(alias string, dd deviceData, devURI string, a *answer) []FailingSetting {
	out := []FailingSetting{}
	for _, st := range dd.states {
		pol, known := dd.pols[st.DisplayName]
		for _, s := range st.SettingStates {
			if !failing(s.State) {
				continue
			}
			prop := propOf(s)
			info := infoFor(prop)
			f := FailingSetting{Policy: st.DisplayName, Setting: prop, Title: info.title, State: s.State,
				UserFix: info.userFix, ITFix: info.itFix}
			f.Actual, f.ActualFrom = deviceValue(prop, dd.device, s.CurrentValue, true)
			if known {
				f.PolicyID, f.PolicyURI, f.Configured = pol.ID, resources.URI(alias, resources.KindPolicy, pol.ID), pol.Settings[prop]
				f.Requires = requirement(prop, f.Configured)
			} else {
				f.Requires = infoFor(prop).title + " as configured in " + st.DisplayName + " (the policy could not be read)"
			}
			f.Why = whyFails(prop, f.Configured, f.Actual, s.ErrorDescription)
			out = append(out, f)
			settingLines(f, s, devURI, a)
		}
	}
	return out
}

func settingLines(f FailingSetting, s source.SettingState, devURI string, a *answer) {
	a.Heading(f.Title + " (" + f.Setting + ")")
	if f.PolicyURI != "" {
		a.Line(fmt.Sprintf("Policy %s requirement: %s (%s = %s).", text.Quote(f.Policy), f.Requires, f.Setting, fmtValue(f.Configured)),
			[]string{f.Policy, f.Setting, fmtValue(f.Configured)}, f.PolicyURI)
	}
	actual := f.Actual
	if actual == "" {
		actual = "no value"
	}
	a.Line(fmt.Sprintf("The device reports %s for %s (setting %s, state %s).", actual, f.Setting, s.Setting, s.State),
		[]string{f.Actual, s.Setting, s.State}, devURI)
	if s.ErrorDescription != "" {
		a.Line("Intune's description: "+s.ErrorDescription+".", []string{s.ErrorDescription}, devURI)
	}
	cites := []string{devURI}
	if f.PolicyURI != "" {
		cites = append(cites, f.PolicyURI)
	}
	a.Line("Why it fails: "+f.Why+".", []string{f.Actual}, cites...)
}

func graceInfo(alias string, dd deviceData, failing []FailingSetting, devURI string, a *answer) GraceInfo {
	d := dd.device
	gi := GraceInfo{ComplianceState: d.ComplianceState, PolicyGraceHours: map[string]int32{}}
	a.Heading("Grace period and blocking")
	seen := map[string]bool{}
	for _, f := range failing {
		if f.PolicyURI == "" || seen[f.Policy] {
			continue
		}
		seen[f.Policy] = true
		h := dd.pols[f.Policy].GracePeriodHours
		gi.PolicyGraceHours[f.Policy] = h
		grace := "after a grace period of " + text.Count(int64(h), "hour")
		if h == 0 {
			grace = "immediately (no grace period)"
		}
		a.Line(fmt.Sprintf("Policy %s marks a failing device non-compliant %s (scheduledActionsForRule block action).",
			text.Quote(f.Policy), grace), []string{f.Policy}, f.PolicyURI)
	}
	if !noGrace(d.ComplianceGracePeriodExpiration) {
		gi.Expires = d.ComplianceGracePeriodExpiration
	}
	exp := gi.Expires.Format(time.RFC3339)
	switch strings.ToLower(d.ComplianceState) {
	case "ingraceperiod":
		gi.BlockedFrom = gi.Expires
		gi.Summary = "in grace period until " + exp + "; Conditional Access treats it as compliant until then"
	case "noncompliant":
		if gi.Expires.IsZero() {
			gi.Summary = "non-compliant with no grace period recorded; Conditional Access treats it as not compliant now"
		} else {
			gi.BlockedFrom = gi.Expires
			gi.Summary = "non-compliant; the grace period ended " + exp + " and Conditional Access has treated it as not compliant since"
		}
	case "compliant":
		gi.Summary = "compliant; Conditional Access does not block it for compliance"
	default:
		gi.Summary = "compliance state " + d.ComplianceState + "; Conditional Access treats a device that has not reported compliance as not compliant"
	}
	a.Line(fmt.Sprintf("%s is %s (complianceGracePeriodExpirationDateTime %s).", d.DeviceName, gi.Summary,
		d.ComplianceGracePeriodExpiration.Format(time.RFC3339)), nil, devURI)
	return gi
}

func caLines(ex *DeviceExplanation, devURI string, a *answer) {
	if len(ex.ConditionalAccess) == 0 {
		a.Note("No enabled or report-only Conditional Access policy that requires a compliant device applies to this device's user and platform: non-compliance is reported but does not block sign-ins.")
		return
	}
	when := "now"
	if !ex.Grace.BlockedFrom.IsZero() {
		when = "from " + ex.Grace.BlockedFrom.Format(time.RFC3339)
	}
	if strings.EqualFold(ex.Grace.ComplianceState, "compliant") {
		when = "only if the device becomes non-compliant"
	}
	for _, c := range ex.ConditionalAccess {
		verb, mode := "are blocked", "enforced"
		if !c.Enforced {
			verb, mode = "would fail it", "report-only: the failure is logged, the sign-in is not blocked"
		}
		line := fmt.Sprintf("Conditional Access policy %s (%s) requires %s", text.Quote(c.Name), c.State, strings.Join(c.Controls, " "+strings.ToLower(orDefault(c.Operator, "or"))+" "))
		if len(c.Conditions) > 0 {
			line += ", " + strings.Join(c.Conditions, "; ")
		}
		a.Line(line+".", append([]string{c.Name}, c.Controls...), c.URI)
		alt := ""
		if len(c.Alternatives) > 0 {
			alt = " unless the sign-in satisfies " + strings.Join(c.Alternatives, " or ")
		}
		a.Line(fmt.Sprintf("Effect on %s: sign-ins it covers %s %s%s (%s).", ex.Device.Name, verb, when, alt, mode),
			[]string{c.Name}, devURI, c.URI)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func steps(ex *DeviceExplanation, a *answer) {
	for _, f := range ex.Failing {
		ex.UserSteps = appendOnce(ex.UserSteps, f.UserFix)
		ex.ITSteps = appendOnce(ex.ITSteps, f.ITFix)
	}
	if len(ex.Failing) > 0 {
		ex.UserSteps = append(ex.UserSteps, "Then open Company Portal and choose Check status (or sync the work account) so Intune re-evaluates the device.")
		ex.ITSteps = append(ex.ITSteps, "Trigger a sync of the device from the Intune admin center and confirm each setting state turns compliant.")
	}
	a.Heading("What the user should do")
	for _, s := range ex.UserSteps {
		a.Note("- " + s)
	}
	a.Heading("What IT should do")
	for _, s := range ex.ITSteps {
		a.Note("- " + s)
	}
}

func appendOnce(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
