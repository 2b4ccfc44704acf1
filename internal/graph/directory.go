package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/secmcp/secmcp/internal/source"
)

// ListCAPolicies returns every Conditional Access policy.
func (c *Client) ListCAPolicies(ctx context.Context) (out []source.CAPolicy, err error) {
	const op = "list conditional access policies"
	defer recoverTo(&err, op)
	b := c.sdk.Identity().ConditionalAccess().Policies()
	err = eachItem(ctx, func(ctx context.Context, next string) (models.ConditionalAccessPolicyCollectionResponseable, error) {
		if next == "" {
			return b.Get(ctx, nil)
		}
		return b.WithUrl(next).Get(ctx, nil)
	}, func(p models.ConditionalAccessPolicyable) {
		if p != nil {
			out = append(out, caPolicy(p))
		}
	})
	if err != nil {
		return nil, c.mapErr(op, "", err)
	}
	return out, nil
}

func caPolicy(p models.ConditionalAccessPolicyable) source.CAPolicy {
	out := source.CAPolicy{ID: str(p.GetId()), DisplayName: str(p.GetDisplayName()), State: enum(p.GetState()),
		CreatedDateTime: tm(p.GetCreatedDateTime()), ModifiedDateTime: tm(p.GetModifiedDateTime())}
	if cs := p.GetConditions(); cs != nil {
		if u := cs.GetUsers(); u != nil {
			out.IncludeUsers, out.ExcludeUsers = u.GetIncludeUsers(), u.GetExcludeUsers()
			out.IncludeGroups, out.ExcludeGroups = u.GetIncludeGroups(), u.GetExcludeGroups()
			out.IncludeRoles, out.ExcludeRoles = u.GetIncludeRoles(), u.GetExcludeRoles()
			if g := u.GetIncludeGuestsOrExternalUsers(); g != nil {
				out.IncludeGuestsOrExternalUsers = enum(g.GetGuestOrExternalUserTypes())
			}
			if g := u.GetExcludeGuestsOrExternalUsers(); g != nil {
				out.ExcludeGuestsOrExternalUsers = enum(g.GetGuestOrExternalUserTypes())
			}
		}
		if a := cs.GetApplications(); a != nil {
			out.IncludeApplications, out.ExcludeApplications = a.GetIncludeApplications(), a.GetExcludeApplications()
			out.IncludeUserActions = a.GetIncludeUserActions()
		}
		out.ClientAppTypes = enums(cs.GetClientAppTypes())
		if pl := cs.GetPlatforms(); pl != nil {
			out.IncludePlatforms, out.ExcludePlatforms = enums(pl.GetIncludePlatforms()), enums(pl.GetExcludePlatforms())
		}
		if l := cs.GetLocations(); l != nil {
			out.IncludeLocations, out.ExcludeLocations = l.GetIncludeLocations(), l.GetExcludeLocations()
		}
		out.SignInRiskLevels, out.UserRiskLevels = enums(cs.GetSignInRiskLevels()), enums(cs.GetUserRiskLevels())
		if d := cs.GetDevices(); d != nil && d.GetDeviceFilter() != nil {
			out.DeviceFilterMode, out.DeviceFilterRule = enum(d.GetDeviceFilter().GetMode()), str(d.GetDeviceFilter().GetRule())
		}
	}
	if g := p.GetGrantControls(); g != nil {
		out.GrantOperator, out.BuiltInControls, out.TermsOfUse = str(g.GetOperator()), enums(g.GetBuiltInControls()), g.GetTermsOfUse()
		if as := g.GetAuthenticationStrength(); as != nil {
			out.AuthenticationStrength = str(as.GetDisplayName())
			if out.AuthenticationStrength == "" {
				out.AuthenticationStrength = str(as.GetId())
			}
		}
	}
	out.SessionControls = sessionControls(p.GetSessionControls())
	return out
}

