package psdeob

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func xorBase64(s string, key byte) string {
	b := []byte(s)
	for i := range b {
		b[i] ^= key
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestCountedLoops(t *testing.T) {
	inner := "Write-Output 'https://intranet.contoso.example/ok'"
	shifted := make([]string, 0, len(inner))
	for _, r := range inner {
		shifted = append(shifted, string(r+1))
	}
	cases := []struct{ name, src, want string }{
		{"for xor over bytes", "$b=[Convert]::FromBase64String('" + xorBase64(inner, 7) + "')\n" +
			"for ($i = 0; $i -lt $b.Count; $i++) {\n  ${B}[${I}] = $b[$i] -bxor 7\n}\niex ([Text.Encoding]::ASCII.GetString($b))", inner},
		{"while builds a string", "$c='" + strings.Join(shifted, "") + "'; $s=''; $i=0\n" +
			"while ($i -lt $c.Length) { $s += [char]([int]$c[$i] - 1); $i++ }\niex $s", inner},
		{"do until", "$n=0; do { $n += 2 } until ($n -ge 6)\niex ('Write-Output ' + $n)", "Write-Output 6"},
		{"break", "for ($i = 0; ; $i++) { if ($i -eq 3) { break } }\niex ('Write-Output ' + $i)", "Write-Output 3"},
		{"continue", "$s=''; foreach ($k in 1..4) { $s += $k }; for ($i=0; $i -lt 4; $i++) { if ($i % 2) { continue }; $s += 'x' }\niex ('Write-Output ' + $s)", "Write-Output 1234xx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := analyze(t, c.src)
			if got := a.Layers[a.FinalLayer].Text; got != c.want {
				t.Fatalf("final layer = %q, want %q", got, c.want)
			}
			for _, i := range a.Indicators {
				if i.Type == "url" && i.Value != "https://intranet.contoso.example/ok" {
					t.Errorf("partial or wrong URL %q", i.Value)
				}
			}
		})
	}
}

func TestEndlessLoopIsBounded(t *testing.T) {
	src := "$x=0; while ($true) { $x++; Start-Sleep 5 }\n" +
		"$y=0; for (;;) { $y += 1 }\n" +
		"iex ('Write-Output ' + 'done')"
	start := time.Now()
	a := analyze(t, src)
	if got := a.Layers[a.FinalLayer].Text; got != "Write-Output done" {
		t.Errorf("code after endless loops not analysed: %q", got)
	}
	if a.Incomplete != "" {
		t.Errorf("incomplete: %s", a.Incomplete)
	}
	t.Logf("two endless loops took %s", time.Since(start))
}

func TestUncertainBreakLeavesValuesUnknown(t *testing.T) {
	// The break depends on something unknown: the loop's result must not be
	// reported as if it were computed.
	src := "$s=''; for ($i=0; $i -lt 5; $i++) { $s += 'a'; if ($env:NOPE_UNKNOWN -eq $i) { break } }\n" +
		"iex ('Write-Output ' + $s)"
	a := analyze(t, src)
	for _, l := range a.Layers {
		if strings.HasPrefix(l.Text, "Write-Output a") {
			t.Errorf("layer from a loop with an uncertain break: %q", l.Text)
		}
	}
}
