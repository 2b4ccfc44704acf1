package intune

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// maxFleet bounds the devices one fleet explanation reads.
const maxFleet = 1000

// maxExamples is how many example devices a failure reason lists.
const maxExamples = 3

// FleetExplanation is the fleet-mode answer: the most common failing
// settings across devices that are non-compliant or in their grace period.
type FleetExplanation struct {
	// Examined counts the devices whose setting states were read.
	Examined int `json:"devicesExamined"`
	// ByState counts the examined devices by compliance state.
	ByState map[string]int `json:"byState"`
	// Reasons are the top failure reasons, most devices first.
	Reasons []FailureReason `json:"reasons"`
	// TotalReasons counts every distinct (platform, setting) reason found.
	TotalReasons int    `json:"totalReasons"`
	Note         string `json:"note,omitempty"`
}

// FailureReason is one failing setting on one platform and the devices failing it.
type FailureReason struct {
	Platform string `json:"platform"`
	Setting  string `json:"setting"`
	Title    string `json:"title"`
	// Devices counts the devices failing the setting (each device once).
	Devices  int      `json:"devices"`
	Policies []string `json:"policies"`
	// PolicyURIs cite the policies whose configured values Requires states.
	PolicyURIs []string    `json:"policyUris"`
	Requires   []string    `json:"requires"`
	Examples   []DeviceRef `json:"examples"`
}

// DeviceRef names a device and the value it reported.
type DeviceRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	State  string `json:"complianceState,omitempty"`
	URI    string `json:"uri"`
	Portal string `json:"portal,omitempty"`
}

// nextSkip returns the skip of the next page from a listing's Next ("" when
// there is none; otherwise the next offset).
func nextSkip(next string, skip, n int) (int, bool) {
	if next == "" {
		return 0, false
	}
	if v, err := strconv.Atoi(next); err == nil && v > skip {
		return v, true
	}
	if n == 0 {
		return 0, false
	}
	return skip + n, true
}

// listAllDevices pages through managed devices in one compliance state.
func listAllDevices(ctx context.Context, g source.Graph, state string, limit int) ([]source.ManagedDevice, bool, error) {
	var out []source.ManagedDevice
	skip := 0
	for len(out) < limit {
		page, err := g.ListManagedDevices(ctx, source.DeviceQuery{ListOptions: source.ListOptions{Top: 200, Skip: skip}, ComplianceState: state})
		if err != nil {
			return nil, false, err
		}
		out = append(out, page.Items...)
		next, ok := nextSkip(page.Next, skip, len(page.Items))
		if !ok {
			return out, false, nil
		}
		skip = next
	}
	return out[:limit], true, nil
}

func explainFleet(ctx context.Context, call tools.Call, g source.Graph, p ExplainParams, res *Explanation, docs map[string]any, a *answer) error {
	alias := call.Tenant.Alias
	var devs []source.ManagedDevice
	truncated := false
	for _, st := range []string{"noncompliant", "inGracePeriod"} {
		ds, tr, err := listAllDevices(ctx, g, st, maxFleet-len(devs))
		if err != nil {
			return upstream(err, srcDevices, "devices", "", alias)
		}
		devs, truncated = append(devs, ds...), truncated || tr
	}
	pols := map[string]source.CompliancePolicy{}
	if list, err := g.ListCompliancePolicies(ctx); err != nil {
		missing(res, srcPolicies, err, "the configured values of the failing settings are not shown")
	} else {
		pols = policyIndex(list)
		for _, pol := range list {
			docs[resources.URI(alias, resources.KindPolicy, pol.ID)] = pol
		}
	}
	fl := &FleetExplanation{ByState: map[string]int{}, Reasons: []FailureReason{}}
	readReasons(ctx, call, g, devs, pols, res, docs, fl)
	fl.TotalReasons = len(fl.Reasons)
	top := p.Top
	if top == 0 {
		top = 10
	}
	if len(fl.Reasons) > top {
		fl.Reasons = fl.Reasons[:top]
	}
	if truncated {
		fl.Note = fmt.Sprintf("only the first %d devices were examined", maxFleet)
	}
	fleetLines(fl, a)
	res.Fleet = fl
	for _, r := range fl.Reasons {
		for _, e := range r.Examples {
			res.Sources = append(res.Sources, resources.Ref{URI: e.URI, Portal: e.Portal})
		}
	}
	return nil
}

