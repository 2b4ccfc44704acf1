package graph

import (
	"strconv"

	"github.com/microsoftgraph/msgraph-sdk-go/models/security"

	"github.com/secmcp/secmcp/internal/source"
)

// evidence flattens any alertEvidence subtype into source.Evidence.
func evidence(ev security.AlertEvidenceable) source.Evidence {
	e := source.Evidence{
		Kind: kind(ev.GetOdataType()), CreatedDateTime: tm(ev.GetCreatedDateTime()),
		Verdict: enum(ev.GetVerdict()), Remediation: enum(ev.GetRemediationStatus()), Roles: enums(ev.GetRoles()),
	}
	if e.Kind == "" {
		e.Kind = "alertEvidence"
	}
	switch x := ev.(type) {
	case *security.UserEvidence:
		setAccount(&e, x.GetUserAccount())
	case *security.DeviceEvidence:
		e.DeviceName, e.DeviceID = str(x.GetDeviceDnsName()), str(x.GetMdeDeviceId())
		e.AzureADDeviceID, e.OSPlatform = str(x.GetAzureAdDeviceId()), str(x.GetOsPlatform())
		if e.DeviceName == "" {
			e.DeviceName = str(x.GetHostName())
		}
	case *security.ProcessEvidence:
		e.ProcessID, e.ProcessCommandLine, e.DeviceID = i64(x.GetProcessId()), str(x.GetProcessCommandLine()), str(x.GetMdeDeviceId())
		setFile(&e, x.GetImageFile())
		setAccount(&e, x.GetUserAccount())
	case *security.FileEvidence:
		e.DeviceID = str(x.GetMdeDeviceId())
		setFile(&e, x.GetFileDetails())
	case *security.IpEvidence:
		e.IPAddress, e.CountryCode = str(x.GetIpAddress()), str(x.GetCountryLetterCode())
	case *security.UrlEvidence:
		e.URL = str(x.GetUrl())
	case *security.MailboxEvidence:
		e.MailboxUPN, e.AppName = str(x.GetPrimaryAddress()), str(x.GetDisplayName())
		setAccount(&e, x.GetUserAccount())
		if e.UserPrincipalName == "" {
			e.UserPrincipalName = str(x.GetUpn())
		}
	case *security.AnalyzedMessageEvidence:
		e.Sender, e.Subject, e.NetworkMessageID = str(x.GetSenderIp()), str(x.GetSubject()), str(x.GetNetworkMessageId())
		e.MailboxUPN = str(x.GetRecipientEmailAddress())
	case *security.CloudApplicationEvidence:
		e.AppName = str(x.GetDisplayName())
		if id := x.GetAppId(); id != nil {
			e.AppID = strconv.FormatInt(*id, 10)
		}
	case *security.RegistryValueEvidence:
		e.RegistryKey, e.RegistryValue, e.DeviceID = str(x.GetRegistryKey()), str(x.GetRegistryValue()), str(x.GetMdeDeviceId())
	case *security.RegistryKeyEvidence:
		e.RegistryKey = str(x.GetRegistryKey())
	}
	return e
}

func setAccount(e *source.Evidence, ua security.UserAccountable) {
	if ua == nil {
		return
	}
	e.UserPrincipalName, e.UserObjectID, e.AccountName = str(ua.GetUserPrincipalName()), str(ua.GetAzureAdUserId()), str(ua.GetAccountName())
}

func setFile(e *source.Evidence, fd security.FileDetailsable) {
	if fd == nil {
		return
	}
	e.FileName, e.FilePath = str(fd.GetFileName()), str(fd.GetFilePath())
	e.SHA256, e.SHA1 = str(fd.GetSha256()), str(fd.GetSha1())
}

// deref turns kiota's untyped values (*string, *int64, *float64, *bool,
// maps and slices of those) into plain Go values.
func deref(v any) any {
	switch x := v.(type) {
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *bool:
		if x == nil {
			return nil
		}
		return *x
	case *int32:
		if x == nil {
			return nil
		}
		return int64(*x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, y := range x {
			m[k] = deref(y)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, y := range x {
			s[i] = deref(y)
		}
		return s
	}
	return v
}
