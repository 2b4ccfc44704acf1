package integration

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/tools/scripts"
)

// storyWithEncodedCommand returns the contoso story whose alert carries an
// encoded PowerShell command line, and that alert's ID.
func storyWithEncodedCommand(t *testing.T, x *harness) (fixtures.Story, string) {
	t.Helper()
	for _, s := range fixtures.Stories("contoso") {
		if s.EncodedCommand == "" {
			continue
		}
		for _, id := range s.AlertIDs {
			text, err := x.read(t, "contoso", "secmcp://contoso/alerts/"+id)
			if err == nil && strings.Contains(text, s.EncodedCommand) {
				return s, id
			}
		}
	}
	t.Fatal("no contoso story alert carries an encoded PowerShell command")
	return fixtures.Story{}, ""
}

func TestScriptsAnalyzeStoryAlert(t *testing.T) {
	x := h(t)
	story, alertID := storyWithEncodedCommand(t, x)
	var r scripts.AnalyzeResult
	text := x.mustCall(t, "contoso", "scripts_analyze", map[string]any{"fromAlertId": alertID}, &r)

	if r.Layers[r.FinalLayer].Text != story.DecodedCommand {
		t.Errorf("final layer = %q, want the story's decoded command %q", r.Layers[r.FinalLayer].Text, story.DecodedCommand)
	}
	if r.Verdict != "malicious" {
		t.Errorf("verdict = %s (%v)", r.Verdict, r.Reasons)
	}
	var urls, domains []string
	for _, i := range r.Indicators {
		switch i.Type {
		case "url":
			urls = append(urls, i.Value)
		case "domain":
			domains = append(domains, i.Value)
		}
	}
	// The download URL is the one in the decoded cradle (story.URLs holds
	// the phishing link); its host must be one of the story's domains.
	foundURL := slices.ContainsFunc(urls, func(u string) bool {
		host, _, _ := strings.Cut(strings.TrimPrefix(u, "https://"), "/")
		return strings.Contains(story.DecodedCommand, "'"+u+"'") && slices.Contains(story.Domains, host)
	})
	foundDomain := slices.ContainsFunc(domains, func(d string) bool { return slices.Contains(story.Domains, d) })
	if !foundURL || !foundDomain {
		t.Fatalf("story URL/domain not found: urls %v domains %v; story %v %v", urls, domains, story.URLs, story.Domains)
	}
	for _, id := range []string{"T1059.001", "T1105", "T1027"} {
		if !slices.ContainsFunc(r.Techniques, func(x scripts.Technique) bool { return x.ID == id }) {
			t.Errorf("technique %s missing", id)
		}
	}
	if strings.Contains(text, "https://") || strings.Contains(text, "http://") {
		t.Errorf("text output holds a live URL:\n%s", text)
	}
	wantSources := []string{"secmcp://contoso/scripts/" + r.SHA256, "secmcp://contoso/alerts/" + alertID}
	if len(r.Sources) != 2 || r.Sources[0].URI != wantSources[0] || r.Sources[1].URI != wantSources[1] {
		t.Errorf("sources = %+v, want %v", r.Sources, wantSources)
	}
	if doc, err := x.read(t, "contoso", r.URI); err != nil || !strings.Contains(doc, story.EncodedCommand) {
		t.Errorf("analysis resource %s: %v", r.URI, err)
	}
	checkStoryHunting(t, x, story, r)

	// The alert belongs to contoso: asked in fabrikam it is not found there.
	if _, _, err := x.call(t, "fabrikam", "scripts_analyze", map[string]any{"fromAlertId": alertID}); err == nil || !strings.Contains(err.Error(), `tenant "fabrikam"`) {
		t.Errorf("fabrikam call = %v, want not found in fabrikam", err)
	}
}

// checkStoryHunting validates every hunting query and runs the network one
// through Advanced Hunting on the demo tenant: it must find the story device.
func checkStoryHunting(t *testing.T, x *harness, story fixtures.Story, r scripts.AnalyzeResult) {
	t.Helper()
	var network string
	for _, q := range r.HuntingQueries {
		if rep := kqlcheck.Default().Validate(q.Query); !rep.Valid || !rep.Safe || rep.Errors > 0 {
			t.Errorf("%s is not valid: %+v", q.Name, rep.Diagnostics)
		}
		if q.Table == "DeviceNetworkEvents" {
			network = q.Query
		}
	}
	if network == "" {
		t.Fatalf("no DeviceNetworkEvents query among %+v", r.HuntingQueries)
	}
	var res struct {
		Rows [][]any `json:"rows"`
	}
	x.mustCall(t, "contoso", "defender_run_hunting_query", map[string]any{"query": network, "top": 500}, &res)
	b, _ := json.Marshal(res.Rows)
	if len(res.Rows) == 0 || !strings.Contains(strings.ToLower(string(b)), strings.ToLower(story.Devices[0])) {
		t.Errorf("network hunting query found %d row(s), none on %s:\n%s", len(res.Rows), story.Devices[0], network)
	}
}
