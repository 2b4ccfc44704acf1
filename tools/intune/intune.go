// Package intune holds the Intune tools: managed devices and their
// per-policy, per-setting compliance.
package intune

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Deps are the toolset's dependencies.
type Deps struct{}

// Tools returns the toolset.
func Tools(Deps) []tools.Spec {
	return []tools.Spec{
		tools.New(tools.ToolsetIntune, "intune_list_devices",
			"List Intune managed devices, filtered by compliance state, OS, user or name.",
			listDevices, tools.OpenWorld(), tools.WithTitle("List managed devices")),
		tools.New(tools.ToolsetIntune, "intune_get_device_compliance",
			"Get a managed device's compliance: each compliance policy's state and every failing setting with its current value.",
			getCompliance, tools.OpenWorld(), tools.WithTitle("Get device compliance")),
		explainTool(),
		suggestTool(),
	}
}

// ListDevicesParams filter devices.
type ListDevicesParams struct {
	ComplianceState string `json:"complianceState,omitempty" enum:"compliant,noncompliant,inGracePeriod,unknown,error,conflict" jsonschema:"Only devices in this compliance state."`
	OS              string `json:"os,omitempty" enum:"Windows,iOS,Android,macOS" jsonschema:"Only devices of this operating system."`
	User            string `json:"user,omitempty" maxLength:"256" jsonschema:"Only devices of this user (UPN)."`
	DeviceName      string `json:"deviceName,omitempty" maxLength:"256" jsonschema:"Only devices whose name starts with this."`
	tools.Paging
}

// DeviceItem is a trimmed device.
type DeviceItem struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	User            string    `json:"user,omitempty"`
	OS              string    `json:"os"`
	OSVersion       string    `json:"osVersion"`
	ComplianceState string    `json:"complianceState"`
	GraceExpires    time.Time `json:"graceExpires,omitzero"`
	Encrypted       bool      `json:"encrypted"`
	JailBroken      string    `json:"jailBroken,omitempty"`
	Model           string    `json:"model,omitempty"`
	Ownership       string    `json:"ownership,omitempty"`
	LastSync        time.Time `json:"lastSync"`
	URI             string    `json:"uri"`
	Portal          string    `json:"portal"`
}

func deviceItem(alias string, d source.ManagedDevice) DeviceItem {
	it := DeviceItem{ID: d.ID, Name: d.DeviceName, User: d.UserPrincipalName, OS: d.OperatingSystem, OSVersion: d.OSVersion,
		ComplianceState: d.ComplianceState, Encrypted: d.IsEncrypted, JailBroken: d.JailBroken, Model: d.Model,
		Ownership: d.OwnerType, LastSync: d.LastSyncDateTime,
		URI: resources.URI(alias, resources.KindDevice, d.ID), Portal: resources.DevicePortal(d.ID)}
	if d.ComplianceState == "inGracePeriod" {
		it.GraceExpires = d.ComplianceGracePeriodExpiration
	}
	return it
}

// ListDevicesResult is a page of devices.
type ListDevicesResult struct {
	Tenant  string          `json:"tenant"`
	Devices []DeviceItem    `json:"devices"`
	Page    tools.PageInfo  `json:"page"`
	Sources []resources.Ref `json:"sources"`
}

// Text renders the list.
func (r ListDevicesResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s", text.Count(int64(len(r.Devices)), "device"), r.Tenant)
	b.WriteString(r.Page.MoreHint())
	b.WriteString(":\n")
	for _, d := range r.Devices {
		fmt.Fprintf(&b, "- %s (%s %s) %s, user %s (%s)\n", tools.MDInline(d.Name), tools.MDInline(d.OS), tools.MDInline(d.OSVersion), d.ComplianceState, tools.MDInline(d.User), d.URI)
	}
	return b.String()
}

func listDevices(ctx context.Context, call tools.Call, p ListDevicesParams) (ListDevicesResult, error) {
	l, err := tools.StartListing("intune_list_devices", call.Tenant.Now(), p.Paging, nil, 0)
	if err != nil {
		return ListDevicesResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return ListDevicesResult{}, err
	}
	page, err := g.ListManagedDevices(ctx, source.DeviceQuery{ListOptions: l.Options,
		ComplianceState: p.ComplianceState, OS: p.OS, User: p.User, DeviceName: p.DeviceName})
	if err != nil {
		return ListDevicesResult{}, tools.FromSource(err, "devices", "", call.Tenant.Alias)
	}
	res := ListDevicesResult{Tenant: call.Tenant.Alias}
	for _, d := range page.Items {
		res.Devices = append(res.Devices, deviceItem(call.Tenant.Alias, d))
	}
	res.Devices, res.Page, res.Sources = tools.FinishPage(l, res.Devices, page.Next,
		func(d DeviceItem) resources.Ref { return resources.Ref{URI: d.URI, Portal: d.Portal} })
	return res, nil
}

