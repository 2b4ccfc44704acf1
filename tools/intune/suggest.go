package intune

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// SuggestToolName is the name of the configuration suggestion tool.
const SuggestToolName = "intune_suggest_configuration"

// graphBase is the Graph endpoint the proposed requests are written for.
const graphBase = "https://graph.microsoft.com/v1.0"

// notApplied is the sentence every suggestion carries.
const notApplied = "Nothing was changed: this tool is read-only. Applying a proposal needs writes enabled on the server and an operator's confirmation; the requests below are for review."

func suggestTool() tools.Spec {
	return tools.New(tools.ToolsetIntune, SuggestToolName,
		"Compare the tenant's Intune compliance policies with secmcp's baseline ("+BaselineURI+") and propose changes, each with its reason, the devices it would make compliant or non-compliant (from their recorded values) and the Graph PATCH request. Nothing is applied.",
		SuggestConfiguration, tools.OpenWorld(), tools.WithCost(5), tools.WithTimeout(120*time.Second),
		tools.WithTitle("Suggest compliance configuration"))
}

// SuggestParams narrow the comparison.
type SuggestParams struct {
	Platform string `json:"platform,omitempty" enum:"Windows,iOS,Android,macOS" jsonschema:"Only compare the policies of this platform."`
}

// Suggestions is the result of intune_suggest_configuration.
type Suggestions struct {
	Tenant    string     `json:"tenant"`
	Baseline  string     `json:"baseline"`
	Proposals []Proposal `json:"proposals"`
	// Aligned counts, per policy, the baseline settings it already meets.
	Aligned map[string]int `json:"aligned"`
	// NoPolicy lists platforms with baseline rules but no compliance policy.
	NoPolicy []string `json:"platformsWithoutPolicy"`
	// Observed are the settings failing on devices now, most devices first.
	Observed []FailureReason `json:"observedFailures"`
	// DevicesRead counts the devices whose setting states were read.
	DevicesRead int `json:"devicesRead"`
	// Applied is always false: the tool never writes.
	Applied        bool            `json:"applied"`
	ApplyNote      string          `json:"applyNote"`
	MissingSources []MissingSource `json:"missingSources"`
	Citations      CitationCheck   `json:"citations"`
	Sources        []resources.Ref `json:"sources"`

	claims   []cite.Claim
	markdown string
}

// Claims returns the checked claims behind the suggestion's lines.
func (s Suggestions) Claims() []cite.Claim { return s.claims }

// Text returns the Markdown suggestions with their citations.
func (s Suggestions) Text() string { return s.markdown }

// Proposal is one proposed change to one policy.
type Proposal struct {
	PolicyID  string `json:"policyId"`
	Policy    string `json:"policy"`
	PolicyURI string `json:"policyUri"`
	Platform  string `json:"platform"`
	Setting   string `json:"setting"`
	Title     string `json:"title"`
	// Current is the configured value (absent when not configured).
	Current  any    `json:"current,omitempty"`
	Proposed any    `json:"proposed"`
	Reason   string `json:"reason"`
	Basis    string `json:"basis"`
	// FailingNow counts devices failing this policy setting today.
	FailingNow int          `json:"failingNow"`
	Effect     Effect       `json:"effect"`
	Request    GraphRequest `json:"request"`
}

// GraphRequest is the request that would apply a proposal. It is never sent.
type GraphRequest struct {
	Method string         `json:"method"`
	URL    string         `json:"url"`
	Body   map[string]any `json:"body"`
}

// SuggestConfiguration is the tool body; it is exported for the reports and tests.
func SuggestConfiguration(ctx context.Context, call tools.Call, p SuggestParams) (Suggestions, error) {
	g, err := call.Graph(ctx)
	if err != nil {
		return Suggestions{}, err
	}
	alias := call.Tenant.Alias
	res := Suggestions{Tenant: alias, Baseline: BaselineURI, Proposals: []Proposal{}, Aligned: map[string]int{},
		NoPolicy: []string{}, Observed: []FailureReason{}, ApplyNote: notApplied, MissingSources: []MissingSource{},
		Sources: []resources.Ref{{URI: BaselineURI}}}
	docs := map[string]any{BaselineURI: BaselineJSON()}
	pols, err := g.ListCompliancePolicies(ctx)
	if err != nil {
		return Suggestions{}, upstream(err, srcPolicies, "compliance policies", "", alias)
	}
	sort.Slice(pols, func(i, j int) bool { return pols[i].DisplayName < pols[j].DisplayName })
	for _, pol := range pols {
		docs[resources.URI(alias, resources.KindPolicy, pol.ID)] = pol
	}
	devices, err := readFleet(ctx, call, g, p.Platform, &res, docs)
	if err != nil {
		return Suggestions{}, err
	}
	res.DevicesRead = len(devices)
	res.Proposals = propose(alias, pols, p.Platform, devices, &res)
	res.Observed = observed(alias, pols, devices)
	var a answer
	suggestLines(&res, &a)
	for _, pr := range res.Proposals {
		res.Sources = append(res.Sources, resources.Ref{URI: pr.PolicyURI})
	}
	kept, chk, md, err := a.Finish(ctx, cite.JSONFetcher(docs))
	if err != nil {
		return Suggestions{}, err
	}
	res.claims, res.Citations, res.markdown = kept, chk, md
	return res, nil
}

