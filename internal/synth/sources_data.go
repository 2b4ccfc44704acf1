package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/tools"
)

type dlpDoc struct {
	User      string `json:"user"`
	DLPAlerts []struct {
		ID         string    `json:"id"`
		Time       time.Time `json:"time"`
		Title      string    `json:"title"`
		Policy     string    `json:"policy"`
		Location   string    `json:"location"`
		Action     string    `json:"action"`
		Overridden bool      `json:"overridden"`
		Item       string    `json:"item"`
		Target     string    `json:"target"`
		URI        string    `json:"uri"`
	} `json:"dlpAlerts"`
	Paths []struct {
		Kind        string    `json:"kind"`
		Description string    `json:"description"`
		Destination string    `json:"destination"`
		First       time.Time `json:"first"`
		Last        time.Time `json:"last"`
		Alerts      []string  `json:"alerts"`
		Events      int       `json:"events"`
	} `json:"exfiltrationPaths"`
	MissingSources []struct {
		Source string `json:"source"`
		Error  string `json:"error"`
	} `json:"missingSources"`
}

// DLPFacet is one DLP alert as Purview's investigation describes it.
type DLPFacet struct {
	Time       time.Time `json:"time"`
	User       string    `json:"user,omitempty"`
	Policy     string    `json:"policy"`
	Location   string    `json:"location,omitempty"`
	Action     string    `json:"action,omitempty"`
	Overridden bool      `json:"overridden"`
	Item       string    `json:"item,omitempty"`
	Target     string    `json:"target,omitempty"`
	// Paths are the exfiltration paths this alert is part of.
	Paths []PathFacet `json:"exfiltrationPaths,omitempty"`
}

// PathFacet is an exfiltration path seen around a DLP alert.
type PathFacet struct {
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Destination string    `json:"destination,omitempty"`
	First       time.Time `json:"first,omitzero"`
	Last        time.Time `json:"last,omitzero"`
	Events      int       `json:"events"`
}

// dlpCaseJob asks Purview about the incident as a case. It starts with the
// incident itself (Purview reads the incident's DLP alerts), so the slowest
// source does not wait for the incident read; an incident without DLP
// alerts is a caller-fixable refusal of the tool, which becomes a note.
func dlpCaseJob(incidentID string) job {
	return job{key: "5-dlp-case-" + incidentID, source: "Purview DLP activity of incident " + incidentID, tool: toolDLP,
		args: map[string]any{"caseId": incidentID}, then: dlpThen,
		absent: func(err error) (string, bool) {
			var te *tools.ToolError
			if errors.As(err, &te) && te.Kind == "invalid_argument" {
				return "Purview: " + truncate(te.Msg, 200) + ".", true
			}
			return "", false
		}}
}

func dlpUserJob(upn string, w window) job {
	args := map[string]any{"user": upn}
	if w.set() {
		args["since"], args["until"] = rfc(w.from), rfc(w.to)
	}
	return job{key: "5-dlp-user-" + upn, source: "Purview DLP activity of " + upn, tool: toolDLP, args: args, then: dlpThen}
}

func dlpThen(r *run, raw json.RawMessage) error {
	var d dlpDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return fmt.Errorf("decode %s: %w", toolDLP, err)
	}
	for _, a := range d.DLPAlerts {
		if a.URI == "" {
			continue
		}
		f := DLPFacet{Time: a.Time, User: d.User, Policy: a.Policy, Location: a.Location, Action: a.Action,
			Overridden: a.Overridden, Item: truncate(a.Item, 200), Target: truncate(a.Target, 200)}
		for _, p := range d.Paths {
			if contains(p.Alerts, a.ID) {
				f.Paths = append(f.Paths, PathFacet{Kind: p.Kind, Description: truncate(p.Description, 200),
					Destination: p.Destination, First: p.First, Last: p.Last, Events: p.Events})
			}
		}
		r.set.Add(a.URI, KindAlert, rfc(a.Time)+a.ID, "DLP alert: "+truncate(a.Title, 80), toolDLP, "dlp", f)
	}
	for _, m := range d.MissingSources {
		r.partial("Purview DLP activity", toolDLP, m.Source+": "+m.Error)
	}
	if len(d.DLPAlerts) == 0 && d.User != "" {
		r.note("Purview reports no DLP alerts for " + d.User + " in the window.")
	}
	return nil
}

type scriptDoc struct {
	URI     string   `json:"uri"`
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	Layers  []struct {
		Text string `json:"text"`
	} `json:"layers"`
	FinalLayer int `json:"finalLayer"`
	Indicators []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"indicators"`
	Techniques []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"techniques"`
}

// ScriptFacet is the static analysis of an encoded command line.
type ScriptFacet struct {
	CommandLine string         `json:"commandLine"`
	Verdict     string         `json:"verdict"`
	Reasons     []string       `json:"reasons"`
	Decoded     string         `json:"decoded"`
	Indicators  []Indicator    `json:"indicators"`
	Techniques  []TechniqueRef `json:"techniques"`
	// SeenIn is the incident whose evidence held the command line.
	SeenIn string `json:"seenIn,omitempty"`
}

// Indicator is a typed value (url, domain, ip, …).
type Indicator struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// TechniqueRef is an ATT&CK technique id and name.
type TechniqueRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func scriptJob(cmd, seenIn string) job {
	key := "6-script-" + fmt.Sprintf("%x", len(cmd)) + "-" + truncate(strings.ToLower(cmd), 40)
	return job{key: key, source: "script analysis of an encoded command line", tool: toolScriptAnalyze,
		args: map[string]any{"script": cmd},
		then: func(r *run, raw json.RawMessage) error {
			var d scriptDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolScriptAnalyze, err)
			}
			f := ScriptFacet{CommandLine: truncate(cmd, 200), Verdict: d.Verdict, Reasons: orEmpty(d.Reasons),
				Indicators: []Indicator{}, Techniques: []TechniqueRef{}, SeenIn: seenIn}
			if d.FinalLayer >= 0 && d.FinalLayer < len(d.Layers) {
				f.Decoded = truncate(d.Layers[d.FinalLayer].Text, 400)
			}
			for i, in := range d.Indicators {
				if i == 10 {
					break
				}
				f.Indicators = append(f.Indicators, Indicator{Type: in.Type, Value: in.Value})
			}
			for _, t := range d.Techniques {
				f.Techniques = append(f.Techniques, TechniqueRef{ID: t.ID, Name: t.Name})
			}
			r.set.Add(d.URI, KindScript, d.URI, "script analysis: "+d.Verdict+" encoded command line", toolScriptAnalyze, "scriptAnalysis", f)
			return nil
		}}
}
