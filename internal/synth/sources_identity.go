package synth

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/secmcp/secmcp/resources"
)

// riskDoc is the part of entra_summarize_signin_risk's result read here.
type riskDoc struct {
	Scope      string    `json:"scope"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	RiskyUsers []struct {
		UPN         string    `json:"userPrincipalName"`
		Level       string    `json:"riskLevel"`
		State       string    `json:"riskState"`
		LastUpdated time.Time `json:"riskLastUpdatedDateTime"`
		Detections  int       `json:"detections"`
		URI         string    `json:"uri"`
	} `json:"riskyUsers"`
	DetectionTypes []struct {
		Type    string `json:"type"`
		Meaning string `json:"meaning"`
		Count   int    `json:"count"`
	} `json:"detectionTypes"`
	RiskySignIns []SignInFacet `json:"riskySignIns"`
	Patterns     []struct {
		Kind      string    `json:"kind"`
		Summary   string    `json:"summary"`
		IPs       []string  `json:"ips"`
		Countries []string  `json:"countries"`
		First     time.Time `json:"first"`
		Last      time.Time `json:"last"`
	} `json:"patterns"`
	Truncated []string `json:"truncated"`
	Missing   []string `json:"missing"`
}

// SignInFacet is one risky sign-in.
type SignInFacet struct {
	ID             string    `json:"id"`
	Time           time.Time `json:"time"`
	User           string    `json:"user"`
	App            string    `json:"app,omitempty"`
	IPAddress      string    `json:"ipAddress,omitempty"`
	Location       string    `json:"location,omitempty"`
	RiskLevel      string    `json:"riskLevel,omitempty"`
	RiskEventTypes []string  `json:"riskEventTypes,omitempty"`
	CAStatus       string    `json:"conditionalAccessStatus,omitempty"`
	URI            string    `json:"uri,omitempty"`
}

// RiskFacet is a user's (or an IP's) sign-in risk in a window.
type RiskFacet struct {
	Scope            string           `json:"scope"`
	Since            time.Time        `json:"since"`
	Until            time.Time        `json:"until"`
	UserRiskLevel    string           `json:"userRiskLevel,omitempty"`
	UserRiskState    string           `json:"userRiskState,omitempty"`
	RiskDetections   int              `json:"riskDetections"`
	DetectionTypes   []DetectionCount `json:"detectionTypes"`
	RiskySignInCount int              `json:"riskySignInCount"`
	RiskySignIns     []SignInFacet    `json:"riskySignIns"`
	Patterns         []PatternFacet   `json:"patterns"`
	Truncated        bool             `json:"truncated,omitempty"`
}

// DetectionCount is how many risk detections of one type were seen.
type DetectionCount struct {
	Type    string `json:"type"`
	Count   int    `json:"count"`
	Meaning string `json:"meaning,omitempty"`
}

// PatternFacet is a sign-in pattern (spray, MFA failures, many countries).
type PatternFacet struct {
	Kind      string    `json:"kind"`
	Summary   string    `json:"summary"`
	IPs       []string  `json:"ips,omitempty"`
	Countries []string  `json:"countries,omitempty"`
	First     time.Time `json:"first,omitzero"`
	Last      time.Time `json:"last,omitzero"`
}

func riskArgs(w window) map[string]any {
	args := map[string]any{}
	if w.set() {
		args["since"], args["until"] = rfc(w.from), rfc(w.to)
	}
	return args
}

func riskJob(upn string, w window) job {
	args := riskArgs(w)
	args["user"] = upn
	source := "Entra sign-in risk of " + upn
	return job{key: "2-risk-" + upn, source: source, tool: toolSignInRisk, args: args,
		then: func(r *run, raw json.RawMessage) error {
			f, err := decodeRisk(r, source, raw)
			if err != nil {
				return err
			}
			uri := resources.URI(r.call.Tenant.Alias, resources.KindUser, upn)
			r.set.Add(uri, KindUser, upn, "user "+upn, toolSignInRisk, "signInRisk", f)
			return nil
		}}
}

func riskIPJob(ip string, w window) job {
	args := riskArgs(w)
	args["ipAddress"] = ip
	source := "Entra sign-ins from " + ip
	return job{key: "2-riskip-" + ip, source: source, tool: toolSignInRisk, args: args,
		then: func(r *run, raw json.RawMessage) error {
			f, err := decodeRisk(r, source, raw)
			if err != nil {
				return err
			}
			for _, s := range f.RiskySignIns {
				if s.URI != "" {
					r.set.Add(s.URI, KindSignIn, rfc(s.Time)+s.ID, "sign-in of "+s.User+" from "+s.IPAddress, toolSignInRisk, "signIn", s)
				}
			}
			if len(f.RiskySignIns) == 0 {
				r.note("Entra ID Protection reports no risky sign-ins from " + ip + " in the window.")
			}
			return nil
		}}
}

func decodeRisk(r *run, source string, raw json.RawMessage) (RiskFacet, error) {
	var d riskDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return RiskFacet{}, fmt.Errorf("decode %s: %w", toolSignInRisk, err)
	}
	for _, m := range d.Missing {
		r.partial(source, toolSignInRisk, m)
	}
	f := RiskFacet{Scope: d.Scope, Since: d.Since, Until: d.Until, DetectionTypes: []DetectionCount{}, RiskySignIns: []SignInFacet{},
		Patterns: []PatternFacet{}, RiskySignInCount: len(d.RiskySignIns), Truncated: len(d.Truncated) > 0}
	if len(d.RiskyUsers) == 1 {
		u := d.RiskyUsers[0]
		f.UserRiskLevel, f.UserRiskState, f.RiskDetections = u.Level, u.State, u.Detections
	}
	for _, t := range d.DetectionTypes {
		f.DetectionTypes = append(f.DetectionTypes, DetectionCount{Type: t.Type, Count: t.Count, Meaning: truncate(t.Meaning, 160)})
	}
	for i, s := range d.RiskySignIns {
		if i == 5 {
			break
		}
		f.RiskySignIns = append(f.RiskySignIns, s)
	}
	for i, p := range d.Patterns {
		if i == 5 {
			break
		}
		f.Patterns = append(f.Patterns, PatternFacet{Kind: p.Kind, Summary: truncate(p.Summary, 300), IPs: p.IPs, Countries: p.Countries, First: p.First, Last: p.Last})
	}
	return f, nil
}
