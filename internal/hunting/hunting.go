// Package hunting is secmcp's library of hunting-query templates: KQL over
// the Defender Advanced Hunting tables, keyed by ATT&CK technique and by
// pivot kind (the same SHA256 on other devices, other users signing in from
// an IP, persistence on a device after an alert, lateral movement from or
// to a device, encoded PowerShell, LSASS access, mass renames, password
// spray, …).
//
// Templates are text with placeholders ({{device}}, {{ip}}, {{start}}, …).
// Render substitutes only values it has turned into KQL literals itself:
// strings become double-quoted literals with every quote, backslash and
// control character escaped (Quote), times become datetime(...) literals,
// so an attacker-controlled value (a command line, a file name) can never
// change a query's shape. Each template names the tables it reads so a
// caller can drop templates a tenant cannot run, and carries a one-line
// rationale and its techniques.
//
// Suggest picks and renders templates for an incident's entities and
// techniques. The package does no I/O; validation (kqlcheck) and execution
// are the caller's.
package hunting

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Entity kinds a template pivots on.
const (
	EntityNone        = ""            // tenant-wide template
	EntityDevice      = "device"      // device name (short or FQDN)
	EntityUser        = "user"        // UPN
	EntityAccount     = "account"     // sAMAccountName as endpoint telemetry records it
	EntityIP          = "ip"          // IP address
	EntityHash        = "sha256"      // SHA-256 of a file
	EntityCommandLine = "commandLine" // a full process command line
	EntityDomain      = "domain"      // domain or host name of a URL
	EntityURL         = "url"         // URL
)

// Template is one hunting query template.
type Template struct {
	// ID is stable and unique, e.g. "device-persistence-registry".
	ID string `json:"id"`
	// Title is a short human title.
	Title string `json:"title"`
	// Pivot names what the hunt pivots on, e.g. "same SHA256 on other devices".
	Pivot string `json:"pivot"`
	// Entity is the kind of value the template needs (EntityNone for tenant-wide).
	Entity string `json:"entity,omitempty"`
	// Techniques are the ATT&CK techniques the hunt looks for.
	Techniques []string `json:"techniques"`
	// Tables are the tables the query reads.
	Tables []string `json:"tables"`
	// Rationale is one line saying why to run it; {{value}} is replaced by
	// the entity value (as plain text) when rendered.
	Rationale string `json:"rationale"`
	// Signs is a regular expression (case-insensitive) over the incident's
	// command lines: a match means the evidence already shows the behaviour
	// the hunt looks for, which ranks it higher ("" for none).
	Signs string `json:"-"`
	// Text is the KQL with placeholders {{start}}, {{end}} and, by Entity,
	// {{device}} / {{device_prefix}}, {{user}}, {{account}}, {{ip}},
	// {{sha256}}, {{commandLine}}, {{domain}}, {{url}}.
	Text string `json:"query"`
}

// Query is a rendered template.
type Query struct {
	TemplateID string   `json:"templateId"`
	Title      string   `json:"title"`
	Pivot      string   `json:"pivot"`
	Entity     string   `json:"entity,omitempty"`
	Value      string   `json:"value,omitempty"`
	Techniques []string `json:"techniques"`
	Tables     []string `json:"tables"`
	Rationale  string   `json:"rationale"`
	Query      string   `json:"query"`
}

// maxValue bounds one substituted value (bytes); longer values are cut at
// a rune boundary so a hostile command line cannot blow up a query.
const maxValue = 4096

// Quote returns s as a KQL double-quoted string literal: backslash, double
// quote, newline, carriage return and tab are escaped; other control
// characters and invalid UTF-8 become U+FFFD; the value is cut to 4 KiB.
func Quote(s string) string {
	s = clip(s)
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func clip(s string) string {
	if len(s) <= maxValue {
		return s
	}
	for i := maxValue; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return ""
}

// DateTime renders t as a KQL datetime literal in UTC.
func DateTime(t time.Time) string {
	return "datetime(" + t.UTC().Format("2006-01-02T15:04:05Z") + ")"
}

// ShortHost returns the lower-case first label of a host name
// ("CT-LT-1037.contoso.com" → "ct-lt-1037").
func ShortHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}

// DomainOf returns the host of a URL, or the value itself when it has none.
func DomainOf(v string) string {
	v = strings.TrimSpace(v)
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		return strings.ToLower(u.Hostname())
	}
	return strings.ToLower(v)
}

// Render substitutes a template's placeholders. value is the entity value
// (ignored for tenant-wide templates); start and end bound the hunt.
func (t Template) Render(value string, start, end time.Time) (Query, error) {
	if !end.After(start) {
		return Query{}, fmt.Errorf("hunting: render %s: end %s is not after start %s", t.ID, end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if t.Entity != EntityNone && strings.TrimSpace(value) == "" {
		return Query{}, fmt.Errorf("hunting: render %s: a %s value is required", t.ID, t.Entity)
	}
	subs := []string{"{{start}}", DateTime(start), "{{end}}", DateTime(end)}
	v := strings.TrimSpace(value)
	switch t.Entity {
	case EntityDevice:
		short := ShortHost(v)
		subs = append(subs, "{{device}}", Quote(short), "{{device_prefix}}", Quote(short+"."))
	case EntityUser:
		subs = append(subs, "{{user}}", Quote(strings.ToLower(v)))
	case EntityDomain:
		subs = append(subs, "{{domain}}", Quote(DomainOf(v)))
	case EntityNone:
	default:
		subs = append(subs, "{{"+t.Entity+"}}", Quote(v))
	}
	if placeholderLeft(t.Text, subs) {
		return Query{}, fmt.Errorf("hunting: render %s: the template has a placeholder its entity kind does not fill", t.ID)
	}
	// One pass over the template text: substituted values are never rescanned.
	q := strings.NewReplacer(subs...).Replace(t.Text)
	return Query{TemplateID: t.ID, Title: t.Title, Pivot: t.Pivot, Entity: t.Entity, Value: clip(v),
		Techniques: append([]string(nil), t.Techniques...), Tables: append([]string(nil), t.Tables...),
		Rationale: strings.ReplaceAll(t.Rationale, "{{value}}", oneLine(clip(v), 120)), Query: q}, nil
}

// placeholderLeft reports whether the template text has a placeholder the
// substitutions do not cover (a template bug, caught by the tests).
func placeholderLeft(text string, subs []string) bool {
	for rest := text; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return false
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return false
		}
		ph := rest[i : i+j+2]
		known := false
		for k := 0; k < len(subs); k += 2 {
			if subs[k] == ph {
				known = true
			}
		}
		if !known {
			return true
		}
		rest = rest[i+j+2:]
	}
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}

// Templates returns the library sorted by ID.
func Templates() []Template {
	out := append([]Template(nil), library...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the template with the given ID.
func Lookup(id string) (Template, bool) {
	for _, t := range library {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}

// ForTechnique returns the templates that look for a technique (or, for a
// sub-technique, for its parent), sorted by ID.
func ForTechnique(id string) []Template {
	id = strings.ToUpper(strings.TrimSpace(id))
	parent, _, _ := strings.Cut(id, ".")
	var out []Template
	for _, t := range Templates() {
		for _, tt := range t.Techniques {
			if tt == id || tt == parent {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// Available reports whether every table the template reads is present;
// hasTable nil means every table is present.
func (t Template) Available(hasTable func(string) bool) bool {
	if hasTable == nil {
		return true
	}
	for _, tb := range t.Tables {
		if !hasTable(tb) {
			return false
		}
	}
	return true
}
