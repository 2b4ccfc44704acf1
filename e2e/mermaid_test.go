//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/tools/defender"
	"github.com/secmcp/secmcp/tools/reports"
)

// renderMermaid renders src to SVG with script/render-mermaid (Debian's
// chromium driving mermaid-cli) and returns the SVG.
func renderMermaid(t *testing.T, name, src string) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, name+".mmd")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+".svg")
	cmd := exec.Command(filepath.Join(repoRoot(t), "script", "render-mermaid"), in, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render %s: %v\n%s\n--- diagram ---\n%s", name, err, b, src)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(svg)
}

// diagramLabels are the labels every rendered timeline must show: the
// section dates and the HH.MM periods (event text is word-wrapped into
// separate SVG text spans, so whole event labels are not searched for).
var (
	sectionRe = regexp.MustCompile(`(?m)^\s*section (\S+)`)
	periodRe  = regexp.MustCompile(`(?m)^\s*(\d{2}\.\d{2}) :`)
)

// TestReportMermaidRenders drafts reports for every multi-stage incident of
// both demo tenants through the binary, checks their Markdown, extracts the
// Mermaid blocks and renders each (distinct) block to SVG in a real
// browser, checking the SVG shows the diagram's dates and times.
func TestReportMermaidRenders(t *testing.T) {
	bin := binary(t, "")
	var ops []map[string]any
	type job struct{ alias, id, aud string }
	var jobs []job
	for _, alias := range fixtures.Aliases() {
		for _, st := range fixtures.Stories(alias) {
			for _, aud := range []string{reports.AudienceManagement, reports.AudienceTechnical, reports.AudienceRegulator} {
				jobs = append(jobs, job{alias, st.IncidentID, aud})
				ops = append(ops, map[string]any{"call": reports.DraftToolName,
					"args": map[string]any{"tenant": alias, "incidentId": st.IncidentID, "audience": aud}})
			}
		}
	}
	res := runClient(t, ops, "--cmd", bin, "--demo-clock", demoClock, "--log-level", "error")
	rendered := map[string]bool{}
	for i, j := range jobs {
		r := decodeCall(t, res[i])
		md := r.text()
		if r.IsError {
			t.Errorf("%s %s %s: tool error %s", j.alias, j.id, j.aud, md)
			continue
		}
		var sc struct {
			Mermaid string `json:"mermaid"`
		}
		if err := json.Unmarshal(r.StructuredContent, &sc); err != nil {
			t.Fatalf("%s %s: %v", j.alias, j.id, err)
		}
		if p := reports.CheckMarkdown(md); len(p) > 0 {
			t.Errorf("%s %s %s: Markdown problems %v", j.alias, j.id, j.aud, p)
		}
		blocks := reports.MermaidBlocks(md)
		if len(blocks) != 1 || blocks[0] != sc.Mermaid {
			t.Errorf("%s %s %s: want one Mermaid block equal to structured mermaid, got %d", j.alias, j.id, j.aud, len(blocks))
			continue
		}
		if rendered[blocks[0]] {
			continue // the audiences share the incident's timeline
		}
		rendered[blocks[0]] = true
		svg := renderMermaid(t, j.alias+"-"+j.id, blocks[0])
		checkSVG(t, j.alias+" "+j.id, blocks[0], svg)
	}
	if len(rendered) < 6 {
		t.Errorf("rendered %d distinct timelines, want one per multi-stage incident (6)", len(rendered))
	}
}

func checkSVG(t *testing.T, name, src, svg string) {
	t.Helper()
	if !strings.Contains(svg, "<svg") || strings.Contains(svg, "Syntax error") || strings.Contains(svg, "error-text\">") {
		t.Errorf("%s: SVG is missing or shows an error", name)
	}
	var labels []string
	for _, m := range sectionRe.FindAllStringSubmatch(src, -1) {
		labels = append(labels, m[1])
	}
	for _, m := range periodRe.FindAllStringSubmatch(src, -1) {
		labels = append(labels, m[1])
	}
	if len(labels) < 2 {
		t.Errorf("%s: diagram has no sections or periods:\n%s", name, src)
	}
	for _, l := range labels {
		if !strings.Contains(svg, ">"+l+"<") {
			t.Errorf("%s: SVG lacks the label %q", name, l)
		}
	}
}

// TestMermaidHostileLabels renders a timeline whose event titles carry
// everything that could break a Mermaid diagram or inject markup.
func TestMermaidHostileLabels(t *testing.T) {
	t0 := time.Date(2026, 11, 16, 5, 0, 0, 0, time.UTC)
	hostile := []string{
		"title: x; y # z", "line one\nsection evil\n05.00 : injected", "`rm -rf /`; %%{init: {'theme':'dark'}}%%",
		"<script>alert(1)</script> & <img src=x onerror=alert(2)>", "{{curly}} [square] \"quotes\" 'single'",
		"powershell -enc SQBFAFgA::: ;;; ### ```", "ünïcödé – 日本語 — emoji 🙂",
	}
	var events []defender.TimelineEvent
	for i, h := range hostile {
		events = append(events, defender.TimelineEvent{Time: t0.Add(time.Duration(i) * 7 * time.Minute), Kind: defender.EventAlert,
			Category: "Execution", Title: h, ID: "x"})
	}
	src := reports.TimelineDiagram("Hostile: title; # test\nsection x", events)
	svg := renderMermaid(t, "hostile", src)
	checkSVG(t, "hostile", src, svg)
	if n := len(sectionRe.FindAllString(src, -1)); n != 1 {
		t.Errorf("hostile titles changed the diagram's structure: %d sections\n%s", n, src)
	}
	if n := len(periodRe.FindAllString(src, -1)); n != len(hostile) {
		t.Errorf("hostile titles changed the diagram's structure: %d periods, want %d\n%s", n, len(hostile), src)
	}
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(svg, bad) {
			t.Errorf("hostile text %q reached the SVG as markup", bad)
		}
	}
}
