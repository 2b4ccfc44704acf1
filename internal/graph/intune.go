package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/secmcp/secmcp/internal/source"
)

// ListManagedDevices lists Intune managed devices in the service's own
// order: the list documents no $orderby and Graph ignores one (contract
// managedDevices.list, Ignored), so callers that rank devices sort what
// they read (a page sorted here would break the in-page cursor offsets).
func (c *Client) ListManagedDevices(ctx context.Context, q source.DeviceQuery) (page source.Page[source.ManagedDevice], err error) {
	const op = "list managed devices"
	defer recoverTo(&err, op)
	var f filter
	f.eq("complianceState", q.ComplianceState)
	f.eq("operatingSystem", q.OS)
	f.eq("userPrincipalName", q.User)
	f.eq("deviceName", q.DeviceName)
	f.window("lastSyncDateTime", q.ListOptions)
	top, drop := tokenPaging(q.ListOptions, 100, 1000)
	b := c.sdk.DeviceManagement().ManagedDevices()
	list := newCollection(func() *managedDevice { return &managedDevice{} })
	resp, err := fetch(c, q.Continuation, "deviceManagement/managedDevices", func() (*collection[*managedDevice], error) {
		info, err := b.ToGetRequestInformation(ctx, &devicemanagement.ManagedDevicesRequestBuilderGetRequestConfiguration{
			QueryParameters: &devicemanagement.ManagedDevicesRequestBuilderGetQueryParameters{
				Filter: f.ptr(), Top: top}})
		return send(ctx, c, info, err, list)
	}, func(link string) (*collection[*managedDevice], error) {
		info, err := b.WithUrl(link).ToGetRequestInformation(ctx, nil)
		return send(ctx, c, info, err, list)
	})
	if err != nil {
		return page, c.mapErr(op, "", err)
	}
	for _, it := range dropFirst(resp.GetValue(), drop, q.Continuation) {
		if it != nil {
			page.Items = append(page.Items, it.d)
		}
	}
	page.Next = nextLink(resp.GetOdataNextLink())
	return page, nil
}

// GetManagedDevice returns one managed device.
func (c *Client) GetManagedDevice(ctx context.Context, id string) (d source.ManagedDevice, err error) {
	const op = "get managed device"
	defer recoverTo(&err, op)
	if strings.TrimSpace(id) == "" {
		return d, fmt.Errorf("graph: %s: empty id", op)
	}
	info, err := c.sdk.DeviceManagement().ManagedDevices().ByManagedDeviceId(id).ToGetRequestInformation(ctx, nil)
	it, err := send(ctx, c, info, err, func() *managedDevice { return &managedDevice{} })
	if err != nil {
		return d, c.mapErr(op, id, err)
	}
	if it == nil {
		return d, fmt.Errorf("graph: %s %q: empty response", op, id)
	}
	return it.d, nil
}

// ListDeviceCompliance returns the device's per-policy states with setting states.
func (c *Client) ListDeviceCompliance(ctx context.Context, deviceID string) (out []source.CompliancePolicyState, err error) {
	const op = "list device compliance"
	defer recoverTo(&err, op)
	if strings.TrimSpace(deviceID) == "" {
		return nil, fmt.Errorf("graph: %s: empty device id", op)
	}
	b := c.sdk.DeviceManagement().ManagedDevices().ByManagedDeviceId(deviceID).DeviceCompliancePolicyStates()
	err = eachItem(ctx, func(ctx context.Context, next string) (models.DeviceCompliancePolicyStateCollectionResponseable, error) {
		if next == "" {
			return b.Get(ctx, nil)
		}
		return b.WithUrl(next).Get(ctx, nil)
	}, func(s models.DeviceCompliancePolicyStateable) {
		if s != nil {
			out = append(out, policyState(s))
		}
	})
	if err != nil {
		return nil, c.mapErr(op, deviceID, err)
	}
	return out, nil
}

