package synth

import "strings"

// A signed-in analyst on a tenant configured for on-behalf-of reads
// Defender XDR with their own rights. Defender then scopes what they see to
// the device groups and data sources of their unified RBAC role, silently:
// fewer alerts, incidents and Advanced Hunting rows, no error
// (https://learn.microsoft.com/defender-endpoint/machine-groups,
// https://learn.microsoft.com/defender-xdr/manage-rbac). No API tells the
// analyst which groups their role covers, so every delegated Defender read
// is treated as possibly trimmed and the answer says so.

// limitedViewText is the caveat a verdict carries when its Defender
// evidence was read with the caller's own rights. It is written in the
// verdict's first line, uncited: it states how the system read, not a fact
// of the tenant (no names, numbers or addresses the verifier would check).
const limitedViewText = "Defender XDR was read with your own account's rights (on-behalf-of), so its alerts and incidents are limited to the device groups and data sources your Defender role can see: an absence of alerts there is not evidence of absence."

// limitedViewNote is the same caveat for the Notes section of any answer
// (tenant-wide rankings too), with the documentation.
const limitedViewNote = "Defender XDR results (alerts, incidents, Advanced Hunting) were read with your own account's rights (on-behalf-of) and are limited to the device groups and data sources your Defender role allows; alerts of devices outside them are left out without an error, so what is absent here may exist " +
	"(https://learn.microsoft.com/defender-endpoint/machine-groups, https://learn.microsoft.com/defender-xdr/manage-rbac)."

// delegated reports whether this run reads with the signed-in caller's own
// rights: a user behind the call (Entra ID token) on a tenant configured
// for on-behalf-of. Key and stdio callers read app-only, unscoped.
func (r *run) delegated() bool {
	return r.call.User != nil && r.call.Tenant != nil && r.call.Tenant.OnBehalfOf
}

// defenderRead reports whether any Defender XDR source answered.
func defenderRead(traces []Trace) bool {
	for _, t := range traces {
		if t.Status == "ok" && strings.HasPrefix(t.Tool, "defender_") {
			return true
		}
	}
	return false
}