// readFleet reads every managed device (of the platform) and its policy states.
func readFleet(ctx context.Context, call tools.Call, g source.Graph, platform string, res *Suggestions, docs map[string]any) ([]fleetDevice, error) {
	alias := call.Tenant.Alias
	var all []source.ManagedDevice
	for skip := 0; len(all) < 5*maxFleet; {
		page, err := g.ListManagedDevices(ctx, source.DeviceQuery{ListOptions: source.ListOptions{Top: 200, Skip: skip}, OS: platform})
		if err != nil {
			return nil, upstream(err, srcDevices, "devices", "", alias)
		}
		all = append(all, page.Items...)
		next, ok := nextSkip(page.Next, skip, len(page.Items))
		if !ok {
			break
		}
		skip = next
	}
	out := make([]fleetDevice, 0, len(all))
	failed := 0
	var lastErr error
	for i, d := range all {
		call.Report(float64(i), float64(len(all)), "reading device compliance")
		states, err := g.ListDeviceCompliance(ctx, d.ID)
		if err != nil {
			failed, lastErr = failed+1, err
			continue
		}
		docs[resources.URI(alias, resources.KindDevice, d.ID)] = deviceDoc{d, states}
		out = append(out, fleetDevice{device: d, states: states})
	}
	if failed > 0 {
		res.MissingSources = append(res.MissingSources, MissingSource{Source: srcDevices, Error: shortErr(lastErr),
			Affects: fmt.Sprintf("the setting states of %s could not be read; the expected effects leave them out", text.Count(int64(failed), "device"))})
	}
	return out, nil
}

// propose compares each platform's policies with the baseline.
func propose(alias string, pols []source.CompliancePolicy, platform string, devices []fleetDevice, res *Suggestions) []Proposal {
	out := []Proposal{}
	byPlatform := map[string][]source.CompliancePolicy{}
	for _, pol := range pols {
		if pf := platformOf(pol.ODataType); pf != "" {
			byPlatform[pf] = append(byPlatform[pf], pol)
		}
	}
	for _, r := range Baseline {
		if platform != "" && r.Platform != platform {
			continue
		}
		ps := byPlatform[r.Platform]
		if len(ps) == 0 {
			res.NoPolicy = appendOnce(res.NoPolicy, r.Platform)
			continue
		}
		var weaker []source.CompliancePolicy
		met := false
		for _, pol := range ps {
			cur, ok := pol.Settings[r.Setting]
			if !ok || cur == nil {
				continue
			}
			if atLeast(r.Setting, r.Value, cur) {
				met = true
				res.Aligned[pol.DisplayName]++
			} else {
				weaker = append(weaker, pol)
			}
		}
		switch {
		case met:
		case len(weaker) > 0:
			for _, pol := range weaker {
				out = append(out, proposal(alias, pol, r, devices))
			}
		default:
			out = append(out, proposal(alias, familyHome(ps, r.Family), r, devices))
		}
	}
	return out
}

// atLeast reports whether a policy's configured value is at least as strict
// as the baseline's. Booleans compare as requirements (true is stricter than
// false); the other kinds compare the configured value as if a device
// reported it.
func atLeast(prop string, baseline, configured any) bool {
	if k := infoFor(prop).kind; k == kindBool || k == kindBlock {
		b, ok1 := boolOf(baseline)
		c, ok2 := boolOf(configured)
		return ok1 && ok2 && (c || !b)
	}
	pass, known := meets(prop, baseline, fmtValue(configured))
	return pass && known
}

// familyHome picks the policy holding most baseline settings of family.
func familyHome(ps []source.CompliancePolicy, family string) source.CompliancePolicy {
	best, bestN := ps[0], -1
	for _, pol := range ps {
		n := 0
		for _, r := range Baseline {
			if _, ok := pol.Settings[r.Setting]; ok && r.Family == family && r.Platform == platformOf(pol.ODataType) {
				n++
			}
		}
		if n > bestN {
			best, bestN = pol, n
		}
	}
	return best
}

func proposal(alias string, pol source.CompliancePolicy, r BaselineRule, devices []fleetDevice) Proposal {
	pr := Proposal{PolicyID: pol.ID, Policy: pol.DisplayName, PolicyURI: resources.URI(alias, resources.KindPolicy, pol.ID),
		Platform: r.Platform, Setting: r.Setting, Title: r.Title, Current: pol.Settings[r.Setting], Proposed: r.Value,
		Reason: r.Reason, Basis: r.Basis, Effect: predict(alias, pol.DisplayName, r.Setting, r.Value, devices),
		Request: GraphRequest{Method: "PATCH", URL: graphBase + "/deviceManagement/deviceCompliancePolicies/" + pol.ID,
			Body: map[string]any{"@odata.type": pol.ODataType, r.Setting: r.Value}}}
	for _, fd := range devices {
		if fd.failingPairs()[[2]string{pol.DisplayName, r.Setting}] {
			pr.FailingNow++
		}
	}
	return pr
}

// observed counts failing settings across all read devices.
func observed(alias string, pols []source.CompliancePolicy, devices []fleetDevice) []FailureReason {
	reasons := map[string]*FailureReason{}
	idx := policyIndex(pols)
	for _, fd := range devices {
		addReasons(alias, fd.device, fd.states, idx, reasons)
	}
	out := []FailureReason{}
	for _, r := range reasons {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Devices != out[j].Devices {
			return out[i].Devices > out[j].Devices
		}
		return out[i].Platform+out[i].Setting < out[j].Platform+out[j].Setting
	})
	return out
}

// nameList renders up to n device names.
func nameList(refs []DeviceRef, n int) (string, []string, []string) {
	var names, uris []string
	for i, r := range refs {
		if i == n {
			break
		}
		names, uris = append(names, r.Name), append(uris, r.URI)
	}
	s := strings.Join(names, ", ")
	if len(refs) > n {
		s += fmt.Sprintf(" and %d more", len(refs)-n)
	}
	return s, names, uris
}
