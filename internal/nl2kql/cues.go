package nl2kql

import (
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Cues are general readings of how a question is phrased, applied before
// the tables are scored:
//
//   - Detection descriptions ("Detects when …", "Alert when …", "This query
//     looks for …") lose their preamble, so the verb does not vote for the
//     alert tables and the subject noun phrase drives the table choice.
//   - Alert pivots ("When Defender for Identity detects …", "When a
//     Defender for Endpoint alert is triggered …") start from the alert in
//     SecurityAlert and follow its entities into the table the rest of the
//     question names (see pivot.go). The product named is the alert's
//     source, not the table to read, so it is replaced by the word "alert".
//   - Privileged users ("users who hold a privileged role", "privileged
//     users") are a set read from IdentityInfo.AssignedRoles that filters
//     the activity table; "added to a privileged role" stays an AuditLogs
//     event.
//   - Data domains: a question with cloud cues (tenant, guest, Office 365,
//     Entra, Azure) and no endpoint cue is not about an endpoint table,
//     however much "file" or "download" points at DeviceFileEvents.

// rePreamble is the opening of a detection description.
var rePreamble = lazyre.New(`(?i)^\s*(?:(?:this|the|a)\s+)?(?:(?:query|rule|hunt(?:ing query)?|detection|analytic(?:s rule)?)\s+(?:is\s+used\s+)?(?:to|that|which|will)?\s*(?:looks?\s+(?:at|for)|finds?|detects?|identif(?:y|ies)|searches(?:\s+for)?|search(?:\s+for)?|returns?|lists?|alerts?(?:\s+(?:on|when|if))?)\s+|(?:detects?|detection\s+of|identif(?:y|ies)|alerts?(?:\s+me)?\s+(?:when|if|on)|alert\s+for|hunt(?:s)?\s+for|look\s+for|search(?:es)?\s+for)\s+)`)

// stripPreamble removes the opening of a detection description.
func stripPreamble(q string) string {
	if loc := rePreamble.FindStringIndex(q); loc != nil && loc[1] < len(q) {
		return q[loc[1]:]
	}
	return q
}

// alertProducts map the product phrases of a question to the ProductName
// values SecurityAlert stores (Microsoft's documented provider names).
var alertProducts = []struct {
	re      *lazyre.Regexp
	product string
}{
	{lazyre.New(`(?i)\b(?:microsoft\s+)?defender\s+for\s+identity\b|\bmdi\b|\bazure\s+atp\b`), "Azure Advanced Threat Protection"},
	{lazyre.New(`(?i)\b(?:microsoft\s+)?defender\s+for\s+endpoint\b|\bmde\b|\bdefender\s+atp\b`), "Microsoft Defender Advanced Threat Protection"},
	{lazyre.New(`(?i)\b(?:microsoft\s+)?defender\s+for\s+cloud\s+apps\b|\bmcas\b|\bcloud\s+app\s+security\b`), "Microsoft Cloud App Security"},
	{lazyre.New(`(?i)\b(?:microsoft\s+)?defender\s+for\s+office(?:\s+365)?\b|\bmdo\b`), "Office 365 Advanced Threat Protection"},
	{lazyre.New(`(?i)\b(?:microsoft\s+)?defender\s+for\s+cloud\b|\bazure\s+security\s+center\b|\bazure\s+defender\b`), "Azure Security Center"},
	{lazyre.New(`(?i)\b(?:azure\s+ad\s+|entra(?:\s+id)?\s+|aad\s+)?identity\s+protection\b|\bentra\s+id\s+protection\b`), "Azure Active Directory Identity Protection"},
}

// reAlertPivot is an alert that starts a follow-up: "when <product>
// detects|alerts|flags", "when an alert is triggered", "parse the … from
// security alerts".
var reAlertPivot = lazyre.New(`(?i)\b(?:when|whenever|after|if|once)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,5}?(?:detects?|alerts?\s+on|alerts?|flags?|raises?|removes?|(?:alert|detection)s?\s+(?:is|are|was|gets?)?\s*(?:triggered|raised|fired|flagged|generated))\b|\b(?:from|in|of)\s+(?:the\s+)?security\s*alerts?\b|\bsecurity\s*alerts?\s+(?:where|for|that|which)\b|\bSecurityAlert\b`)

// alertCue is what an alert pivot found: the product the alert comes from
// ("" when none is named).
type alertCue struct {
	found   bool
	product string
}

// readAlertCue finds an alert pivot in q and returns q with the product
// phrases replaced by "alert".
func readAlertCue(q string) (alertCue, string) {
	var cue alertCue
	if !reAlertPivot.MatchString(q) {
		return cue, q
	}
	cue.found = true
	for _, ap := range alertProducts {
		if ap.re.MatchString(q) {
			if cue.product == "" {
				cue.product = ap.product
			}
			q = ap.re.ReplaceAllString(q, " alert ")
		}
	}
	return cue, q
}

// rePrivHolder is a user who holds a privileged role (a state read from
// IdentityInfo), after normalize.
var rePrivHolder = lazyre.New(`\bprivileged\s+(?:(?:entra|azure|cloud)\s+)?(?:users?|accounts?|identit(?:y|ies)|admins?)\b|\b(?:users?|accounts?|admins?|who|that|those)\s+(?:who\s+|that\s+)?(?:holds?|holding|has|have|having|with)\s+(?:an?\s+|the\s+)?(?:assigned\s+|active\s+)?(?:\w+\s+){0,3}privilegedrole\b|\bprivilegedrole\s+(?:holders?|members?|users?)\b|\b(?:users?|accounts?|admins?|who|that|those)\s+(?:who\s+|that\s+)?(?:holds?|holding|has|have|having|with)\s+(?:an?\s+|the\s+)?(?:privileged|assigned|active|admin\w*)\s+(?:(?:entra|azure|cloud|directory)\s+){0,2}roles?\b|\b(?:global|exchange|security)\s+admin(?:istrator)?s?\s+(?:who|that)\b|\busers?\s+with\s+(?:global|exchange|security)\s+admin\w*\b`)

// privHolder reports whether the normalised question restricts its users
// to holders of a privileged role, and returns the text with that phrase
// replaced by "user" so the role does not vote for AuditLogs.
func privHolder(nt string) (bool, string) {
	if !rePrivHolder.MatchString(nt) {
		return false, nt
	}
	return true, rePrivHolder.ReplaceAllString(nt, " user ")
}

// domains of the tables, for the endpoint/cloud split.
var endpointTables = map[string]bool{
	"DeviceEvents": true, "DeviceFileEvents": true, "DeviceImageLoadEvents": true, "DeviceLogonEvents": true,
	"DeviceNetworkEvents": true, "DeviceNetworkInfo": true, "DeviceProcessEvents": true, "DeviceRegistryEvents": true,
}

// endpointCue and cloudCue are canonical words (see concepts) that place a
// question on an endpoint or in the cloud.
var (
	endpointCue = wordSet("device endpoint process commandline registry runkey usb dll imageload powershell lolbin antivirus asr adapter mac port beacon c2 network scheduledtask rdp lsass exe")
	cloudCue    = wordSet("tenant guest office365 sharepoint onedrive teams exchange mailbox entra azure subscription signin conditionalaccess serviceprincipal sentinel workspace app oauth consent")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// domainAdjust is the score change of table for the question's words: an
// endpoint table loses points when the question has cloud cues and no
// endpoint cue or endpoint entity.
func domainAdjust(table string, words []string, ents []Entity) float64 {
	if !endpointTables[table] {
		return 0
	}
	cloud := false
	for _, w := range words {
		if endpointCue[w] {
			return 0
		}
		cloud = cloud || cloudCue[w]
	}
	for _, e := range ents {
		switch e.Kind {
		case EntityDevice, EntityFile, EntitySHA256, EntitySHA1, EntityMD5, EntityPort:
			return 0
		}
	}
	if cloud {
		return -4
	}
	return 0
}
