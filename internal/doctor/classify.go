package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// Status is the outcome of one check.
type Status string

// Outcomes, worst last.
const (
	StatusOK                Status = "ok"
	StatusSkipped           Status = "not checked"
	StatusThrottled         Status = "throttled"
	StatusNotFound          Status = "not found"
	StatusRefused           Status = "refused"
	StatusMissingPermission Status = "missing permission"
	StatusNotLicensed       Status = "not licensed"
	StatusUnreachable       Status = "unreachable"
	StatusNoToken           Status = "no token"
)

// Failed reports whether the outcome means the tools that need the
// endpoint cannot work now.
func (s Status) Failed() bool { return s != StatusOK && s != StatusSkipped }

// serviceError is the error body Graph and Log Analytics share:
// {"error":{"code":..., "message":..., "innererror":{...}}}
// (https://learn.microsoft.com/en-us/graph/errors,
// https://learn.microsoft.com/en-us/azure/azure-monitor/logs/api/errors).
type serviceError struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"innererror"`
	} `json:"error"`
}

// licenseMarkers are the words real tenants answer with when the product
// behind an endpoint is not licensed:
//   - Entra ID P1/P2 (sign-ins, Identity Protection, Conditional Access):
//     403 Authentication_RequestFromNonPremiumTenantOrB2CTenant "Neither
//     tenant is B2C or tenant doesn't have premium license" (documented in
//     https://github.com/MicrosoftDocs/azure-docs/pull/77948, reported in
//     microsoftgraph/msgraph-sdk-dotnet#1006).
//   - Defender workloads not onboarded: 403 Forbidden "Tenant is not
//     onboarded to Microsoft Defender for Identity" (microsoft/zerotrustassessment#1352),
//     "Tenant feature is not enabled" (MicrosoftDocs/microsoft-365-docs#8279).
var licenseMarkers = []string{
	"authentication_requestfromnonpremiumtenantorb2ctenant", "premium license", "not licensed",
	"not onboarded", "feature is not enabled", "license",
}

// classify turns one call's answer into a status and a short detail.
// status is the HTTP status (0 when the request got no answer) and err the
// transport error, if any.
func classify(c check, status int, body []byte, err error) (Status, string) {
	if err != nil {
		return classifyErr(err)
	}
	var se serviceError
	_ = json.Unmarshal(body, &se)
	code, msg := se.Error.Code, se.Error.Message
	if se.Error.InnerError.Message != "" {
		msg = strings.TrimSpace(msg + " (" + se.Error.InnerError.Message + ")")
	}
	said := fmt.Sprintf("HTTP %d", status)
	if code != "" || msg != "" {
		said = fmt.Sprintf("HTTP %d %s: %s", status, code, clip(msg, 160))
	}
	low := strings.ToLower(code + " " + msg)
	switch {
	case status >= 200 && status < 300:
		return StatusOK, ""
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return StatusThrottled, said
	case (status == http.StatusForbidden || status == http.StatusUnauthorized) && containsAny(low, licenseMarkers):
		return StatusNotLicensed, said
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		return StatusMissingPermission, said
	case status == http.StatusNotFound && c.Service == ServiceLogAnalytics:
		return StatusNotFound, said
	case status == http.StatusNotFound && (c.Service == ServiceHunting || strings.HasPrefix(c.Path, "/security/")):
		// A Defender API answers 404 on a tenant without Microsoft Defender XDR.
		return StatusNotLicensed, said
	case status == http.StatusNotFound:
		return StatusNotFound, said
	}
	return StatusRefused, said
}

// classifyErr maps a request that got no HTTP answer.
func classifyErr(err error) (Status, string) {
	var te *source.ThrottledError
	switch {
	case errors.As(err, &te):
		return StatusThrottled, clip(te.Error(), 160)
	case errors.Is(err, context.DeadlineExceeded):
		return StatusUnreachable, "no answer before the deadline"
	}
	return StatusUnreachable, clipHead(rootCause(err), 160)
}

// clipHead keeps the end of s, where a wrapped transport error names its
// cause ("…dial tcp 127.0.0.1:9000: connect: connection refused").
func clipHead(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// rootCause is the innermost error's text ("connection refused", "EOF").
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
