package defender

import (
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

func TestRecommendOnlyWhatEvidenceSupports(t *testing.T) {
	at := time.Date(2026, 11, 16, 5, 0, 0, 0, time.UTC)
	dev := source.Evidence{Kind: "deviceEvidence", DeviceName: "ct-lt-9.contoso.com"}
	in := source.Incident{ID: "9", Alerts: []source.Alert{
		{ID: "a1", Title: "Suspicious PowerShell command line", Category: "Execution", Severity: "high", FirstActivityTime: at,
			MitreTechniques: []string{"T1059.001"}, Evidence: []source.Evidence{dev,
				{Kind: "processEvidence", FileName: "powershell.exe", SHA256: strings.Repeat("a", 64), Verdict: "malicious",
					ProcessCommandLine: "powershell.exe -nop -w hidden -enc SQBFAFgA"},
				{Kind: "fileEvidence", FileName: "cmd.exe", SHA256: strings.Repeat("b", 64), Verdict: "malicious"},
				{Kind: "fileEvidence", FileName: "stage2.exe", SHA256: strings.Repeat("c", 64), Verdict: "malicious"}}},
		{ID: "a2", Title: "Data collected into an archive", Category: "Collection", Severity: "medium", FirstActivityTime: at.Add(time.Minute),
			Evidence: []source.Evidence{dev, {Kind: "mailboxEvidence", MailboxUPN: "pat@contoso.com"}}},
		{ID: "a3", Title: "Suspicious access to LSASS service", Category: "CredentialAccess", Severity: "high", FirstActivityTime: at.Add(2 * time.Minute),
			MitreTechniques: []string{"T1003.001"}, Evidence: []source.Evidence{dev, {Kind: "userEvidence", UserPrincipalName: "adm@contoso.com"}}},
	}}
	recs := Recommend("contoso", in)
	all := ""
	for _, r := range recs {
		all += r.Phase + ": " + r.Text + "\n"
		if len(r.Alerts) == 0 || len(r.URIs) != len(r.Alerts) || r.Entity == "" {
			t.Errorf("step without its alert or entity: %+v", r)
		}
		for _, u := range r.URIs {
			if !strings.HasPrefix(u, "secmcp://contoso/alerts/a") {
				t.Errorf("step cites %s, not an alert", u)
			}
		}
	}
	// No forwarding step: no alert is about mail forwarding or inbox rules,
	// although one is a Collection alert with a mailbox.
	for _, not := range []string{"forwarding", "SHA-256 " + strings.Repeat("a", 64), "SHA-256 " + strings.Repeat("b", 64)} {
		if strings.Contains(all, not) {
			t.Errorf("unsupported step %q in:\n%s", not, all)
		}
	}
	for _, want := range []string{"Isolate ct-lt-9.contoso.com", "stage2.exe (SHA-256 " + strings.Repeat("c", 64),
		"Reset the password of adm@contoso.com", "Decode the encoded PowerShell command of alert a1", "signed in to ct-lt-9.contoso.com"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing step %q in:\n%s", want, all)
		}
	}
	// One isolation step for the device, citing every alert that calls for it.
	n := 0
	for _, r := range recs {
		if strings.HasPrefix(r.Text, "Isolate ct-lt-9") {
			n++
			if strings.Join(r.Alerts, ",") != "a1,a3" {
				t.Errorf("isolation called for by %v, want a1,a3 (the Collection alert is medium but not hostile)", r.Alerts)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d isolation steps for one device", n)
	}

	// A forwarding-rule alert calls for removing the rule of its mailbox.
	in.Alerts = append(in.Alerts, source.Alert{ID: "a4", Title: "Suspicious inbox forwarding rule", Category: "Collection", Severity: "medium",
		MitreTechniques: []string{"T1114.003"}, Evidence: []source.Evidence{{Kind: "mailboxEvidence", MailboxUPN: "pat@contoso.com"}}})
	found := false
	for _, r := range Recommend("contoso", in) {
		if strings.Contains(r.Text, "forwarding rules of pat@contoso.com") && strings.Join(r.Alerts, ",") == "a4" {
			found = true
		}
	}
	if !found {
		t.Error("no forwarding step for the forwarding-rule alert")
	}
}
