package nl2kql

import (
	"strings"
	"unicode"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// phraseSynonyms rewrite multi-word and spelled-out forms into the single
// canonical words the rest of the package matches on, so "sign-ins",
// "log in" and "authentications" all become "signin". They are applied, in
// order, to the lower-cased question with entities already removed.
var phraseSynonyms = []struct {
	re  *lazyre.Regexp
	out string
}{
	{lazyre.New(`\bsign[\s-]?(ins?|ons?)\b|\blog[\s-]?ins?\b|\bsign(ed|s|ing)[\s-]?(in|on)(to)?\b|\blogins?\b|\blogged[\s-]?in\b|\blogging[\s-]?in\b`), " signin "},
	{lazyre.New(`\blog[\s-]?ons?\b|\blogged[\s-]?on\b`), " logon "},
	{lazyre.New(`\bcommand[\s-]?lines?\b|\bcmd[\s-]?lines?\b`), " commandline "},
	{lazyre.New(`\be[\s-]?mails?\b`), " email "},
	{lazyre.New(`\bip[\s-]?(address(es)?|addr)?\b|\bipv4\b|\bipv6\b`), " ip "},
	{lazyre.New(`\b(user|account)[\s-]?principal[\s-]?names?\b|\bupns?\b`), " user "},
	{lazyre.New(`\bconditional[\s-]?access\b`), " conditionalaccess "},
	// Azure AD is Entra ID: "Azure AD" questions are about the directory,
	// not Azure resources.
	{lazyre.New(`\bazure[\s-]?ad\b|\bazure[\s-]?active[\s-]?directory\b|\bentra[\s-]?id\b|\baad\b`), " entra "},
	{lazyre.New(`\bmulti[\s-]?factor\b|\b2fa\b|\bmfa\b`), " mfa "},
	{lazyre.New(`\bsingle[\s-]?factor\b`), " singlefactor "},
	// A managed identity is a service principal with its own sign-in log
	// in Log Analytics (AADManagedIdentitySignInLogs).
	{lazyre.New(`\bmanaged[\s-]?identit(y|ies)\b`), " managedidentity serviceprincipal "},
	{lazyre.New(`\bservice[\s-]?principals?\b|\bspns?\b|\bworkload[\s-]?identit(y|ies)\b`), " serviceprincipal "},
	{lazyre.New(`\binbox[\s-]?rules?\b|\bmailbox[\s-]?rules?\b|\bforwarding[\s-]?rules?\b|\b(?:mail|mailbox|email|smtp)[\s-]?forwarding\b|\bforward(?:ing|s|ed)?\s+(?:\w+\s+){0,2}?(?:to\s+)?(?:an?\s+)?external\b`), " inboxrule "},
	{lazyre.New(`\bkey[\s-]?vaults?\b`), " keyvault "},
	{lazyre.New(`\brun[\s-]?keys?\b`), " runkey registry "},
	{lazyre.New(`\bscheduled[\s-]?tasks?\b`), " scheduledtask "},
	{lazyre.New(`\bsafe[\s-]?links?\b`), " safelinks "},
	{lazyre.New(`\bactive[\s-]?directory\b`), " activedirectory "},
	{lazyre.New(`\bdomain[\s-]?controllers?\b`), " domaincontroller "},
	{lazyre.New(`\bpassword[\s-]?spray(ing)?\b`), " passwordspray "},
	{lazyre.New(`\bbrute[\s-]?forc(e|ing)\b`), " bruteforce "},
	{lazyre.New(`\bimpossible[\s-]?travel\b`), " impossibletravel "},
	{lazyre.New(`\blegacy[\s-]?auth(entication)?\b|\bbasic[\s-]?auth(entication)?\b`), " legacyauth "},
	{lazyre.New(`\bremote[\s-]?desktop\b|\brdp\b`), " rdp "},
	{lazyre.New(`\bpower[\s-]?shell\b`), " powershell "},
	{lazyre.New(`\battack[\s-]?surface[\s-]?reduction\b`), " asr "},
	{lazyre.New(`\bthreat[\s-]?intel(ligence)?\b`), " threatintel "},
	{lazyre.New(`\bgraph[\s-]?api\b|\bmicrosoft[\s-]?graph\b|\bms[\s-]?graph\b`), " graphapi "},
	{lazyre.New(`\blog[\s-]?analytics\b`), " loganalytics "},
	// VM insights is Azure Monitor's map of VM processes and connections
	// (https://learn.microsoft.com/azure/azure-monitor/vm/vminsights-log-query).
	{lazyre.New(`\bvm[\s-]?insights?\b|\bservice[\s-]?map\b`), " vminsights "},
	{lazyre.New(`\boffice[\s-]?365\b|\bo365\b|\bm365\b|\bmicrosoft[\s-]?365\b`), " office365 "},
	{lazyre.New(`\bone[\s-]?drive\b`), " onedrive "},
	{lazyre.New(`\bshare[\s-]?point\b`), " sharepoint "},
	{lazyre.New(`\battack[\s-]?paths?\b`), " attackpath "},
	{lazyre.New(`\bzero[\s-]?hour[\s-]?auto[\s-]?purge\b|\bzap\b`), " zap "},
	{lazyre.New(`\bnon[\s-]?compliant\b|\bnot[\s-]?compliant\b`), " noncompliant "},
	{lazyre.New(`\bprivileged?\s+(?:entra|azure|cloud)\s+roles?\b|\bprivileged?[\s-]?roles?\b|\badmin(istrator)?[\s-]?roles?\b|\bdirectory[\s-]?roles?\b|\bentra\s+(?:admin\w*\s+)?roles?\b`), " privilegedrole "},
	{lazyre.New(`\bthe[\s-]?most\b|\bmost[\s-]?(common|frequent|active|popular)\b`), " most "},
	{lazyre.New(`\bover[\s-]?time\b|\btime[\s-]?chart\b|\btime[\s-]?series\b|\btrend(s|ing)?\b`), " overtime "},
	{lazyre.New(`\bfirst[\s-]?(seen|time|observed|appear(ed|ance)?)\b`), " firstseen "},
	{lazyre.New(`\blast[\s-]?(seen|observed|active)\b|\bmost[\s-]?recent(ly)?\b`), " lastseen "},
	{lazyre.New(`\bhow[\s-]?many\b|\bnumber[\s-]?of\b|\bcount[\s-]?of\b`), " howmany "},
	{lazyre.New(`\bdata[\s-]?loss[\s-]?prevention\b|\bdlp\b`), " dlp "},
	{lazyre.New(`\bsensitive[\s-]?info(rmation)?\b`), " dlp sensitive "},
	{lazyre.New(`\busb\b|\bremovable[\s-]?(media|drives?|storage)\b`), " usb "},
	{lazyre.New(`\bantivirus\b|\banti[\s-]?virus\b|\bav\b|\bdefender[\s-]?av\b`), " antivirus "},
	{lazyre.New(`\bdefender[\s-]?for[\s-]?identity\b|\bmdi\b`), " defenderidentity "},
	{lazyre.New(`\bdefender[\s-]?for[\s-]?cloud[\s-]?apps\b|\bmcas\b|\bcloud[\s-]?app[\s-]?security\b`), " cloudapps "},
	{lazyre.New(`\bidentity[\s-]?protection\b`), " identityprotection "},
}

// wordSynonyms map one normalised (stemmed) word to the canonical words it
// stands for. A word maps to itself as well.
var wordSynonyms = map[string][]string{
	"authentication": {"signin"}, "authenticate": {"signin"}, "authenticated": {"signin"},
	"signon":  {"signin"},
	"process": {"process"}, "executed": {"process"}, "execution": {"process"}, "execute": {"process"},
	"launched": {"process", "launch"}, "launch": {"process", "launch"}, "spawned": {"process", "launch"},
	"spawn": {"process", "launch"}, "started": {"process", "launch"}, "ran": {"process"}, "binary": {"process", "file"},
	"executable": {"process", "file"}, "exe": {"process", "file"},
	"mail": {"email"}, "message": {"email"}, "messag": {"email"}, "phishing": {"phish", "email"}, "phish": {"phish", "email"},
	"sender": {"sender", "email"}, "recipient": {"recipient", "email"}, "inbox": {"email"}, "attachment": {"attachment", "email"},
	"download": {"download", "file"}, "downloaded": {"download", "file"}, "upload": {"upload", "file"}, "uploaded": {"upload", "file"},
	"document": {"file"}, "folder": {"file"},
	"connection": {"network"}, "connect": {"network"}, "connected": {"network"}, "outbound": {"network", "outbound"},
	"inbound": {"inbound"}, "beacon": {"network", "beacon"}, "beaconing": {"network", "beacon"}, "traffic": {"network"},
	"port": {"network", "port"}, "c2": {"network", "c2"},
	"host": {"device"}, "machine": {"device"}, "computer": {"device"}, "endpoint": {"device"}, "workstation": {"device"},
	"server": {"device"}, "laptop": {"device"},
	"account": {"user"}, "people": {"user"}, "identity": {"user", "identity"}, "employee": {"user"},
	"alert": {"alert"}, "detection": {"alert"}, "incident": {"incident"}, "case": {"incident"},
	"vulnerability": {"vulnerability"}, "vulnerable": {"vulnerability"}, "cve": {"vulnerability", "cve"}, "exploit": {"exploit", "vulnerability"},
	"patch": {"vulnerability"}, "software": {"software"}, "application": {"app"}, "apps": {"app"},
	"fail": {"failed"}, "failure": {"failed"}, "unsuccessful": {"failed"}, "failing": {"failed"}, "denied": {"failed"},
	"succeeded": {"success"}, "successful": {"success"}, "successfully": {"success"},
	"dll": {"dll", "imageload"}, "module": {"imageload"}, "library": {"imageload"},
	"country": {"country"}, "countri": {"country"}, "location": {"country"}, "geo": {"country"},
	"guest": {"guest"}, "external": {"guest"}, "b2b": {"guest"},
	"risk": {"risk"}, "risky": {"risk"}, "compromised": {"risk"},
	"audit": {"audit"}, "directory": {"directory"}, "azure": {"azure"}, "entra": {"entra"}, "aad": {"entra"},
	"teams": {"teams"}, "exchange": {"exchange"}, "mailbox": {"mailbox", "exchange"},
	"url": {"url"}, "link": {"url"}, "click": {"click", "url"}, "clicked": {"click", "url"}, "website": {"url"},
	"dns": {"dns"}, "ldap": {"ldap"}, "kerberos": {"kerberos"}, "ntlm": {"ntlm"},
	"intune": {"intune"}, "compliance": {"compliance"}, "compliant": {"compliance"}, "mdm": {"intune"},
	"oauth": {"oauth"}, "consent": {"consent"}, "permission": {"permission"}, "scope": {"permission"},
	"subscription": {"azure"}, "resource": {"resource"}, "firewall": {"firewall"},
	"talk": {"network"}, "talking": {"network"}, "communicate": {"network"}, "communicating": {"network"}, "communicated": {"network"},
	"contacted": {"network"}, "contacting": {"network"}, "reached": {"network"},
	"hklm": {"registry"}, "hkcu": {"registry"}, "hive": {"registry"},
}

// stopWords carry no meaning for table or column matching.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "for": true, "and": true, "or": true, "in": true, "on": true,
	"with": true, "to": true, "by": true, "from": true, "at": true, "is": true, "are": true, "was": true, "were": true,
	"be": true, "been": true, "that": true, "this": true, "these": true, "those": true, "which": true, "what": true,
	"who": true, "whom": true, "when": true, "where": true, "how": true, "me": true, "my": true, "our": true,
	"your": true, "their": true, "them": true, "they": true, "it": true, "its": true, "i": true, "we": true, "you": true,
	"show": true, "list": true, "find": true, "get": true, "give": true, "display": true, "return": true, "query": true,
	"any": true, "all": true, "each": true, "per": true, "have": true, "has": true, "had": true, "did": true, "do": true,
	"does": true, "there": true, "than": true, "then": true, "into": true, "over": true, "via": true, "using": true,
	"table": true, "tables": true, "event": true, "events": true, "log": true, "logs": true, "data": true, "record": true,
	"records": true, "activity": true, "activities": true, "last": true, "past": true, "previous": true, "days": true,
	"day": true, "hours": true, "hour": true, "week": true, "weeks": true, "month": true, "months": true, "minutes": true,
	"can": true, "could": true, "would": true, "should": true, "will": true, "please": true, "tenant": true,
	"detect": true, "detects": true, "alert when": true, "also": true, "such": true, "as": true, "like": true,
	"not": true, "no": true, "but": true, "if": true, "so": true, "only": true, "some": true, "more": true, "other": true,
}

