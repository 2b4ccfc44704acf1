package entra

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/ca"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// WhatIfParams describe a hypothetical sign-in. Anything left out is
// unknown: a policy that depends on it comes back undecidable, naming it.
type WhatIfParams struct {
	User            string `json:"user" maxLength:"256" jsonschema:"The user's UPN."`
	App             string `json:"app,omitempty" maxLength:"128" jsonschema:"App name (e.g. Microsoft Teams, Azure Portal) or application ID."`
	ClientApp       string `json:"clientApp,omitempty" enum:"browser,mobileAppsAndDesktopClients,exchangeActiveSync,other" jsonschema:"Client app type (exchangeActiveSync and other are legacy auth)."`
	Platform        string `json:"platform,omitempty" enum:"windows,macOS,iOS,android,linux,windowsPhone,unknown" jsonschema:"Device platform."`
	IPAddress       string `json:"ipAddress,omitempty" maxLength:"64" jsonschema:"Client IP address (checked against IP named locations)."`
	Country         string `json:"country,omitempty" maxLength:"2" jsonschema:"Two-letter country code of the sign-in."`
	SignInRisk      string `json:"signInRisk,omitempty" enum:"none,low,medium,high" jsonschema:"Sign-in risk level."`
	UserRisk        string `json:"userRisk,omitempty" enum:"none,low,medium,high" jsonschema:"User risk level; default: the user's current level."`
	DeviceCompliant *bool  `json:"deviceCompliant,omitempty" jsonschema:"Whether the device is marked compliant."`
	DeviceJoinType  string `json:"deviceJoinType,omitempty" enum:"unregistered,registered,joined,hybridJoined" jsonschema:"How the device is known to Entra ID."`
	DeviceName      string `json:"deviceName,omitempty" maxLength:"128" jsonschema:"Device display name (for device filters)."`
	MFADone         *bool  `json:"mfaDone,omitempty" jsonschema:"Whether the user completed multifactor authentication."`
}

var countryRe = lazyre.New(`^[A-Za-z]{2}$`)

// Validate checks the free-form fields.
func (p WhatIfParams) Validate() error {
	if strings.TrimSpace(p.User) == "" {
		return fmt.Errorf("user is required: pass the user's UPN")
	}
	if p.IPAddress != "" {
		if _, err := netip.ParseAddr(p.IPAddress); err != nil {
			return fmt.Errorf("ipAddress %q is not an IP address", p.IPAddress)
		}
	}
	if p.Country != "" && !countryRe.MatchString(p.Country) {
		return fmt.Errorf("country %q must be a two-letter code such as US", p.Country)
	}
	return nil
}

// WhatIfResult is the evaluation of a hypothetical sign-in.
type WhatIfResult struct {
	Tenant         string            `json:"tenant"`
	SignIn         ca.SignIn         `json:"signIn"`
	ExpectedStatus string            `json:"expectedStatus"`
	StatusReason   string            `json:"statusReason"`
	Policies       []CAPolicyVerdict `json:"policies"`
	// Unspecified lists the inputs that left some policy undecidable.
	Unspecified []string        `json:"unspecified"`
	Missing     []string        `json:"missing"`
	Claims      []cite.Claim    `json:"claims"`
	Citations   cite.Report     `json:"citations"`
	Sources     []resources.Ref `json:"sources"`
}

// Text renders the claims as Markdown.
func (r WhatIfResult) Text() string {
	return cite.RenderMarkdown(r.Claims) + citationFooter(r.Citations)
}

func whatIf(ctx context.Context, call tools.Call, p WhatIfParams) (WhatIfResult, error) {
	g, err := call.Graph(ctx)
	if err != nil {
		return WhatIfResult{}, err
	}
	u, err := g.GetUser(ctx, p.User)
	if err != nil {
		return WhatIfResult{}, tools.FromSource(err, "user", p.User, call.Tenant.Alias)
	}
	in, err := whatIfSignIn(p, u)
	if err != nil {
		return WhatIfResult{}, err
	}
	c, err := loadCA(ctx, call, g, u.UserPrincipalName)
	if err != nil {
		return WhatIfResult{}, err
	}
	if p.UserRisk == "" {
		if c.risk.User != nil {
			in.UserRisk, in.UserRiskSource = ca.CurrentUserRisk(*c.risk.User)
		} else if c.risk.Listed {
			in.UserRisk, in.UserRiskSource = "none", "the user is not in riskyUsers"
		}
	}
	ev := ca.Evaluate(in, c.policies, c.locs)
	res := WhatIfResult{Tenant: c.alias, SignIn: in, ExpectedStatus: ev.Status, StatusReason: ev.StatusReason,
		Policies: []CAPolicyVerdict{}, Unspecified: unspecified(p, ev), Missing: append([]string{}, c.missing...)}
	userURI := c.userURI(u.UserPrincipalName)
	c.objects[userURI] = userResource{User: u, Risk: c.risk.User}
	res.Claims = append(res.Claims,
		claim(fmt.Sprintf("# What if %s signs in", u.UserPrincipalName), userURI),
		claim(fmt.Sprintf("Expected Conditional Access status: %s (%s).", ev.Status, ev.StatusReason), c.allPolicyURIs()...),
		claim(fmt.Sprintf("User risk %s (%s).", orNone(in.UserRisk), orNone(in.UserRiskSource)), userURI))
	if len(res.Unspecified) > 0 {
		res.Claims = append(res.Claims, cite.Claim{Text: "To decide the undecidable policies, also give: " + strings.Join(res.Unspecified, ", ") + "."})
	}
	for i, r := range ev.Policies {
		v := CAPolicyVerdict{PolicyResult: r, URI: c.policyURI(r.PolicyID), Comparison: CompareNotRecorded}
		res.Policies = append(res.Policies, v)
		line := "would be " + r.Result
		if r.Undecidable() {
			line = "undecidable: one of " + strings.Join(r.Candidates, ", ")
		}
		res.Claims = append(res.Claims, policyClaims(c, r, c.policies[i], line, "", userURI)...)
	}
	for _, m := range res.Missing {
		res.Claims = append(res.Claims, cite.Claim{Text: "Missing source: " + m})
	}
	dropInputs(res.Claims, p, in)
	res.Citations = checkClaims(ctx, res.Claims, c.objects)
	res.Sources = c.refs()
	return res, nil
}

