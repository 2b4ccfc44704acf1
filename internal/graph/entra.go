package graph

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/identityprotection"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/secmcp/secmcp/internal/source"
)

// maxPages bounds "list everything" loops over @odata.nextLink.
const maxPages = 50

// ListSignIns lists Entra ID sign-ins, newest first.
func (c *Client) ListSignIns(ctx context.Context, q source.SignInQuery) (page source.Page[source.SignIn], err error) {
	const op = "list sign-ins"
	defer recoverTo(&err, op)
	var f filter
	f.eq("userPrincipalName", q.User)
	f.eq("ipAddress", q.IPAddress)
	f.eq("appDisplayName", q.AppName)
	f.eq("riskLevelDuringSignIn", q.RiskLevel)
	if q.Failed != nil {
		if *q.Failed {
			f.add("status/errorCode ne 0")
		} else {
			f.add("status/errorCode eq 0")
		}
	}
	f.window("createdDateTime", q.ListOptions)
	top, drop := tokenPaging(q.ListOptions, 100, 1000)
	b := c.sdk.AuditLogs().SignIns()
	// Newest first is the service's own order; signIns documents only $top,
	// $skiptoken and $filter (contract signIns.list).
	resp, err := fetch(c, q.Continuation, "auditLogs/signIns", func() (models.SignInCollectionResponseable, error) {
		return b.Get(ctx, &auditlogs.SignInsRequestBuilderGetRequestConfiguration{
			QueryParameters: &auditlogs.SignInsRequestBuilderGetQueryParameters{Filter: f.ptr(), Top: top}})
	}, func(link string) (models.SignInCollectionResponseable, error) { return b.WithUrl(link).Get(ctx, nil) })
	if err != nil {
		return page, c.mapErr(op, "", err)
	}
	for _, it := range dropFirst(resp.GetValue(), drop, q.Continuation) {
		if it != nil {
			page.Items = append(page.Items, signIn(it))
		}
	}
	page.Next = nextLink(resp.GetOdataNextLink())
	return page, nil
}

// GetSignIn returns one sign-in.
func (c *Client) GetSignIn(ctx context.Context, id string) (s source.SignIn, err error) {
	const op = "get sign-in"
	defer recoverTo(&err, op)
	if strings.TrimSpace(id) == "" {
		return s, fmt.Errorf("graph: %s: empty id", op)
	}
	it, err := c.sdk.AuditLogs().SignIns().BySignInId(id).Get(ctx, nil)
	if err != nil {
		return s, c.mapErr(op, id, err)
	}
	if it == nil {
		return s, fmt.Errorf("graph: %s %q: empty response", op, id)
	}
	return signIn(it), nil
}

func signIn(it models.SignInable) source.SignIn {
	s := source.SignIn{
		ID: str(it.GetId()), CreatedDateTime: tm(it.GetCreatedDateTime()), UserPrincipalName: str(it.GetUserPrincipalName()),
		UserID: str(it.GetUserId()), UserDisplayName: str(it.GetUserDisplayName()), AppDisplayName: str(it.GetAppDisplayName()),
		AppID: str(it.GetAppId()), ResourceDisplayName: str(it.GetResourceDisplayName()), IPAddress: str(it.GetIpAddress()),
		ClientAppUsed: str(it.GetClientAppUsed()), IsInteractive: boolv(it.GetIsInteractive()),
		RiskLevelDuringSignIn: enum(it.GetRiskLevelDuringSignIn()), RiskLevelAggregated: enum(it.GetRiskLevelAggregated()),
		RiskState: enum(it.GetRiskState()), RiskEventTypes: it.GetRiskEventTypesV2(),
		ConditionalAccessStatus: enum(it.GetConditionalAccessStatus()),
	}
	if len(s.RiskEventTypes) == 0 {
		s.RiskEventTypes = enums(it.GetRiskEventTypes())
	}
	if l := it.GetLocation(); l != nil {
		s.City, s.CountryOrRegion = str(l.GetCity()), str(l.GetCountryOrRegion())
	}
	if d := it.GetDeviceDetail(); d != nil {
		s.DeviceID, s.DeviceName, s.OperatingSystem = str(d.GetDeviceId()), str(d.GetDisplayName()), str(d.GetOperatingSystem())
		s.Browser, s.IsCompliant, s.IsManaged, s.TrustType = str(d.GetBrowser()), boolv(d.GetIsCompliant()), boolv(d.GetIsManaged()), str(d.GetTrustType())
	}
	if st := it.GetStatus(); st != nil {
		s.ErrorCode, s.FailureReason = i32(st.GetErrorCode()), str(st.GetFailureReason())
		s.AdditionalDetails = str(st.GetAdditionalDetails())
	}
	// MFA facts come from v1.0 properties only (contract: signIn); the beta
	// authenticationRequirement / mfaDetail / authenticationDetails are not
	// in v1.0 responses. status.additionalDetails says "MFA requirement
	// satisfied by ..." or "MFA completed in Azure AD" when MFA was done.
	s.MFASatisfied = MFARecorded(s.AdditionalDetails)
	for _, p := range it.GetAppliedConditionalAccessPolicies() {
		if p == nil {
			continue
		}
		s.AppliedCAPolicies = append(s.AppliedCAPolicies, source.AppliedCAPolicy{
			ID: str(p.GetId()), DisplayName: str(p.GetDisplayName()), Result: enum(p.GetResult()),
			EnforcedGrantControls: p.GetEnforcedGrantControls(), EnforcedSessionControls: p.GetEnforcedSessionControls(),
		})
	}
	return s
}

