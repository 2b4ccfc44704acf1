package ca

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// Built-in authentication strengths whose requirement is plain MFA.
var mfaStrengths = []string{"Multifactor authentication", "00000000-0000-0000-0000-000000000002"}

// evaluateGrant checks the policy's grant controls against the sign-in.
func evaluateGrant(in SignIn, p source.CAPolicy, reportOnly bool) Grant {
	op := strings.ToUpper(p.GrantOperator)
	if op == "" {
		op = "OR"
	}
	g := Grant{Operator: op, Controls: []Control{}}
	for _, name := range p.BuiltInControls {
		g.Controls = append(g.Controls, builtIn(in, name))
	}
	if p.AuthenticationStrength != "" {
		g.Controls = append(g.Controls, strength(in, p.AuthenticationStrength))
	}
	for _, tou := range p.TermsOfUse {
		g.Controls = append(g.Controls, Control{Name: "termsOfUse", Satisfied: Unknown, Interactive: true,
			Detail: "terms of use " + tou + ": whether the user accepted them is not recorded on the sign-in"})
	}
	if len(g.Controls) == 0 {
		g.Satisfied = Yes
		g.Detail = "no grant controls (session controls only)"
		return g
	}
	// A recorded success proves every enforced requirement was met.
	if !reportOnly && in.Succeeded == Yes {
		for i, c := range g.Controls {
			if c.Satisfied == Unknown {
				g.Controls[i].Satisfied = Yes
				g.Controls[i].Detail += "; the sign-in succeeded under this enforced policy, so it was satisfied"
			}
		}
	}
	g.Satisfied = combine(op, g.Controls)
	g.Detail = grantDetail(g)
	return g
}

func combine(op string, cs []Control) Tri {
	res := Yes
	if op == "OR" {
		res = No
	}
	for _, c := range cs {
		if op == "OR" {
			res = or3(res, c.Satisfied)
		} else {
			res = and3(res, c.Satisfied)
		}
	}
	return res
}

func grantDetail(g Grant) string {
	var parts []string
	for _, c := range g.Controls {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", c.Name, satisfiedWord(c.Satisfied), c.Detail))
	}
	need := "any one of"
	if g.Operator == "AND" {
		need = "all of"
	}
	if len(g.Controls) == 1 {
		need = "requires"
	}
	return fmt.Sprintf("grant %s: %s → %s", need, strings.Join(parts, "; "), satisfiedWord(g.Satisfied))
}

func satisfiedWord(t Tri) string {
	switch t {
	case Yes:
		return "satisfied"
	case No:
		return "not satisfied"
	}
	return "undecidable"
}

func builtIn(in SignIn, name string) Control {
	c := Control{Name: name}
	switch strings.ToLower(name) {
	case "block":
		c.Satisfied, c.Detail = No, "block access: the policy blocks whenever it applies"
	case "mfa":
		c.Satisfied, c.Interactive = in.MFA, true
		c.Detail = "multifactor authentication: " + mfaWord(in)
	case "compliantdevice":
		c.Satisfied, c.Detail = compliantDevice(in.Device)
	case "domainjoineddevice":
		c.Satisfied, c.Detail = hybridJoined(in.Device)
	case "approvedapplication":
		c.Satisfied, c.Detail = approvedApp(in)
	case "compliantapplication":
		c.Satisfied, c.Detail = protectedApp(in)
	case "passwordchange":
		c.Satisfied, c.Interactive = Unknown, true
		c.Detail = "password change: whether a secure password change happened during the sign-in is not recorded"
	default:
		c.Satisfied, c.Detail = Unknown, "the control "+name+" is not one the evaluator knows"
	}
	if c.Satisfied == "" {
		c.Satisfied = Unknown
	}
	return c
}

func mfaWord(in SignIn) string {
	ev := in.MFAEvidence
	if ev == "" {
		ev = "no evidence"
	}
	switch in.MFA {
	case Yes:
		return "done (" + ev + ")"
	case No:
		return "not done (" + ev + ")"
	}
	return "not known (" + ev + ")"
}

func compliantDevice(d Device) (Tri, string) {
	switch {
	case !d.Known:
		return Unknown, "require compliant device: nothing is known about the device"
	case !d.Registered():
		return No, "require compliant device: the device is not registered in Entra ID, so it cannot be compliant"
	case d.Compliant == Yes:
		return Yes, fmt.Sprintf("require compliant device: device %s is compliant", orDash(d.DisplayName))
	case d.Compliant == No:
		return No, fmt.Sprintf("require compliant device: device %s is not compliant", orDash(d.DisplayName))
	}
	return Unknown, "require compliant device: the device's compliance is not known"
}

func hybridJoined(d Device) (Tri, string) {
	switch {
	case !d.Known:
		return Unknown, "require Microsoft Entra hybrid joined device: nothing is known about the device"
	case filterTrustType(d.TrustType) == "ServerAD":
		return Yes, fmt.Sprintf("require hybrid joined device: device %s is %s", orDash(d.DisplayName), d.TrustType)
	case d.TrustType == "":
		return No, "require hybrid joined device: the device is not registered in Entra ID"
	}
	return No, fmt.Sprintf("require hybrid joined device: device %s is %s, not hybrid joined", orDash(d.DisplayName), d.TrustType)
}

// mobileModern reports whether the sign-in is a modern-auth client on iOS or
// Android, the only combination where the app-based grant controls can pass.
func mobileModern(in SignIn) (Tri, string) {
	switch {
	case in.ClientAppType == "exchangeActiveSync" || in.ClientAppType == "other":
		return No, fmt.Sprintf("client %q is legacy authentication, which cannot satisfy app-based controls", in.ClientAppUsed)
	case !in.PlatformKnown:
		return Unknown, "the device platform is not known"
	case in.Platform != "iOS" && in.Platform != "android":
		return No, fmt.Sprintf("platform %s: app-based controls are satisfied only on iOS and Android", orDash(in.Platform))
	}
	return Yes, ""
}

func approvedApp(in SignIn) (Tri, string) {
	if t, why := mobileModern(in); t != Yes {
		return t, "require approved client app: " + why
	}
	if a, ok := LookupApp(in.AppID); ok && a.Approved {
		return Yes, fmt.Sprintf("require approved client app: %s on %s is an approved client app", a.Name, in.Platform)
	}
	if in.AppID == "" {
		return Unknown, "require approved client app: the client app is not known"
	}
	return No, fmt.Sprintf("require approved client app: %s (%s) is not on the approved client app list", orDash(in.AppName), in.AppID)
}

func protectedApp(in SignIn) (Tri, string) {
	if t, why := mobileModern(in); t != Yes {
		return t, "require app protection policy: " + why
	}
	return Unknown, fmt.Sprintf("require app protection policy: whether %s has an Intune app protection policy for this user is not recorded", orDash(in.AppName))
}

func strength(in SignIn, name string) Control {
	c := Control{Name: "authenticationStrength", Interactive: true}
	plain := hasFold(mfaStrengths, name)
	switch {
	case in.MFA == No:
		c.Satisfied = No
		c.Detail = fmt.Sprintf("authentication strength '%s': not satisfied, multifactor authentication was not done (%s)", name, in.MFAEvidence)
	case plain:
		c.Satisfied = in.MFA
		c.Detail = fmt.Sprintf("authentication strength '%s' (any MFA): %s", name, mfaWord(in))
	default:
		c.Satisfied = Unknown
		c.Detail = fmt.Sprintf("authentication strength '%s': MFA %s, but the sign-in data does not say which methods were used", name, mfaWord(in))
	}
	return c
}
