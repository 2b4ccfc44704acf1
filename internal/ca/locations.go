package ca

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// mfaTrustedIPs is the reserved location ID of the legacy MFA trusted IPs,
// which Graph does not expose as a named location.
const mfaTrustedIPs = "00000000-0000-0000-0000-000000000000"

// InLocation says whether the sign-in is in the location named by id
// ("All", "AllTrusted" or a named location ID), with the reason.
func InLocation(in SignIn, id string, locs []source.NamedLocation) (Tri, string) {
	switch {
	case strings.EqualFold(id, "All"):
		return Yes, "any location (All)"
	case strings.EqualFold(id, "AllTrusted"):
		return inTrusted(in, locs)
	case id == mfaTrustedIPs:
		return Unknown, "the MFA trusted IPs list is not readable through Graph"
	}
	for _, l := range locs {
		if strings.EqualFold(l.ID, id) {
			return inNamed(in, l)
		}
	}
	return Unknown, fmt.Sprintf("named location %s is not among the named locations read", id)
}

func inTrusted(in SignIn, locs []source.NamedLocation) (Tri, string) {
	addr, err := netip.ParseAddr(in.IPAddress)
	if err != nil {
		return Unknown, fmt.Sprintf("the IP address %q is not known, so trusted locations cannot be checked", in.IPAddress)
	}
	var trusted []string
	for _, l := range locs {
		if !l.IsTrusted || !strings.EqualFold(l.Kind, "ip") {
			continue
		}
		trusted = append(trusted, "'"+l.DisplayName+"'")
		if r := rangeContaining(l, addr); r != "" {
			return Yes, fmt.Sprintf("%s is in the trusted named location '%s' (%s, %s)", addr, l.DisplayName, r, l.ID)
		}
	}
	if len(trusted) == 0 {
		return No, fmt.Sprintf("%s: the tenant has no trusted IP named locations", addr)
	}
	return No, fmt.Sprintf("%s is in none of the trusted named locations (%s)", addr, strings.Join(trusted, ", "))
}

func rangeContaining(l source.NamedLocation, addr netip.Addr) string {
	for _, r := range l.IPRanges {
		if pfx, err := netip.ParsePrefix(strings.TrimSpace(r)); err == nil && pfx.Contains(addr) {
			return r
		}
	}
	return ""
}

func inNamed(in SignIn, l source.NamedLocation) (Tri, string) {
	switch strings.ToLower(l.Kind) {
	case "ip":
		addr, err := netip.ParseAddr(in.IPAddress)
		if err != nil {
			return Unknown, fmt.Sprintf("the IP address %q is not known, so named location '%s' cannot be checked", in.IPAddress, l.DisplayName)
		}
		if r := rangeContaining(l, addr); r != "" {
			return Yes, fmt.Sprintf("%s is in the named location '%s' (%s)", addr, l.DisplayName, r)
		}
		return No, fmt.Sprintf("%s is not in the named location '%s' (%s)", addr, l.DisplayName, strings.Join(l.IPRanges, ", "))
	case "country":
		if !in.CountryKnown {
			return Unknown, fmt.Sprintf("the sign-in's country is not known, so the country location '%s' cannot be checked", l.DisplayName)
		}
		if in.Country == "" {
			if l.IncludeUnknownCountries {
				return Yes, fmt.Sprintf("the country is unknown, and '%s' includes unknown countries/regions", l.DisplayName)
			}
			return No, fmt.Sprintf("the country is unknown, and '%s' does not include unknown countries/regions", l.DisplayName)
		}
		if hasFold(l.Countries, in.Country) {
			return Yes, fmt.Sprintf("country %s is in the named location '%s' (%s)", in.Country, l.DisplayName, strings.Join(l.Countries, ", "))
		}
		return No, fmt.Sprintf("country %s is not in the named location '%s' (%s)", in.Country, l.DisplayName, strings.Join(l.Countries, ", "))
	}
	return Unknown, fmt.Sprintf("named location '%s' has an unknown kind %q", l.DisplayName, l.Kind)
}

// anyLocation ORs InLocation over ids and joins the reasons that decided it.
func anyLocation(in SignIn, ids []string, locs []source.NamedLocation) (Tri, string) {
	res := No
	var yes, other []string
	for _, id := range ids {
		t, why := InLocation(in, id, locs)
		res = or3(res, t)
		if t == Yes {
			yes = append(yes, why)
		} else {
			other = append(other, why)
		}
	}
	if res == Yes {
		return res, strings.Join(yes, "; ")
	}
	return res, strings.Join(other, "; ")
}

func locationsCondition(in SignIn, p source.CAPolicy, locs []source.NamedLocation) Condition {
	c := Condition{Name: "locations"}
	if len(p.IncludeLocations) == 0 {
		c.Verdict, c.Detail = NotConfigured, "any location"
		return c
	}
	inc, whyIn := anyLocation(in, p.IncludeLocations, locs)
	exc, whyEx := No, ""
	if len(p.ExcludeLocations) > 0 {
		exc, whyEx = anyLocation(in, p.ExcludeLocations, locs)
	}
	switch {
	case exc == Yes:
		c.Verdict, c.Detail = NoMatch, whyEx+", which the policy excludes (exclusions beat inclusions)"
	case inc == No:
		c.Verdict, c.Detail = NoMatch, whyIn+": not in an included location"
	case inc == Unknown || exc == Unknown:
		c.Verdict, c.Detail = Undecidable, strings.Trim(whyIn+"; "+whyEx, "; ")
	default:
		d := whyIn + ", included"
		if whyEx != "" {
			d += "; not excluded: " + whyEx
		}
		c.Verdict, c.Detail = Match, d
	}
	return c
}
