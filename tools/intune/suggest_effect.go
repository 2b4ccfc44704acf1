package intune

import (
	"strings"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// Effect is the predicted effect of one proposed change, computed by
// evaluating each device the policy applies to against the proposed value,
// one change at a time (other settings as they are now).
type Effect struct {
	// Evaluated counts the devices with a state for the policy.
	Evaluated int `json:"evaluated"`
	// BecomeNoncompliant are devices compliant now that would fail the new value.
	BecomeNoncompliant []DeviceRef `json:"becomeNoncompliant"`
	// BecomeCompliant are devices failing now only on this setting that
	// would meet the new value.
	BecomeCompliant []DeviceRef `json:"becomeCompliant"`
	// StayNoncompliant are devices failing now that would still fail.
	StayNoncompliant []DeviceRef `json:"stayNoncompliant"`
	// Unchanged counts devices compliant before and after.
	Unchanged int `json:"unchangedCompliant"`
	// Unknown are devices with no recorded value for the setting (and none
	// derivable from the device record), or whose compliance has never been
	// evaluated (state unknown): their outcome cannot be computed.
	Unknown []DeviceRef `json:"unknown"`
	// Method says which device values were used.
	Method string `json:"method"`
}

// fleetDevice is a device with its policy states, as read for suggestions.
type fleetDevice struct {
	device source.ManagedDevice
	states []source.CompliancePolicyState
}

// failingPairs returns the device's failing (policy, setting) pairs.
func (f fleetDevice) failingPairs() map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, st := range f.states {
		for _, s := range st.SettingStates {
			if failing(s.State) {
				out[[2]string{st.DisplayName, propOf(s)}] = true
			}
		}
	}
	return out
}

// stateFor returns the device's state for the named policy.
func (f fleetDevice) stateFor(policy string) (source.CompliancePolicyState, bool) {
	for _, st := range f.states {
		if st.DisplayName == policy {
			return st, true
		}
	}
	return source.CompliancePolicyState{}, false
}

// recorded returns the device's recorded value for prop in a policy state.
func recorded(st source.CompliancePolicyState, prop string) (string, bool) {
	for _, s := range st.SettingStates {
		if propOf(s) == prop {
			return s.CurrentValue, true
		}
	}
	return "", false
}

// predict evaluates setting prop = value of the named policy on devices.
func predict(alias, policy, prop string, value any, devices []fleetDevice) Effect {
	e := Effect{BecomeNoncompliant: []DeviceRef{}, BecomeCompliant: []DeviceRef{}, StayNoncompliant: []DeviceRef{},
		Unknown: []DeviceRef{}, Method: "each device's recorded setting value (settingStates.currentValue); " +
			"osVersion, isEncrypted and jailBroken from the device record where no setting value is recorded"}
	for _, fd := range devices {
		st, ok := fd.stateFor(policy)
		if !ok {
			continue
		}
		e.Evaluated++
		rec, has := recorded(st, prop)
		v, _ := deviceValue(prop, fd.device, rec, has)
		ref := DeviceRef{ID: fd.device.ID, Name: fd.device.DeviceName, Value: v, State: fd.device.ComplianceState,
			URI: resources.URI(alias, resources.KindDevice, fd.device.ID), Portal: resources.DevicePortal(fd.device.ID)}
		pass, known := meets(prop, value, v)
		if !known || strings.EqualFold(fd.device.ComplianceState, "unknown") {
			e.Unknown = append(e.Unknown, ref)
			continue
		}
		pairs := fd.failingPairs()
		before := len(pairs) == 0
		delete(pairs, [2]string{policy, prop})
		after := len(pairs) == 0 && pass
		switch {
		case before && !after:
			e.BecomeNoncompliant = append(e.BecomeNoncompliant, ref)
		case !before && after:
			e.BecomeCompliant = append(e.BecomeCompliant, ref)
		case !before:
			e.StayNoncompliant = append(e.StayNoncompliant, ref)
		default:
			e.Unchanged++
		}
	}
	return e
}