// GetComplianceParams name a device.
type GetComplianceParams struct {
	DeviceID string `json:"deviceId" maxLength:"128" jsonschema:"The Intune managed device ID (from intune_list_devices)."`
}

// PolicyState is one policy's state on the device.
type PolicyState struct {
	PolicyID string                `json:"policyId,omitempty"`
	Name     string                `json:"name"`
	Platform string                `json:"platform,omitempty"`
	State    string                `json:"state"`
	Failing  []source.SettingState `json:"failingSettings"`
	Settings int32                 `json:"settingCount"`
	URI      string                `json:"uri,omitempty"`
}

// GetComplianceResult is the device's compliance.
type GetComplianceResult struct {
	Tenant   string          `json:"tenant"`
	Device   DeviceItem      `json:"device"`
	Policies []PolicyState   `json:"policies"`
	Failing  int             `json:"failingSettingCount"`
	Sources  []resources.Ref `json:"sources"`
}

// Text renders the compliance.
func (r GetComplianceResult) Text() string {
	var b strings.Builder
	d := r.Device
	fmt.Fprintf(&b, "%s (%s %s) is %s; %s.\n", tools.MDInline(d.Name), tools.MDInline(d.OS), tools.MDInline(d.OSVersion), d.ComplianceState, text.Count(int64(r.Failing), "failing setting"))
	for _, p := range r.Policies {
		fmt.Fprintf(&b, "- %s: %s\n", tools.MDInline(p.Name), p.State)
		for _, s := range p.Failing {
			fmt.Fprintf(&b, "  - %s = %s (%s)\n", settingLabel(s), text.Quote(s.CurrentValue), s.State)
		}
	}
	fmt.Fprintf(&b, "Source: %s\n", d.URI)
	return b.String()
}

func settingLabel(s source.SettingState) string {
	if s.SettingName != "" {
		return s.SettingName
	}
	return s.Setting
}

func getCompliance(ctx context.Context, call tools.Call, p GetComplianceParams) (GetComplianceResult, error) {
	if strings.TrimSpace(p.DeviceID) == "" {
		return GetComplianceResult{}, tools.Errorf("deviceId is required: pass a device ID from intune_list_devices")
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return GetComplianceResult{}, err
	}
	d, err := g.GetManagedDevice(ctx, p.DeviceID)
	if err != nil {
		return GetComplianceResult{}, tools.FromSource(err, "device", p.DeviceID, call.Tenant.Alias)
	}
	states, err := g.ListDeviceCompliance(ctx, p.DeviceID)
	if err != nil {
		return GetComplianceResult{}, tools.FromSource(err, "device", p.DeviceID, call.Tenant.Alias)
	}
	item := deviceItem(call.Tenant.Alias, d)
	res := GetComplianceResult{Tenant: call.Tenant.Alias, Device: item, Policies: []PolicyState{},
		Sources: []resources.Ref{{URI: item.URI, Portal: item.Portal}}}
	// A policy state's id is not the policy's id; match policies by name so
	// the citation points at the policy resource itself.
	policyIDs := map[string]string{}
	if cps, err := g.ListCompliancePolicies(ctx); err == nil {
		for _, cp := range cps {
			policyIDs[strings.ToLower(cp.DisplayName)] = cp.ID
		}
	}
	for _, st := range states {
		ps := PolicyState{Name: st.DisplayName, Platform: st.PlatformType, State: st.State,
			Settings: st.SettingCount, Failing: []source.SettingState{}}
		if id, ok := policyIDs[strings.ToLower(st.DisplayName)]; ok {
			ps.PolicyID, ps.URI = id, resources.URI(call.Tenant.Alias, resources.KindPolicy, id)
			res.Sources = append(res.Sources, resources.Ref{URI: ps.URI})
		}
		for _, s := range st.SettingStates {
			if failing(s.State) {
				ps.Failing = append(ps.Failing, s)
			}
		}
		res.Failing += len(ps.Failing)
		res.Policies = append(res.Policies, ps)
	}
	return res, nil
}