// readReasons reads each device's setting states and ranks the failing
// settings by device count.
func readReasons(ctx context.Context, call tools.Call, g source.Graph, devs []source.ManagedDevice,
	pols map[string]source.CompliancePolicy, res *Explanation, docs map[string]any, fl *FleetExplanation) {
	alias := call.Tenant.Alias
	reasons := map[string]*FailureReason{}
	failed := 0
	var lastErr error
	for i, d := range devs {
		call.Report(float64(i), float64(len(devs)), "reading device compliance")
		states, err := g.ListDeviceCompliance(ctx, d.ID)
		if err != nil {
			failed, lastErr = failed+1, err
			continue
		}
		fl.Examined++
		fl.ByState[d.ComplianceState]++
		docs[resources.URI(alias, resources.KindDevice, d.ID)] = deviceDoc{d, states}
		addReasons(alias, d, states, pols, reasons)
	}
	if failed > 0 {
		missing(res, srcDevices, lastErr, fmt.Sprintf("the setting states of %s could not be read and are not counted", text.Count(int64(failed), "device")))
	}
	for _, r := range reasons {
		fl.Reasons = append(fl.Reasons, *r)
	}
	sort.Slice(fl.Reasons, func(i, j int) bool {
		x, y := fl.Reasons[i], fl.Reasons[j]
		if x.Devices != y.Devices {
			return x.Devices > y.Devices
		}
		if x.Platform != y.Platform {
			return x.Platform < y.Platform
		}
		return x.Setting < y.Setting
	})
}

// addReasons counts each failing (platform, setting) of one device once.
func addReasons(alias string, d source.ManagedDevice, states []source.CompliancePolicyState, pols map[string]source.CompliancePolicy, reasons map[string]*FailureReason) {
	seen := map[string]bool{}
	for _, st := range states {
		for _, s := range st.SettingStates {
			if !failing(s.State) {
				continue
			}
			prop := propOf(s)
			key := d.OperatingSystem + "\x00" + prop
			r := reasons[key]
			if r == nil {
				r = &FailureReason{Platform: d.OperatingSystem, Setting: prop, Title: infoFor(prop).title,
					Policies: []string{}, PolicyURIs: []string{}, Requires: []string{}, Examples: []DeviceRef{}}
				reasons[key] = r
			}
			r.Policies = appendOnce(r.Policies, st.DisplayName)
			if pol, ok := pols[st.DisplayName]; ok {
				r.Requires = appendOnce(r.Requires, requirement(prop, pol.Settings[prop]))
				r.PolicyURIs = appendOnce(r.PolicyURIs, resources.URI(alias, resources.KindPolicy, pol.ID))
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			r.Devices++
			if len(r.Examples) < maxExamples {
				v, _ := deviceValue(prop, d, s.CurrentValue, true)
				r.Examples = append(r.Examples, DeviceRef{ID: d.ID, Name: d.DeviceName, Value: v, State: d.ComplianceState,
					URI: resources.URI(alias, resources.KindDevice, d.ID), Portal: resources.DevicePortal(d.ID)})
			}
		}
	}
}

func fleetLines(fl *FleetExplanation, a *answer) {
	a.Heading("Top compliance failure reasons")
	var states []string
	for s, n := range fl.ByState {
		states = append(states, fmt.Sprintf("%d %s", n, s))
	}
	sort.Strings(states)
	a.Derived(fmt.Sprintf("Examined %s that are non-compliant or in their grace period (%s); %s.",
		text.Count(int64(fl.Examined), "device"), strings.Join(states, ", "), text.Count(int64(fl.TotalReasons), "distinct failure reason")), nil)
	for i, r := range fl.Reasons {
		var ex, names, cites []string
		for _, e := range r.Examples {
			ex = append(ex, fmt.Sprintf("%s (%s)", e.Name, orDefault(e.Value, "no value")))
			names = append(names, e.Name)
			cites = append(cites, e.URI)
		}
		line := fmt.Sprintf("%d. %s — %s (%s): %s; e.g. %s.", i+1, r.Platform, r.Title, r.Setting, text.Count(int64(r.Devices), "device"), strings.Join(ex, ", "))
		a.Derived(line, append(names, r.Setting), cites...)
		if len(r.Requires) > 0 {
			a.Line("   Requirement: "+strings.Join(r.Requires, "; ")+".", r.Policies, r.PolicyURIs...)
		}
		a.Note("   User fix: " + infoFor(r.Setting).userFix + " IT fix: " + infoFor(r.Setting).itFix)
	}
	if fl.Note != "" {
		a.Note("Note: " + fl.Note + ".")
	}
}
