package synth

import (
	"testing"
	"time"
)

func TestMatchSkills(t *testing.T) {
	skills := []PluginSkill{
		{Tool: "plugin_mda_getcloudappatpevents", Description: "Fetches a list of Advanced Threat Protection events within a specified timeframe",
			Inputs: []PluginInput{{Name: "hourorday", Kind: "timespan unit", Optional: true}, {Name: "unit", Kind: "timespan count", Optional: true}}},
		{Tool: "plugin_url_whoclickedurl", Description: "Who clicked a URL", Inputs: []PluginInput{{Name: "url", Kind: "string"}}},
		{Tool: "plugin_ip_failedlogins", Description: "Failed login attempts from an IP address",
			Inputs: []PluginInput{{Name: "ipaddress", Description: "the IP", Kind: "string"}}},
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	cases := map[string][]string{
		"Any advanced threat protection events in the last 3 days?": {"plugin_mda_getcloudappatpevents"},
		"Who clicked the phishing URL?":                             nil, // the url input cannot be filled
		"Failed login attempts from 203.0.113.9":                    {"plugin_ip_failedlogins"},
		"Failed login attempts from somewhere":                      nil, // no IP in the question
		"What happened to incident 1001?":                           nil,
	}
	for question, want := range cases {
		q := Request{Question: question}
		q.Resolve()
		got := matchSkills(q, readIntent(question, now), skills)
		var names []string
		for _, p := range got {
			names = append(names, p.skill.Tool)
		}
		if len(names) != len(want) || len(want) > 0 && names[0] != want[0] {
			t.Errorf("%q: %v, want %v", question, names, want)
		}
	}
	q := Request{Question: "Any advanced threat protection events in the last 3 days?"}
	got := matchSkills(q, readIntent(q.Question, now), skills)
	if got[0].args["unit"] != "3" || got[0].args["hourorday"] != "d" {
		t.Errorf("window not passed: %v", got[0].args)
	}
}