// words splits text into lower-case words (letters, digits, '.', '_', '-'
// kept inside a word).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
	})
}

// stem reduces an English word to a crude stem: enough for "connections"
// to meet "connection" and "devices" to meet "device".
func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 5 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

// normalize applies the phrase synonyms to lower-cased text.
func normalize(s string) string {
	s = " " + strings.ToLower(s) + " "
	for _, p := range phraseSynonyms {
		s = p.re.ReplaceAllString(s, p.out)
	}
	return s
}

// concepts returns the canonical words of text: stemmed words minus stop
// words, each followed by its synonyms, without duplicates, in order.
func concepts(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, w := range words(normalize(text)) {
		if stopWords[w] || len(w) < 2 {
			continue
		}
		s := stem(w)
		add(s)
		for _, syn := range wordSynonyms[w] {
			add(syn)
		}
		if w != s {
			for _, syn := range wordSynonyms[s] {
				add(syn)
			}
		}
		if _, ok := wordSynonyms[w]; !ok {
			if _, ok := wordSynonyms[s]; !ok {
				for _, syn := range synonymsByKey()[lemmaKey(s)] {
					add(syn)
				}
			}
		}
	}
	return out
}

// camelWords splits an identifier into its lower-cased parts:
// "InitiatingProcessCommandLine" → initiating, process, command, line.
func camelWords(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	flush := func(end int) {
		if w := strings.ToLower(strings.Trim(string(rs[start:end]), "_")); w != "" {
			out = append(out, w)
		}
		start = end
	}
	for i := 1; i < len(rs); i++ {
		prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
		nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
		switch {
		case rs[i] == '_':
			flush(i)
		case unicode.IsUpper(rs[i]) && (prevLower || (unicode.IsUpper(rs[i-1]) && nextLower)):
			flush(i)
		}
	}
	flush(len(rs))
	return out
}

// hasWord reports whether the normalised text contains w as a whole word.
func hasWord(text, w string) bool {
	return strings.Contains(text, " "+w+" ")
}

// hasAny reports whether the normalised text contains any of the words.
func hasAny(text string, ws ...string) bool {
	for _, w := range ws {
		if hasWord(text, w) {
			return true
		}
	}
	return false
}

// spaced pads the lower-cased words of s with spaces so hasWord works.
func spaced(s string) string {
	return " " + strings.Join(words(s), " ") + " "
}
