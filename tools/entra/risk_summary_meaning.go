package entra

import "strings"

// riskMeanings explains Entra ID Protection riskEventType values in our own words.
var riskMeanings = map[string]string{
	"unlikelytravel":                       "two sign-ins from places too far apart to travel between in the time that passed (atypical or impossible travel)",
	"impossibletravel":                     "two sign-ins from places too far apart to travel between in the time that passed",
	"mcasimpossibletravel":                 "Defender for Cloud Apps saw the user active from distant locations faster than travel allows",
	"unfamiliarfeatures":                   "a sign-in whose properties (IP, ASN, location, device, browser) differ from the user's history",
	"passwordspray":                        "the account was among many tried with a few common passwords from the same source (password spray)",
	"leakedcredentials":                    "the user's valid username and password were found in a public or dark-web leak",
	"anonymizedipaddress":                  "a sign-in from an anonymising network such as Tor or an anonymous VPN",
	"maliciousipaddress":                   "a sign-in from an IP address known for malicious activity or high failure rates",
	"riskyipaddress":                       "a sign-in from an IP address with a poor reputation",
	"mfafraud":                             "the user reported an MFA prompt they did not start (possible MFA fatigue / push bombing)",
	"suspiciousauthappapproval":            "an unusual approval of an authenticator prompt, as in MFA fatigue attacks",
	"attackerinthemiddle":                  "the session token was relayed through an attacker's proxy (adversary-in-the-middle phishing)",
	"adversaryinthemiddle":                 "the session token was relayed through an attacker's proxy (adversary-in-the-middle phishing)",
	"anomaloustoken":                       "a token with unusual characteristics (lifetime, replay from an odd location): possible token theft",
	"tokenissueranomaly":                   "a SAML token issuer behaving abnormally: possible federation compromise",
	"suspiciousbrowser":                    "one browser signing in to many accounts or from many countries",
	"newcountry":                           "activity from a country the user or tenant has not used recently",
	"suspiciousinboxforwarding":            "a mailbox rule forwarding mail outside the organisation",
	"mcassuspiciousinboxmanipulationrules": "inbox rules that delete, move or forward mail, a common step after mailbox takeover",
	"suspicioussendingpatterns":            "the mailbox sent mail in a pattern typical of spam or phishing from a compromised account",
	"investigationsthreatintelligence":     "Microsoft threat intelligence tied the user or sign-in to a known attack",
	"generic":                              "a detection Microsoft does not classify further (often a risk raised by an admin or partner)",
	"adminconfirmedusercompromised":        "an administrator confirmed the user as compromised",
}

// RiskMeaning explains a riskEventType, or says it is not one we know.
func RiskMeaning(eventType string) string {
	if m, ok := riskMeanings[strings.ToLower(eventType)]; ok {
		return m
	}
	return "a detection type this server does not describe; see Microsoft's risk detection reference"
}
