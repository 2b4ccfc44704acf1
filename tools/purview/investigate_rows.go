package purview

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/text"
)

// bulkDownloads is the number of downloads in the window from which they
// count as a bulk download (staging).
const bulkDownloads = 20

var otherDriveRe = lazyre.New(`^[D-Zd-z]:\\`)

// deviceRows turns Q1 (DeviceFileEvents) and Q2 (DeviceEvents) rows into events.
func (st *invState) deviceRows() {
	usb := map[string]bool{}
	ev := newTable(st.tables["Q2"])
	for r := 0; r < ev.rows(); r++ {
		at, host, file := ev.time(r, "Timestamp"), ev.str(r, "DeviceName"), ev.str(r, "FileName")
		switch act := ev.str(r, "ActionType"); act {
		case "UsbDriveMounted":
			usb[shortHost(host)] = true
			st.addQueryEvent("Q2", at, "usb", host, "USB drive mounted on {dev}", act)
		case "SensitiveFileRead":
			e := st.addQueryEvent("Q2", at, "sensitive_read", host, fmt.Sprintf("%s read the sensitive file %s on {dev}", ev.str(r, "InitiatingProcessFileName"), text.Quote(file)), file)
			st.relatedAlerts(e, file, "")
		default:
			e := st.addQueryEvent("Q2", at, "removable", host, fmt.Sprintf("removable storage event %s for %s on {dev}", act, text.Quote(file)), act+file)
			st.addPath("removable_media", "removable storage", e)
		}
	}
	fe := newTable(st.tables["Q1"])
	for r := 0; r < fe.rows(); r++ {
		at, host, file, folder := fe.time(r, "Timestamp"), fe.str(r, "DeviceName"), fe.str(r, "FileName"), fe.str(r, "FolderPath")
		var e *Event
		switch {
		case fe.str(r, "RequestSourceIP") != "":
			e = st.addQueryEvent("Q1", at, "file_copy", host, fmt.Sprintf("%s copied to {dev} over %s from %s (%s)", text.Quote(file),
				orDefault(fe.str(r, "RequestProtocol"), "the network"), fe.str(r, "RequestSourceIP"), folder), file+folder)
		case otherDriveRe.MatchString(folder):
			e = st.addQueryEvent("Q1", at, "file_other_drive", host, fmt.Sprintf("%s written to drive %s on {dev}", text.Quote(file), strings.ToUpper(folder[:2])), file+folder)
			if usb[shortHost(host)] {
				st.addPath("removable_media", "removable storage", e)
			}
		default:
			e = st.addQueryEvent("Q1", at, "archive", host, fmt.Sprintf("archive %s created on {dev} (%s)", text.Quote(file), folder), file+folder)
		}
		st.relatedAlerts(e, file, "")
	}
}

// networkRows turns Q3 (DeviceNetworkEvents) rows into upload events.
func (st *invState) networkRows(domains []string) {
	tb := newTable(st.tables["Q3"])
	for r := 0; r < tb.rows(); r++ {
		at, host, url := tb.time(r, "Timestamp"), tb.str(r, "DeviceName"), tb.str(r, "RemoteUrl")
		dest := matchDomain(url, domains)
		sent := ""
		if m, ok := tb.cell(r, "AdditionalFields").(map[string]any); ok && m["BytesSent"] != nil {
			sent = ", " + byteSize(m["BytesSent"]) + " sent"
		}
		e := st.addQueryEvent("Q3", at, "upload", host, fmt.Sprintf("%s on {dev} connected to %s (%s)%s", tb.str(r, "InitiatingProcessFileName"),
			url, tb.str(r, "RemoteIP"), sent), url)
		st.relatedAlerts(e, "", dest)
		st.addPath("personal_cloud_upload", dest, e)
	}
}

func matchDomain(url string, domains []string) string {
	h := strings.ToLower(url)
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	h = strings.SplitN(h, "/", 2)[0]
	for _, d := range domains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return d
		}
	}
	return h
}

// mailRows turns Q4 (EmailEvents) rows into mail events.
func (st *invState) mailRows() {
	tb := newTable(st.tables["Q4"])
	for r := 0; r < tb.rows(); r++ {
		rcpt := tb.str(r, "RecipientEmailAddress")
		kind := "mail_external"
		if inList(domainOf(rcpt), personalDomains) {
			kind = "mail_personal"
		}
		e := st.addQueryEvent("Q4", tb.time(r, "Timestamp"), kind, "", fmt.Sprintf("mail sent to %s (subject %s, untrusted; %s)", rcpt,
			text.Quote(tb.str(r, "Subject")), tb.str(r, "DeliveryAction")), tb.str(r, "NetworkMessageId")+rcpt)
		st.addPath(kind, rcpt, e)
	}
}

// downloads aggregates download rows of one query.
type downloads struct {
	n           int
	first, last time.Time
	names       []string
	where       string
}