// sessionControls names the session controls a policy sets.
func sessionControls(s models.ConditionalAccessSessionControlsable) []string {
	if s == nil {
		return nil
	}
	var out []string
	if x := s.GetApplicationEnforcedRestrictions(); x != nil && boolv(x.GetIsEnabled()) {
		out = append(out, "applicationEnforcedRestrictions")
	}
	if x := s.GetCloudAppSecurity(); x != nil && boolv(x.GetIsEnabled()) {
		out = append(out, "cloudAppSecurity")
	}
	if x := s.GetPersistentBrowser(); x != nil && boolv(x.GetIsEnabled()) {
		out = append(out, "persistentBrowser")
	}
	if x := s.GetSignInFrequency(); x != nil && boolv(x.GetIsEnabled()) {
		out = append(out, "signInFrequency")
	}
	if boolv(s.GetDisableResilienceDefaults()) {
		out = append(out, "disableResilienceDefaults")
	}
	return out
}

// ListNamedLocations returns every named location (IP ranges or countries).
func (c *Client) ListNamedLocations(ctx context.Context) (out []source.NamedLocation, err error) {
	const op = "list named locations"
	defer recoverTo(&err, op)
	b := c.sdk.Identity().ConditionalAccess().NamedLocations()
	err = eachItem(ctx, func(ctx context.Context, next string) (models.NamedLocationCollectionResponseable, error) {
		if next == "" {
			return b.Get(ctx, nil)
		}
		return b.WithUrl(next).Get(ctx, nil)
	}, func(l models.NamedLocationable) {
		if l != nil {
			out = append(out, namedLocation(l))
		}
	})
	if err != nil {
		return nil, c.mapErr(op, "", err)
	}
	return out, nil
}

func namedLocation(l models.NamedLocationable) source.NamedLocation {
	out := source.NamedLocation{ID: str(l.GetId()), DisplayName: str(l.GetDisplayName())}
	switch x := l.(type) {
	case *models.IpNamedLocation:
		out.Kind, out.IsTrusted = "ip", boolv(x.GetIsTrusted())
		for _, r := range x.GetIpRanges() {
			switch rr := r.(type) {
			case *models.IPv4CidrRange:
				out.IPRanges = append(out.IPRanges, str(rr.GetCidrAddress()))
			case *models.IPv6CidrRange:
				out.IPRanges = append(out.IPRanges, str(rr.GetCidrAddress()))
			}
		}
	case *models.CountryNamedLocation:
		out.Kind, out.Countries = "country", x.GetCountriesAndRegions()
		out.IncludeUnknownCountries = boolv(x.GetIncludeUnknownCountriesAndRegions())
	default:
		out.Kind = kind(l.GetOdataType())
	}
	return out
}

// GetUser returns a user by object id or UPN, with group and role
// memberships read from transitiveMemberOf: Conditional Access applies to
// members of nested groups, which memberOf (direct only) leaves out.
func (c *Client) GetUser(ctx context.Context, idOrUPN string) (u source.User, err error) {
	const op = "get user"
	defer recoverTo(&err, op)
	if strings.TrimSpace(idOrUPN) == "" {
		return u, fmt.Errorf("graph: %s: empty id", op)
	}
	ub := c.sdk.Users().ByUserId(idOrUPN)
	info, err := ub.ToGetRequestInformation(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{
			"id", "userPrincipalName", "displayName", "department", "jobTitle", "userType", "accountEnabled"}}})
	it, err := send(ctx, c, info, err, func() *user { return &user{} })
	if err != nil {
		return u, c.mapErr(op, idOrUPN, err)
	}
	if it == nil {
		return u, fmt.Errorf("graph: %s %q: empty response", op, idOrUPN)
	}
	u = it.u
	mb := ub.TransitiveMemberOf()
	page := newCollection(func() *membership { return &membership{} })
	err = eachItem(ctx, func(ctx context.Context, next string) (*collection[*membership], error) {
		if next == "" {
			info, err := mb.ToGetRequestInformation(ctx, nil)
			return send(ctx, c, info, err, page)
		}
		info, err := mb.WithUrl(next).ToGetRequestInformation(ctx, nil)
		return send(ctx, c, info, err, page)
	}, func(o *membership) {
		switch {
		case o == nil:
		case o.odataType == "#microsoft.graph.group":
			u.Groups = append(u.Groups, o.id)
		case o.odataType == "#microsoft.graph.directoryRole":
			u.Roles = append(u.Roles, o.roleTemplateID)
		}
	})
	if err != nil {
		return u, c.mapErr(op+" memberships", idOrUPN, err)
	}
	return u, nil
}
