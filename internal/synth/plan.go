package synth

import (
	"net/netip"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// Request is one investigation: a question and the entities it is about.
// Entities left empty are taken from the question when it names them
// ("incident 1001", a UPN, an IP address, a device name).
type Request struct {
	Question   string
	IncidentID string
	User       string
	Device     string
	IP         string
	// Since and Until bound the activity looked at; zero means the
	// incident's activity window (with margins) or the sources' defaults.
	Since, Until time.Time

	// lead is what the answer begins with, set after the fan-out.
	lead *leadInfo
}

// window is a time range; zero ends mean "source default".
type window struct{ from, to time.Time }

func (w window) set() bool { return !w.from.IsZero() && !w.to.IsZero() }

// Limits on fan-out breadth per investigation.
const (
	maxUsers   = 4
	maxDevices = 4
	maxScripts = 3
)

var incidentRe = lazyre.New(`(?i)\bincident\s*(?:id\s*)?#?\s*:?\s*(\d{1,12})\b`)

// Resolve fills empty entities from the question and reports whether the
// request names anything to investigate.
func (q *Request) Resolve() bool {
	if q.IncidentID == "" {
		if m := incidentRe.FindStringSubmatch(q.Question); m != nil {
			q.IncidentID = m[1]
		}
	}
	for _, f := range cite.Extract(q.Question) {
		switch f.Kind {
		case cite.KindUPN:
			if q.User == "" {
				q.User = f.Value
			}
		case cite.KindIP:
			if q.IP == "" {
				q.IP = f.Value
			}
		case cite.KindHost:
			if q.Device == "" && safeName(f.Value) && strings.ContainsAny(f.Value, "0123456789") {
				q.Device = f.Value
			}
		}
	}
	q.User = strings.ToLower(strings.TrimSpace(q.User))
	if _, err := netip.ParseAddr(q.IP); err != nil {
		q.IP = ""
	}
	if !safeName(q.Device) {
		q.Device = ""
	}
	return q.scoped()
}

var nameRe = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._\-]{0,252}$`)

// safeName accepts device names that can go into a KQL string literal and a
// Graph filter as they are (letters, digits, '.', '_', '-').
func safeName(s string) bool { return nameRe.MatchString(s) }

// plan starts the first source calls; the rest follow from their results.
// A question that names no entity but asks something of the whole tenant
// is planned by planTenant.
func (r *run) plan(q Request, it intent) {
	win := window{q.Since, q.Until}
	if !q.scoped() {
		if win.set() {
			it.win = win
		}
		r.planTenant(it, r.call.Tenant.Now())
		return
	}
	r.budget = newEntityBudget(2)
	if q.IncidentID != "" {
		r.spawn(incidentJob(q.IncidentID, win))
		r.spawn(summaryJob(q.IncidentID))
		r.spawn(dlpCaseJob(q.IncidentID))
	}
	if q.User != "" {
		// Every source that can hold evidence about the user: sign-in risk,
		// the alerts (and so incidents) naming the user, DLP, devices.
		r.budget.take("user", q.User)
		r.spawn(riskJob(q.User, riskWindow(win)))
		r.spawn(dlpUserJob(q.User, win))
		r.spawn(alertsOfJob("user", q.User, win))
		r.spawn(userDevicesJob(q.User))
	}
	if q.Device != "" {
		r.budget.take("device", strings.ToLower(shortName(q.Device)))
		r.spawn(deviceJob(q.Device))
		r.spawn(alertsOfJob("device", shortName(q.Device), win))
		r.spawn(huntDevicesJob([]string{q.Device}, huntWindow(win, r.call.Tenant.Now())))
	}
	if q.IP != "" {
		r.spawn(riskIPJob(q.IP, riskWindow(win)))
		r.spawn(huntIPJob(q.IP, huntWindow(win, r.call.Tenant.Now())))
	}
}

// scoped reports whether the request names an entity.
func (q Request) scoped() bool {
	return q.IncidentID != "" || q.User != "" || q.Device != "" || q.IP != ""
}

// riskWindow widens an activity window for sign-in risk: sprays and
// suspicious sign-ins usually precede the alerts by days.
func riskWindow(w window) window {
	if !w.set() {
		return w
	}
	return window{w.from.Add(-7 * 24 * time.Hour), w.to.Add(24 * time.Hour)}
}

// huntWindow is the hunting window: the activity with an hour either side,
// or the last seven days.
func huntWindow(w window, now time.Time) window {
	if !w.set() {
		return window{now.Add(-7 * 24 * time.Hour), now}
	}
	return window{w.from.Add(-time.Hour), w.to.Add(time.Hour)}
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// shortName is a device's first DNS label (ct-lt-1037.contoso.com → ct-lt-1037).
func shortName(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return s
}

// encoded reports whether a command line carries an encoded or
// Base64-decoded PowerShell payload worth a static analysis.
func encoded(cmd string) bool {
	l := strings.ToLower(cmd)
	if strings.Contains(l, "frombase64string") {
		return true
	}
	for _, f := range strings.Fields(l) {
		f = strings.TrimLeft(f, "-/")
		if f == "ec" || (strings.HasPrefix("encodedcommand", f) && (f == "e" || strings.HasPrefix(f, "en"))) {
			return true
		}
	}
	return false
}
