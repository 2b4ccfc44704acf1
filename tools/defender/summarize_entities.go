package defender

import (
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// SummaryEntities are the entities the incident's alert evidence names,
// each citing the earliest alert that names it. Totals counts every entity
// before the detail level trimmed the lists.
type SummaryEntities struct {
	Users     []UserEntity   `json:"users"`
	Devices   []DeviceEntity `json:"devices"`
	Mailboxes []Entity       `json:"mailboxes"`
	IPs       []IPEntity     `json:"ips"`
	Files     []FileEntity   `json:"files"`
	Apps      []Entity       `json:"apps"`
	URLs      []Entity       `json:"urls"`
	Totals    EntityTotals   `json:"totals"`
}

// EntityTotals counts distinct entities of each kind.
type EntityTotals struct {
	Users     int `json:"users"`
	Devices   int `json:"devices"`
	Mailboxes int `json:"mailboxes"`
	IPs       int `json:"ips"`
	Files     int `json:"files"`
	Apps      int `json:"apps"`
	URLs      int `json:"urls"`
}

// Entity is one named entity and where it was seen.
type Entity struct {
	Name string `json:"name"`
	// Alerts counts the incident's alerts whose evidence names it.
	Alerts    int       `json:"alerts"`
	FirstSeen time.Time `json:"firstSeen,omitzero"`
	// URI is the earliest alert naming the entity.
	URI string `json:"uri"`
}

// UserEntity is a user account from evidence, with its Entra risk when known.
type UserEntity struct {
	Entity
	AccountName string `json:"accountName,omitempty"`
	// UserURI is the user's resource (secmcp://{tenant}/users/{upn}).
	UserURI string    `json:"userUri,omitempty"`
	Risk    *UserRisk `json:"risk,omitempty"`
}

// UserRisk is Entra ID Protection's current view of a user.
type UserRisk struct {
	Level       string    `json:"level"`
	State       string    `json:"state"`
	LastUpdated time.Time `json:"lastUpdated,omitzero"`
	URI         string    `json:"uri"`
}

// DeviceEntity is a device from evidence, with its Intune compliance when
// the device name matches a managed device.
type DeviceEntity struct {
	Entity
	MDEDeviceID     string            `json:"mdeDeviceId,omitempty"`
	AzureADDeviceID string            `json:"azureAdDeviceId,omitempty"`
	OSPlatform      string            `json:"osPlatform,omitempty"`
	Intune          *DeviceCompliance `json:"intune,omitempty"`
}

// DeviceCompliance is the matched Intune device's compliance.
type DeviceCompliance struct {
	ManagedDeviceID string   `json:"managedDeviceId"`
	Name            string   `json:"name"`
	ComplianceState string   `json:"complianceState"`
	FailingPolicies []string `json:"failingPolicies,omitempty"`
	FailingSettings []string `json:"failingSettings,omitempty"`
	// Known is false when the device was found but its policy states could not be read.
	Known  bool   `json:"statesKnown"`
	URI    string `json:"uri"`
	Portal string `json:"portal,omitempty"`
}

// IPEntity is an IP address from evidence.
type IPEntity struct {
	Entity
	Country string `json:"country,omitempty"`
}

// FileEntity is a file (or process image) from evidence.
type FileEntity struct {
	Entity
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
}

// entityAcc accumulates one entity across alerts.
type entityAcc struct {
	key, name string
	first     time.Time
	firstURI  string
	alerts    map[string]bool
	extra     map[string]string
}

type entitySet struct {
	byKey map[string]*entityAcc
}

func newEntitySet() *entitySet { return &entitySet{byKey: map[string]*entityAcc{}} }

func (s *entitySet) add(key, name string, a source.Alert, uri string, extra map[string]string) {
	key = strings.ToLower(strings.TrimSpace(key))
	if key == "" {
		return
	}
	e := s.byKey[key]
	at := alertStart(a)
	if e == nil {
		e = &entityAcc{key: key, name: strings.TrimSpace(name), alerts: map[string]bool{}, extra: map[string]string{}, first: at, firstURI: uri}
		s.byKey[key] = e
	}
	e.alerts[a.ID] = true
	if at.Before(e.first) || (at.Equal(e.first) && uri < e.firstURI) {
		e.first, e.firstURI = at, uri
	}
	for k, v := range extra {
		if v != "" && e.extra[k] == "" {
			e.extra[k] = v
		}
	}
}

// sorted returns the entities earliest first (then by name).
func (s *entitySet) sorted() []*entityAcc {
	out := make([]*entityAcc, 0, len(s.byKey))
	for _, e := range s.byKey {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].first.Equal(out[j].first) {
			return out[i].first.Before(out[j].first)
		}
		return out[i].key < out[j].key
	})
	return out
}

func (e *entityAcc) entity() Entity {
	return Entity{Name: e.name, Alerts: len(e.alerts), FirstSeen: e.first, URI: e.firstURI}
}

// alertStart is when an alert's activity began (creation time as fallback).
func alertStart(a source.Alert) time.Time {
	if !a.FirstActivityTime.IsZero() {
		return a.FirstActivityTime.UTC()
	}
	return a.CreatedDateTime.UTC()
}