// cloudRows turns Q5 (CloudAppEvents) and Q6 (OfficeActivity) rows into events.
func (st *invState) cloudRows() {
	for _, q := range []struct{ name, time, op, app, object string }{
		{"Q5", "Timestamp", "ActionType", "Application", "ObjectName"},
		{"Q6", "TimeGenerated", "Operation", "OfficeWorkload", "SourceFileName"},
	} {
		tb := newTable(st.tables[q.name])
		var dl downloads
		for r := 0; r < tb.rows(); r++ {
			at, op, app, obj := tb.time(r, q.time), tb.str(r, q.op), tb.str(r, q.app), tb.str(r, q.object)
			if obj == "" {
				obj = tb.str(r, "OfficeObjectId")
			}
			switch {
			case op == "FileDownloaded" || op == "FileSyncDownloadedFull":
				dl.add(at, obj, app)
			case strings.Contains(op, "InboxRule") || op == "Set-Mailbox":
				st.inboxRule(q.name, at, op, obj, paramsOf(tb.cell(r, "Parameters"), tb.cell(r, "RawEventData")))
			case strings.Contains(op, "Label"):
				st.addQueryEvent(q.name, at, "label", "", fmt.Sprintf("sensitivity label operation %s on %s in %s", op, text.Quote(obj), app), op+obj)
				st.res.Labels = append(st.res.Labels, LabelSeen{Label: "changed on " + obj, Time: at, Source: "query " + q.name + " (" + op + ")"})
			default:
				st.sharing(q.name, at, op, app, obj, tb.str(r, "UserSharedWith"))
			}
		}
		if dl.n > 0 {
			e := st.addQueryEvent(q.name, dl.first, "download", "", fmt.Sprintf("%s from %s between %s and %s (e.g. %s)",
				text.Count(int64(dl.n), "file download"), dl.where, dl.first.Format(time.RFC3339), dl.last.Format(time.RFC3339), strings.Join(dl.names, ", ")), "downloads")
			if dl.n >= bulkDownloads {
				st.addPath("bulk_download", dl.where, e)
			}
		}
	}
}

func (d *downloads) add(at time.Time, name, where string) {
	if d.n == 0 || at.Before(d.first) {
		d.first = at
	}
	if at.After(d.last) {
		d.last = at
	}
	d.n++
	if len(d.names) < 3 {
		d.names = append(d.names, fmt.Sprintf("%s", text.Quote(name)))
	}
	if d.where == "" {
		d.where = where
	}
}

func (st *invState) sharing(q string, at time.Time, op, app, obj, with string) {
	own := domainOf(st.upn)
	external := op == "AnonymousLinkCreated" || strings.Contains(strings.ToLower(with), "#ext#") ||
		(strings.Contains(with, "@") && domainOf(with) != own)
	what := fmt.Sprintf("%s on %s in %s", op, text.Quote(obj), app)
	if with != "" {
		what += " with " + with
	}
	e := st.addQueryEvent(q, at, "sharing", "", what, op+obj+with)
	if external {
		dest := with
		if dest == "" {
			dest = "anyone with the link"
		}
		st.addPath("external_sharing", dest, e)
	}
}

// forwardKeys are inbox rule parameters that send mail elsewhere.
var forwardKeys = []string{"ForwardTo", "RedirectTo", "ForwardAsAttachmentTo", "ForwardingSmtpAddress"}

func (st *invState) inboxRule(q string, at time.Time, op, obj string, params map[string]string) {
	var targets []string
	for _, k := range forwardKeys {
		for _, t := range strings.FieldsFunc(params[k], func(r rune) bool { return r == ';' || r == ',' }) {
			if t = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(t), "smtp:")); t != "" {
				targets = append(targets, t)
			}
		}
	}
	what := fmt.Sprintf("%s (rule %s)", op, text.Quote(orDefault(params["Name"], obj)))
	if len(targets) > 0 {
		what += " forwarding to " + strings.Join(targets, ", ")
	}
	e := st.addQueryEvent(q, at, "inbox_rule", "", what, op+strings.Join(targets, ","))
	for _, t := range externalRecipients(strings.Join(targets, ";"), st.upn) {
		st.addPath("mail_forwarding", t, e)
		st.relatedAlertsByRecipient(e, t)
	}
}

// relatedAlertsByRecipient cites DLP alerts that name the same recipient.
func (st *invState) relatedAlertsByRecipient(e *Event, rcpt string) {
	for _, a := range st.alerts {
		if strings.Contains(strings.ToLower(parseDLP(a).Recipients), strings.ToLower(rcpt)) {
			e.Citations = appendOnce(e.Citations, st.alertURI(a.ID))
		}
	}
}

// paramsOf reads inbox rule parameters from OfficeActivity's Parameters
// (a JSON string of Name/Value pairs) or CloudAppEvents' RawEventData.
func paramsOf(params, raw any) map[string]string {
	out := map[string]string{}
	var list []any
	switch v := params.(type) {
	case string:
		_ = json.Unmarshal([]byte(v), &list)
	case []any:
		list = v
	}
	if m, ok := raw.(map[string]any); ok && list == nil {
		switch p := m["Parameters"].(type) {
		case []any:
			list = p
		case string:
			_ = json.Unmarshal([]byte(p), &list)
		}
	}
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out[fmt.Sprint(m["Name"])] = fmt.Sprint(m["Value"])
		}
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// number renders a JSON number without exponent.
// byteSize renders a byte count from a JSON cell in binary units ("700
// MiB"); a value that is not a whole number is shown as it is.
func byteSize(v any) string {
	var n int64
	switch x := v.(type) {
	case float64:
		if x != float64(int64(x)) {
			return number(v) + " bytes"
		}
		n = int64(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return x.String() + " bytes"
		}
		n = i
	default:
		return number(v) + " bytes"
	}
	return text.Bytes(n)
}

func number(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}
