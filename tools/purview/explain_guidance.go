package purview

import (
	"fmt"
	"strings"
)

// bulkInstances is the instance count from which a match looks like a bulk
// export rather than a single record.
const bulkInstances = 100

// nextSteps is our guidance for the analyst: what to check next given the
// location, the action taken, the override and the data matched.
func nextSteps(d DLPDetails) []string {
	var out []string
	out = append(out, locationSteps(d)...)
	out = append(out, actionSteps(d)...)
	out = append(out, dataSteps(d)...)
	if d.User != "" {
		out = append(out, "Look for other DLP alerts and exfiltration paths of "+d.User+" with purview_summarize_investigation, and check the account for risky sign-ins (entra_list_risky_users) in case it is compromised.")
	}
	return out
}

func locationSteps(d DLPDetails) []string {
	switch strings.ToLower(d.Location) {
	case "exchange":
		s := []string{"Run a message trace for the sender to see whether the same content went to these recipients through other messages, and check the mailbox for inbox rules that forward or redirect mail."}
		if ext := externalRecipients(d.Recipients, d.User); len(ext) > 0 {
			s = append(s, "The recipients "+strings.Join(ext, ", ")+" are outside the sender's domain: confirm there is a business relationship, and whether any is a personal mailbox.")
		}
		return s
	case "sharepoint", "onedrive":
		return []string{"Open the file's sharing settings: look for Anyone links and external users, and review who accessed or downloaded it since the match (OfficeActivity FileAccessed/FileDownloaded).",
			"Check whether the site's sharing policy allows external sharing it should not."}
	case "teams":
		return []string{"Check who was in the chat or channel (guests or external federated users) and whether files were shared in the same conversation."}
	case "endpoint":
		s := []string{"Review the device's file and network activity around the time of the match (DeviceFileEvents, DeviceNetworkEvents, DeviceEvents) to see where the file came from and where it went."}
		switch t := strings.ToLower(d.TargetDomain); {
		case strings.Contains(t, "usb") || strings.Contains(t, "removable"):
			s = append(s, "The target was removable storage: check the device's USB events (DeviceEvents UsbDriveMounted) and whether device control should block writes to unapproved drives.")
		case t != "":
			s = append(s, "Check the reputation and ownership of "+d.TargetDomain+": an unknown or personal file-sharing service is a likely exfiltration destination; consider blocking it with a web content filter or a Defender for Endpoint indicator.")
		}
		if d.FileName != "" && isArchive(d.FileName) {
			s = append(s, "The file is an archive: find out what was put into it (the DeviceFileEvents rows that created it) — archives are a common way to stage data and hide content from inspection.")
		}
		return s
	}
	return nil
}

func actionSteps(d DLPDetails) []string {
	switch strings.ToLower(d.Action) {
	case "audit":
		return []string{"Nothing was blocked: assume the content left as described and assess the exposure; consider moving the rule from audit to block with override."}
	case "notify":
		return []string{"The user was warned but not stopped: confirm with the user (or the manager) that the sharing was intended and authorised."}
	case "block":
		return []string{"The action was stopped: confirm with the user what they were trying to do, and look for repeated attempts through other channels (personal mail, cloud storage, USB)."}
	case "blockwithoverride":
		if d.Overridden {
			return []string{"The user overrode the block, so the content went through: validate the justification with the user's manager or the data owner, and treat it as an incident if it does not hold."}
		}
		return []string{"The user accepted the block: confirm with the user what they were trying to do and look for attempts through other channels."}
	}
	return nil
}

func dataSteps(d DLPDetails) []string {
	var out []string
	high, total := false, 0
	for _, s := range d.SITs {
		if s.Count > 0 {
			total += s.Count
		}
		if strings.EqualFold(s.Confidence, "high") {
			high = true
		}
	}
	if d.MatchCount > total {
		total = d.MatchCount
	}
	switch {
	case total >= bulkInstances && high:
		n := ""
		if d.MatchCount > 0 {
			n = fmt.Sprintf(" (%d instances)", d.MatchCount)
		}
		out = append(out, "The match is large and high-confidence"+n+": treat it as a possible bulk data exposure and involve the privacy or compliance team about notification duties.")
	case !high && len(d.SITs) > 0:
		out = append(out, "No sensitive information type matched with high confidence: check for a false positive (test data, sample numbers) before escalating.")
	}
	if d.Label != "" {
		out = append(out, "The item carries the label "+d.Label+": check whether the label was changed or removed before the activity (audit events FileSensitivityLabelChanged / SensitivityLabelRemoved).")
	}
	return out
}

func isArchive(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".cab", ".iso"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}