// alertEnd is when an alert's activity ended.
func alertEnd(a source.Alert) time.Time {
	if !a.LastActivityTime.IsZero() {
		return a.LastActivityTime.UTC()
	}
	return alertStart(a)
}

// collected holds every entity of an incident before trimming.
type collected struct {
	users, devices, mailboxes, ips, files, apps, urls *entitySet
}

func collectSummaryEntities(alias string, alerts []source.Alert) collected {
	c := collected{newEntitySet(), newEntitySet(), newEntitySet(), newEntitySet(), newEntitySet(), newEntitySet(), newEntitySet()}
	for _, a := range alerts {
		uri := resources.URI(alias, resources.KindAlert, a.ID)
		for _, e := range a.Evidence {
			c.addEvidence(a, uri, e)
		}
	}
	return c
}

func (c collected) addEvidence(a source.Alert, uri string, e source.Evidence) {
	switch {
	case e.UserPrincipalName != "":
		c.users.add(e.UserPrincipalName, strings.ToLower(e.UserPrincipalName), a, uri, map[string]string{"account": e.AccountName})
	case e.AccountName != "" && (e.Kind == "userEvidence" || e.Kind == "processEvidence"):
		c.users.add(e.AccountName, e.AccountName, a, uri, map[string]string{"account": e.AccountName})
	}
	if e.Kind == "deviceEvidence" && e.DeviceName != "" {
		c.devices.add(e.DeviceName, e.DeviceName, a, uri, map[string]string{"mde": e.DeviceID, "aad": e.AzureADDeviceID, "os": e.OSPlatform})
	}
	if e.MailboxUPN != "" {
		c.mailboxes.add(e.MailboxUPN, strings.ToLower(e.MailboxUPN), a, uri, nil)
	}
	if e.IPAddress != "" {
		c.ips.add(e.IPAddress, e.IPAddress, a, uri, map[string]string{"country": e.CountryCode})
	}
	if e.FileName != "" && (e.Kind == "fileEvidence" || e.Kind == "processEvidence") {
		key := e.SHA256
		if key == "" {
			key = e.FilePath + `\` + e.FileName
		}
		c.files.add(key, e.FileName, a, uri, map[string]string{"path": e.FilePath, "sha256": e.SHA256, "sha1": e.SHA1})
	}
	if e.Kind == "cloudApplicationEvidence" && e.AppName != "" {
		c.apps.add(e.AppName, e.AppName, a, uri, nil)
	}
	if e.URL != "" {
		c.urls.add(e.URL, e.URL, a, uri, nil)
	}
}

// entities turns the collected sets into the result lists, each cut to max.
func (c collected) entities(alias string, max int) SummaryEntities {
	out := SummaryEntities{
		Users: []UserEntity{}, Devices: []DeviceEntity{}, Mailboxes: []Entity{}, IPs: []IPEntity{},
		Files: []FileEntity{}, Apps: []Entity{}, URLs: []Entity{},
		Totals: EntityTotals{Users: len(c.users.byKey), Devices: len(c.devices.byKey), Mailboxes: len(c.mailboxes.byKey),
			IPs: len(c.ips.byKey), Files: len(c.files.byKey), Apps: len(c.apps.byKey), URLs: len(c.urls.byKey)},
	}
	for _, e := range capped(c.users.sorted(), max) {
		u := UserEntity{Entity: e.entity(), AccountName: e.extra["account"]}
		if strings.Contains(e.name, "@") {
			u.UserURI = resources.URI(alias, resources.KindUser, e.name)
		}
		out.Users = append(out.Users, u)
	}
	for _, e := range capped(c.devices.sorted(), max) {
		out.Devices = append(out.Devices, DeviceEntity{Entity: e.entity(), MDEDeviceID: e.extra["mde"], AzureADDeviceID: e.extra["aad"], OSPlatform: e.extra["os"]})
	}
	for _, e := range capped(c.mailboxes.sorted(), max) {
		out.Mailboxes = append(out.Mailboxes, e.entity())
	}
	for _, e := range capped(c.ips.sorted(), max) {
		out.IPs = append(out.IPs, IPEntity{Entity: e.entity(), Country: e.extra["country"]})
	}
	for _, e := range capped(c.files.sorted(), max) {
		out.Files = append(out.Files, FileEntity{Entity: e.entity(), Path: e.extra["path"], SHA256: e.extra["sha256"], SHA1: e.extra["sha1"]})
	}
	for _, e := range capped(c.apps.sorted(), max) {
		out.Apps = append(out.Apps, e.entity())
	}
	for _, e := range capped(c.urls.sorted(), max) {
		out.URLs = append(out.URLs, e.entity())
	}
	return out
}

func capped[T any](s []T, max int) []T {
	if max >= 0 && len(s) > max {
		return s[:max]
	}
	return s
}

// shortHost returns the first DNS label of a host name, upper-cased the way
// Intune and Entra show device names ("ct-lt-1037.contoso.com" → "CT-LT-1037").
func shortHost(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	return strings.ToUpper(name)
}

// sameDevice reports whether two device names denote the same machine:
// equal ignoring case, or equal first DNS labels (FQDN vs short name).
func sameDevice(a, b string) bool {
	return strings.EqualFold(a, b) || (a != "" && b != "" && strings.EqualFold(shortHost(a), shortHost(b)))
}