// dropInputs removes the hypothetical sign-in's own inputs (IP, app, device
// name, ...) from the claims' checkable facts: they come from the caller, not
// from a tenant resource; every other fact stays checked.
func dropInputs(claims []cite.Claim, p WhatIfParams, in ca.SignIn) {
	given := cite.Extract(strings.Join([]string{p.IPAddress, p.App, in.AppID, in.AppName, p.DeviceName, p.Country}, " \n "))
	for i := range claims {
		claims[i].Facts = slices.DeleteFunc(claims[i].Facts, func(f cite.Fact) bool { return slices.Contains(given, f) })
	}
}

// whatIfSignIn builds the hypothetical sign-in from the params.
func whatIfSignIn(p WhatIfParams, u source.User) (ca.SignIn, error) {
	in := ca.SignIn{User: u, ClientAppType: p.ClientApp, ClientAppUsed: p.ClientApp, IPAddress: p.IPAddress,
		Country: strings.ToUpper(p.Country), CountryKnown: p.Country != "", SignInRisk: p.SignInRisk, UserRisk: p.UserRisk,
		MFA: ca.Unknown, MFAEvidence: "not given (mfaDone)", Succeeded: ca.Unknown}
	if p.UserRisk != "" {
		in.UserRiskSource = "given"
	}
	if p.App != "" {
		if a, ok := ca.LookupApp(p.App); ok {
			in.AppID, in.AppName = a.ID, a.Name
		} else if looksLikeGUID(p.App) {
			in.AppID = strings.ToLower(p.App)
		} else {
			var names []string
			for _, a := range ca.KnownApps() {
				names = append(names, a.Name)
			}
			return in, tools.Errorf("app %q is not a known application name; pass an application ID or one of: %s", p.App, strings.Join(names, ", "))
		}
	}
	if p.Platform != "" {
		in.PlatformKnown = true
		if p.Platform != "unknown" {
			in.Platform = p.Platform
		}
	}
	if p.MFADone != nil {
		in.MFA, in.MFAEvidence = ca.TriOf(*p.MFADone), "given (mfaDone)"
	}
	in.Device = whatIfDevice(p)
	return in, nil
}

func whatIfDevice(p WhatIfParams) ca.Device {
	d := ca.Device{DisplayName: p.DeviceName, Compliant: ca.Unknown}
	switch p.DeviceJoinType {
	case "unregistered":
		return ca.Device{Known: true, Compliant: ca.No}
	case "registered":
		d.TrustType = "Azure AD registered"
	case "joined":
		d.TrustType = "Azure AD joined"
	case "hybridJoined":
		d.TrustType = "Hybrid Azure AD joined"
	}
	if p.DeviceCompliant != nil {
		d.Compliant = ca.TriOf(*p.DeviceCompliant)
		if *p.DeviceCompliant && d.TrustType == "" {
			d.TrustType = "Azure AD registered" // only a registered device can be compliant
		}
	}
	d.Known = p.DeviceJoinType != "" || p.DeviceCompliant != nil || p.DeviceName != ""
	return d
}

var guidRe = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func looksLikeGUID(s string) bool { return guidRe.MatchString(s) }

// unspecified names the inputs whose absence left a policy undecidable.
func unspecified(p WhatIfParams, ev ca.Evaluation) []string {
	need := map[string]bool{}
	for _, r := range ev.Policies {
		if !r.Undecidable() {
			continue
		}
		for _, c := range r.Conditions {
			if c.Verdict == ca.Undecidable {
				need[map[string]string{"applications": "app", "clientApps": "clientApp", "platforms": "platform",
					"locations": "ipAddress/country", "signInRisk": "signInRisk", "userRisk": "userRisk",
					"devices": "deviceJoinType/deviceName/deviceCompliant", "users": "user"}[c.Name]] = true
			}
		}
		if r.Grant == nil {
			continue
		}
		for _, ctl := range r.Grant.Controls {
			if ctl.Satisfied != ca.Unknown {
				continue
			}
			switch ctl.Name {
			case "mfa", "authenticationStrength":
				if p.MFADone == nil {
					need["mfaDone"] = true
				}
			case "compliantDevice", "domainJoinedDevice":
				need["deviceJoinType/deviceCompliant"] = true
			}
		}
	}
	out := []string{}
	for _, k := range []string{"app", "clientApp", "platform", "ipAddress/country", "signInRisk", "userRisk", "deviceJoinType/deviceName/deviceCompliant", "deviceJoinType/deviceCompliant", "mfaDone", "user"} {
		if need[k] {
			out = append(out, k)
		}
	}
	return out
}
