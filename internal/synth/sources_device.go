package synth

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

type deviceListDoc struct {
	Devices []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"devices"`
}

type complianceDoc struct {
	Device *struct {
		Device struct {
			ID              string    `json:"id"`
			Name            string    `json:"name"`
			User            string    `json:"user"`
			OS              string    `json:"os"`
			OSVersion       string    `json:"osVersion"`
			ComplianceState string    `json:"complianceState"`
			LastSync        time.Time `json:"lastSync"`
			URI             string    `json:"uri"`
			Portal          string    `json:"portal"`
		} `json:"device"`
		Failing []struct {
			Policy   string `json:"policy"`
			Setting  string `json:"setting"`
			Title    string `json:"title"`
			Requires string `json:"requires"`
			Actual   string `json:"actual"`
		} `json:"failingSettings"`
		Grace struct {
			Summary     string    `json:"summary"`
			BlockedFrom time.Time `json:"blockedFrom"`
		} `json:"grace"`
		ConditionalAccess []struct {
			Name     string `json:"name"`
			Enforced bool   `json:"enforced"`
		} `json:"conditionalAccess"`
	} `json:"device"`
	MissingSources []struct {
		Source string `json:"source"`
		Error  string `json:"error"`
	} `json:"missingSources"`
}

// ComplianceFacet is a managed device's Intune compliance.
type ComplianceFacet struct {
	Name            string           `json:"name"`
	User            string           `json:"user,omitempty"`
	OS              string           `json:"os,omitempty"`
	OSVersion       string           `json:"osVersion,omitempty"`
	ComplianceState string           `json:"complianceState"`
	LastSync        time.Time        `json:"lastSync,omitzero"`
	FailingSettings []FailingSetting `json:"failingSettings"`
	Grace           string           `json:"grace,omitempty"`
	BlockedFrom     time.Time        `json:"blockedFrom,omitzero"`
	EnforcedCA      []string         `json:"enforcedConditionalAccess,omitempty"`
}

// FailingSetting is one setting a device fails.
type FailingSetting struct {
	Setting  string `json:"setting"`
	Title    string `json:"title"`
	Policy   string `json:"policy"`
	Requires string `json:"requires,omitempty"`
	Actual   string `json:"actual,omitempty"`
}

// deviceJob finds a device in Intune by name and then explains its compliance.
func deviceJob(name string) job {
	short := shortName(name)
	return job{key: "3-device-" + strings.ToLower(short), source: "Intune device " + short, tool: toolListDevices,
		args: map[string]any{"deviceName": short, "top": 10},
		then: func(r *run, raw json.RawMessage) error {
			var d deviceListDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolListDevices, err)
			}
			for _, dv := range d.Devices {
				if strings.EqualFold(dv.Name, short) && dv.ID != "" {
					r.spawn(complianceJob(dv.ID, dv.Name))
					return nil
				}
			}
			r.note("No Intune managed device is named " + short + ", so its compliance is unknown (server or unmanaged device).")
			return nil
		}}
}

// userDevicesJob lists a user's Intune devices and explains the compliance
// of each (at most maxDevices).
func userDevicesJob(upn string) job {
	return job{key: "3-userdevices-" + upn, source: "Intune devices of " + upn, tool: toolListDevices,
		args: map[string]any{"user": upn, "top": maxDevices},
		then: func(r *run, raw json.RawMessage) error {
			var d deviceListDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolListDevices, err)
			}
			if len(d.Devices) == 0 {
				r.note("No Intune managed device is registered to " + upn + ".")
			}
			for i, dv := range d.Devices {
				if i == maxDevices {
					break
				}
				if dv.ID != "" {
					r.spawn(complianceJob(dv.ID, dv.Name))
				}
			}
			return nil
		}}
}

func complianceJob(id, name string) job {
	return job{key: "3-compliance-" + id, source: "Intune compliance of " + name, tool: toolCompliance,
		args: map[string]any{"deviceId": id},
		then: func(r *run, raw json.RawMessage) error {
			var d complianceDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolCompliance, err)
			}
			for _, m := range d.MissingSources {
				r.partial("Intune compliance of "+name, toolCompliance, m.Source+": "+m.Error)
			}
			if d.Device == nil {
				return fmt.Errorf("%s returned no device", toolCompliance)
			}
			dv := d.Device
			f := ComplianceFacet{Name: dv.Device.Name, User: dv.Device.User, OS: dv.Device.OS, OSVersion: dv.Device.OSVersion,
				ComplianceState: dv.Device.ComplianceState, LastSync: dv.Device.LastSync, FailingSettings: []FailingSetting{},
				Grace: truncate(dv.Grace.Summary, 300), BlockedFrom: dv.Grace.BlockedFrom}
			for _, s := range dv.Failing {
				f.FailingSettings = append(f.FailingSettings, FailingSetting{Setting: s.Setting, Title: s.Title, Policy: s.Policy,
					Requires: truncate(s.Requires, 200), Actual: truncate(s.Actual, 100)})
			}
			for _, ca := range dv.ConditionalAccess {
				if ca.Enforced {
					f.EnforcedCA = append(f.EnforcedCA, ca.Name)
				}
			}
			r.set.Add(dv.Device.URI, KindDevice, strings.ToLower(dv.Device.Name), "device "+dv.Device.Name+" (Intune)", toolCompliance, "compliance", f)
			r.set.SetPortal(dv.Device.URI, dv.Device.Portal)
			return nil
		}}
}