// ListRiskyUsers lists Entra ID Protection risky users, most recently updated first.
func (c *Client) ListRiskyUsers(ctx context.Context, q source.RiskQuery) (page source.Page[source.RiskyUser], err error) {
	const op = "list risky users"
	defer recoverTo(&err, op)
	var f filter
	f.eq("userPrincipalName", q.User)
	f.eq("riskLevel", q.RiskLevel)
	f.eq("riskState", q.RiskState)
	f.window("riskLastUpdatedDateTime", q.ListOptions)
	top, drop := tokenPaging(q.ListOptions, 100, 500)
	b := c.sdk.IdentityProtection().RiskyUsers()
	// No $skip and no $orderby (contract riskyUsers.list): pages continue by
	// nextLink and each page is sorted here.
	resp, err := fetch(c, q.Continuation, "identityProtection/riskyUsers", func() (models.RiskyUserCollectionResponseable, error) {
		return b.Get(ctx, &identityprotection.RiskyUsersRequestBuilderGetRequestConfiguration{
			QueryParameters: &identityprotection.RiskyUsersRequestBuilderGetQueryParameters{Filter: f.ptr(), Top: top}})
	}, func(link string) (models.RiskyUserCollectionResponseable, error) {
		return b.WithUrl(link).Get(ctx, nil)
	})
	if err != nil {
		return page, c.mapErr(op, "", err)
	}
	for _, it := range dropFirst(resp.GetValue(), drop, q.Continuation) {
		if it == nil {
			continue
		}
		page.Items = append(page.Items, source.RiskyUser{
			ID: str(it.GetId()), UserPrincipalName: str(it.GetUserPrincipalName()), UserDisplayName: str(it.GetUserDisplayName()),
			RiskLevel: enum(it.GetRiskLevel()), RiskState: enum(it.GetRiskState()), RiskDetail: enum(it.GetRiskDetail()),
			RiskLastUpdated: tm(it.GetRiskLastUpdatedDateTime()), IsDeleted: boolv(it.GetIsDeleted()),
		})
	}
	sortNewestFirst(page.Items, func(u source.RiskyUser) time.Time { return u.RiskLastUpdated })
	page.Next = nextLink(resp.GetOdataNextLink())
	return page, nil
}

// ListRiskDetections lists Entra ID Protection risk detections, newest first.
func (c *Client) ListRiskDetections(ctx context.Context, q source.RiskQuery) (page source.Page[source.RiskDetection], err error) {
	const op = "list risk detections"
	defer recoverTo(&err, op)
	var f filter
	f.eq("userPrincipalName", q.User)
	f.eq("riskLevel", q.RiskLevel)
	f.eq("riskState", q.RiskState)
	f.window("detectedDateTime", q.ListOptions)
	top, drop := tokenPaging(q.ListOptions, 100, 500)
	b := c.sdk.IdentityProtection().RiskDetections()
	resp, err := fetch(c, q.Continuation, "identityProtection/riskDetections", func() (models.RiskDetectionCollectionResponseable, error) {
		return b.Get(ctx, &identityprotection.RiskDetectionsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identityprotection.RiskDetectionsRequestBuilderGetQueryParameters{Filter: f.ptr(), Top: top}})
	}, func(link string) (models.RiskDetectionCollectionResponseable, error) {
		return b.WithUrl(link).Get(ctx, nil)
	})
	if err != nil {
		return page, c.mapErr(op, "", err)
	}
	for _, it := range dropFirst(resp.GetValue(), drop, q.Continuation) {
		if it == nil {
			continue
		}
		d := source.RiskDetection{
			ID: str(it.GetId()), UserPrincipalName: str(it.GetUserPrincipalName()), UserID: str(it.GetUserId()),
			RiskEventType: str(it.GetRiskEventType()), RiskLevel: enum(it.GetRiskLevel()), RiskState: enum(it.GetRiskState()),
			RiskDetail: enum(it.GetRiskDetail()), DetectionTiming: enum(it.GetDetectionTimingType()),
			Activity: enum(it.GetActivity()), Source: str(it.GetSource()), IPAddress: str(it.GetIpAddress()),
			RequestID: str(it.GetRequestId()), DetectedDateTime: tm(it.GetDetectedDateTime()),
			ActivityDateTime: tm(it.GetActivityDateTime()),
		}
		if l := it.GetLocation(); l != nil {
			d.City, d.CountryOrRegion = str(l.GetCity()), str(l.GetCountryOrRegion())
		}
		page.Items = append(page.Items, d)
	}
	sortNewestFirst(page.Items, func(d source.RiskDetection) time.Time { return d.DetectedDateTime })
	page.Next = nextLink(resp.GetOdataNextLink())
	return page, nil
}

// dropFirst drops the first n items of a first page (see tokenPaging);
// continuation pages are taken whole.
func dropFirst[T any](xs []T, n int, continuation string) []T {
	if continuation != "" || n <= 0 {
		return xs
	}
	return xs[min(n, len(xs)):]
}

// MFARecorded reports whether a v1.0 sign-in's status.additionalDetails
// records completed MFA ("MFA requirement satisfied by claim in the token",
// "MFA requirement satisfied by strong authentication", "MFA completed in
// Azure AD", "MFA successfully completed").
func MFARecorded(additionalDetails string) bool {
	d := strings.ToLower(additionalDetails)
	return strings.Contains(d, "mfa") && (strings.Contains(d, "satisfied") || strings.Contains(d, "completed"))
}
