package scripts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// KindScripts is the resource kind of stored analyses:
// secmcp://{tenant}/scripts/{sha256}.
const KindScripts = "scripts"

// AnalyzeParams name the script: pasted text, or an alert whose process
// evidence carries the command line.
type AnalyzeParams struct {
	Script      string `json:"script,omitempty" maxLength:"1048576" jsonschema:"PowerShell script or command line (at most 1 MiB); never run."`
	FromAlertID string `json:"fromAlertId,omitempty" maxLength:"128" jsonschema:"Analyse this alert's process command lines instead of script."`
}

// Validate checks that exactly one input is given and the script fits.
func (p *AnalyzeParams) Validate() error {
	hasScript, hasAlert := strings.TrimSpace(p.Script) != "", strings.TrimSpace(p.FromAlertID) != ""
	switch {
	case hasScript && hasAlert:
		return errors.New("give either script or fromAlertId, not both")
	case !hasScript && !hasAlert:
		return errors.New("give the script text in script, or an alert ID in fromAlertId")
	case len(p.Script) > MaxScriptBytes:
		return fmt.Errorf("script is %d bytes; the limit is %d bytes (1 MiB)", len(p.Script), MaxScriptBytes)
	}
	return nil
}

func (ts *toolset) analyzeTool() tools.Spec {
	return tools.New(tools.ToolsetScripts, "scripts_analyze",
		"Take a PowerShell script or command line apart statically (never run, nothing fetched): peels encoding layers (-EncodedCommand, Base64, Deflate/GZip, XOR, char arrays, string tricks, computed iex) and returns each layer, indicators (URLs, domains, IPs, paths, registry keys, hashes; defanged), ATT&CK techniques with the evidence line, a verdict with a walk-through, and validated hunting queries. fromAlertId analyses an alert's process command line. The full analysis stays readable at the returned uri.",
		ts.analyze, tools.WithCost(2), tools.WithTimeout(45*time.Second), tools.WithTitle("Analyse a PowerShell script"))
}

func (ts *toolset) analyze(ctx context.Context, call tools.Call, p AnalyzeParams) (AnalyzeResult, error) {
	script, alert, err := ts.input(ctx, call, p)
	if err != nil {
		return AnalyzeResult{}, err
	}
	a, err := ts.run(ctx, script)
	if err != nil {
		return AnalyzeResult{}, err
	}
	sum := sha256.Sum256([]byte(script))
	full := fromAnalysis(a)
	full.Tenant, full.SHA256, full.Alert = call.Tenant.Alias, hex.EncodeToString(sum[:]), alert
	full.HuntingQueries = huntingQueries(a, ts.checker())
	full.URI = resources.URI(call.Tenant.Alias, KindScripts, full.SHA256)
	full.Sources = []resources.Ref{{URI: full.URI}}
	if alert != nil {
		full.Sources = append(full.Sources, resources.Ref{URI: alert.URI, Portal: resources.AlertPortal(call.Tenant.ID, alert.ID)})
	}
	doc, err := json.Marshal(full)
	if err != nil {
		return AnalyzeResult{}, fmt.Errorf("scripts_analyze: encode analysis: %w", err)
	}
	if !ts.store.Put(call.Tenant.Scope(ctx), full.SHA256, doc) {
		// Too large to keep: cite nothing that cannot be read.
		full.URI, full.Sources = "", full.Sources[1:]
	}
	return full.trim(), nil
}

// run analyses script in one of the bounded slots, under the tool's deadline.
func (ts *toolset) run(ctx context.Context, script string) (*psdeob.Analysis, error) {
	select {
	case ts.slots <- struct{}{}:
		defer func() { <-ts.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("scripts_analyze: waiting for a free analysis slot: %w", ctx.Err())
	}
	ctx, cancel := context.WithTimeout(ctx, ts.timeout)
	defer cancel()
	a, err := psdeob.Analyze(ctx, script, psdeob.Options{MaxInputBytes: MaxScriptBytes, Timeout: ts.timeout, Limits: ts.limits})
	switch {
	case errors.Is(err, psdeob.ErrInputTooLarge):
		return nil, tools.Errorf("script is larger than %d bytes; pass a smaller excerpt", MaxScriptBytes)
	case err != nil:
		return nil, fmt.Errorf("scripts_analyze: %w", err)
	}
	return a, nil
}

// maxAlertLines bounds how many command lines of one alert are analysed.
const maxAlertLines = 16

var psLike = lazyre.New(`(?i)\b(?:powershell|pwsh)(?:_ise)?(?:\.exe)?\b|-e(?:nc|ncodedcommand)?\s+[A-Za-z0-9+/=]{16,}|\biex\b|invoke-expression`)

// input returns the script to analyse. For fromAlertId it is the process
// command lines of the alert's evidence — the PowerShell-looking ones when
// there are any — one per line, read through the call's own tenant.
func (ts *toolset) input(ctx context.Context, call tools.Call, p AnalyzeParams) (string, *AlertInput, error) {
	if p.FromAlertID == "" {
		return p.Script, nil, nil
	}
	id := strings.TrimSpace(p.FromAlertID)
	g, err := call.Graph(ctx)
	if err != nil {
		return "", nil, err
	}
	al, err := g.GetAlert(ctx, id)
	if err != nil {
		return "", nil, tools.FromSource(err, "alert", id, call.Tenant.Alias)
	}
	var all, ps []source.Evidence
	seen := map[string]bool{}
	for _, e := range al.Evidence {
		cl := strings.TrimSpace(e.ProcessCommandLine)
		if e.Kind != "processEvidence" || cl == "" || seen[cl] {
			continue
		}
		seen[cl] = true
		all = append(all, e)
		if psLike.MatchString(cl) {
			ps = append(ps, e)
		}
	}
	if len(ps) > 0 {
		all = ps
	}
	if len(all) == 0 {
		return "", nil, tools.Errorf("alert %q has no process evidence with a command line; paste the script into script instead", id)
	}
	in := &AlertInput{ID: al.ID, Title: al.Title, URI: resources.URI(call.Tenant.Alias, resources.KindAlert, al.ID), Lines: []EvidenceInput{}}
	var b strings.Builder
	line := 1
	for _, e := range all[:min(len(all), maxAlertLines)] {
		cl := strings.TrimSpace(e.ProcessCommandLine)
		if b.Len()+len(cl) >= MaxScriptBytes {
			break
		}
		b.WriteString(cl + "\n")
		in.Lines = append(in.Lines, EvidenceInput{Line: line, DeviceName: e.DeviceName, ProcessID: e.ProcessID, FileName: e.FileName})
		line += strings.Count(cl, "\n") + 1
	}
	return strings.TrimSuffix(b.String(), "\n"), in, nil
}
