package integration

import (
	"regexp"
	"strings"
	"testing"
)

// escapedPath is a Windows path written with JSON/Go escaping (C:\\Users).
var escapedPath = regexp.MustCompile(`[A-Za-z]:\\\\`)

// TestTextRendering: paths, numbers, byte sizes, articles and plurals read
// as prose in the answers of the tools that write them (issue 11, item 4).
func TestTextRendering(t *testing.T) {
	x := h(t)
	const dlp = "dl917381286084665460_-202198457"
	cases := []struct {
		tool      string
		args      map[string]any
		want, not []string
	}{
		{"purview_explain_dlp_alert", map[string]any{"id": dlp},
			[]string{`in "C:\Users\sabbott\Documents"`, "1,877 instances", "214 instances"}, []string{"instance(s)"}},
		{"purview_summarize_investigation", map[string]any{"user": "samuel.abbott@contoso.com", "since": "30d"},
			[]string{"700 MiB sent", "1 DLP alert,", "1 exfiltration path,", "evidence: DLP alert " + dlp + "; query result Q3"},
			[]string{"bytes sent", "734003200", "alert(s)", "event(s)", "row(s)"}},
		{"defender_explain_alert", map[string]any{"id": "da891100237750784461_-517736003"},
			[]string{"As an Execution alert"}, []string{"As a Execution"}},
		{"defender_explain_alert", map[string]any{"id": "da648579195690325979_-329480210"},
			[]string{"As a Credential Access alert"}, []string{"CredentialAccess alert"}},
	}
	for _, c := range cases {
		text := prose(x.mustCall(t, "contoso", c.tool, c.args, nil))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: text lacks %q", c.tool, w)
			}
		}
		for _, n := range append(c.not, `:\\`) {
			if strings.Contains(text, n) {
				t.Errorf("%s: text contains %q", c.tool, n)
			}
		}
		if m := escapedPath.FindString(text); m != "" {
			t.Errorf("%s: escaped path %q in text", c.tool, m)
		}
	}
}

// prose is text without its fenced code blocks (KQL may escape backslashes).
func prose(text string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in = !in
			continue
		}
		if !in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