func policyState(s models.DeviceCompliancePolicyStateable) source.CompliancePolicyState {
	out := source.CompliancePolicyState{ID: str(s.GetId()), DisplayName: str(s.GetDisplayName()),
		PlatformType: enum(s.GetPlatformType()), State: enum(s.GetState()), SettingCount: i32(s.GetSettingCount())}
	for _, st := range s.GetSettingStates() {
		if st == nil {
			continue
		}
		out.SettingStates = append(out.SettingStates, source.SettingState{Setting: str(st.GetSetting()),
			SettingName: str(st.GetSettingName()), State: enum(st.GetState()), CurrentValue: str(st.GetCurrentValue()),
			ErrorDescription: str(st.GetErrorDescription())})
	}
	return out
}

// policyCommon are deviceCompliancePolicy properties that are not settings.
var policyCommon = map[string]bool{"id": true, "displayName": true, "description": true, "createdDateTime": true,
	"lastModifiedDateTime": true, "version": true, "@odata.type": true, "assignments": true, "deviceStatuses": true,
	"userStatuses": true, "deviceStatusOverview": true, "userStatusOverview": true, "deviceSettingStateSummaries": true,
	"scheduledActionsForRule": true, "roleScopeTagIds": true}

// ListCompliancePolicies returns every device compliance policy with its
// platform-specific settings as property → value.
func (c *Client) ListCompliancePolicies(ctx context.Context) (out []source.CompliancePolicy, err error) {
	const op = "list compliance policies"
	defer recoverTo(&err, op)
	b := c.sdk.DeviceManagement().DeviceCompliancePolicies()
	// scheduledActionsForRule and its scheduledActionConfigurations are
	// relationships: without $expand the grace period is not in the response.
	cfg := &devicemanagement.DeviceCompliancePoliciesRequestBuilderGetRequestConfiguration{
		QueryParameters: &devicemanagement.DeviceCompliancePoliciesRequestBuilderGetQueryParameters{
			Expand: []string{"scheduledActionsForRule($expand=scheduledActionConfigurations)"}}}
	err = eachItem(ctx, func(ctx context.Context, next string) (models.DeviceCompliancePolicyCollectionResponseable, error) {
		if next == "" {
			return b.Get(ctx, cfg)
		}
		return b.WithUrl(next).Get(ctx, nil)
	}, func(p models.DeviceCompliancePolicyable) {
		if p != nil {
			out = append(out, compliancePolicy(p))
		}
	})
	if err != nil {
		return nil, c.mapErr(op, "", err)
	}
	return out, nil
}

// compliancePolicy reads the settings generically from the model's backing
// store, which holds every property the payload set, so new platform
// properties need no code here.
func compliancePolicy(p models.DeviceCompliancePolicyable) source.CompliancePolicy {
	out := source.CompliancePolicy{ID: str(p.GetId()), DisplayName: str(p.GetDisplayName()),
		ODataType: str(p.GetOdataType()), CreatedDateTime: tm(p.GetCreatedDateTime()), Settings: map[string]any{}}
	if bs := p.GetBackingStore(); bs != nil {
		for k, v := range bs.Enumerate() {
			if policyCommon[k] || strings.HasPrefix(k, "@") {
				continue
			}
			if s, ok := v.(interface{ String() string }); ok && !isPtrScalar(v) {
				out.Settings[k] = s.String()
				continue
			}
			if x := deref(v); x != nil {
				out.Settings[k] = x
			}
		}
	}
	for k, v := range p.GetAdditionalData() {
		if !policyCommon[k] && !strings.HasPrefix(k, "@") {
			out.Settings[k] = deref(v)
		}
	}
	for _, a := range p.GetScheduledActionsForRule() {
		for _, cfg := range a.GetScheduledActionConfigurations() {
			if cfg != nil && enum(cfg.GetActionType()) == "block" {
				out.GracePeriodHours = i32(cfg.GetGracePeriodHours())
			}
		}
	}
	return out
}

func isPtrScalar(v any) bool {
	switch v.(type) {
	case *string, *bool, *int32, *int64, *float64:
		return true
	}
	return false
}
