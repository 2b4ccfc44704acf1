package psdeob

import (
	"fmt"
	"strings"
)

var techPlain = map[string]string{
	"T1059.001": "runs PowerShell code it builds at run time",
	"T1059.003": "goes through cmd.exe",
	"T1105":     "downloads content from the internet",
	"T1620":     "loads a .NET assembly straight from memory",
	"T1562.001": "tries to switch off AMSI or Defender scanning",
	"T1562.002": "tries to switch off PowerShell logging",
	"T1547.001": "writes a Run key or Startup-folder entry so it survives a reboot",
	"T1053.005": "creates a scheduled task",
	"T1543.003": "creates a Windows service",
	"T1546.003": "registers a WMI event subscription",
	"T1003.001": "goes after LSASS memory",
	"T1003":     "dumps credentials",
	"T1055":     "injects code into another process",
	"T1106":     "calls Win32 APIs directly (memory allocation, threads or function pointers)",
	"T1564.003": "asks for a hidden window",
	"T1095":     "opens a raw network socket",
	"T1071.001": "talks HTTP with a custom user agent",
	"T1047":     "uses WMI",
	"T1112":     "modifies the registry",
	"T1218.005": "uses mshta.exe to start the next stage",
}

// explain writes the step-by-step walk-through.
func explain(a *Analysis) string {
	var b strings.Builder
	in := a.Layers[0]
	fmt.Fprintf(&b, "1. The input is %d line(s), %d characters.", strings.Count(in.Text, "\n")+1, len(in.Text))
	if len(a.Layers) == 1 {
		b.WriteString(" No encoded or generated code was found inside it, so it was analysed as written.\n")
	} else {
		fmt.Fprintf(&b, " It hides %d further layer(s) of code, peeled statically without running anything:\n", len(a.Layers)-1)
	}
	step := 2
	for _, l := range a.Layers[1:] {
		fmt.Fprintf(&b, "%d. Layer %d comes from layer %d, line %d: %s. It is %d line(s) long", step, l.Index, l.Parent, l.ParentLine, describeSteps(l.Steps), strings.Count(l.Text, "\n")+1)
		if l.Index == a.FinalLayer {
			b.WriteString(" and is the innermost code")
		}
		b.WriteString(".\n")
		step++
	}
	if len(a.Obfuscation) > 0 {
		fmt.Fprintf(&b, "%d. Obfuscation seen: %s.\n", step, strings.Join(a.Obfuscation, ", "))
		step++
	}
	for _, t := range a.Techniques {
		plain, ok := techPlain[t.ID]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "%d. Layer %d, line %d %s (%s %s): %q\n", step, t.Layer, t.Line, plain, t.ID, t.Name, t.Evidence)
		step++
	}
	var net []string
	for _, i := range a.Indicators {
		if (i.Type == "url" || i.Type == "ip") && len(net) < 10 {
			net = append(net, fmt.Sprintf("%s (layer %d, line %d)", i.Defanged, i.Layer, i.Line))
		}
	}
	if len(net) > 0 {
		fmt.Fprintf(&b, "%d. Network indicators: %s.\n", step, strings.Join(net, "; "))
		step++
	}
	fmt.Fprintf(&b, "%d. Verdict: %s, because %s.", step, a.Verdict, strings.Join(a.Reasons, "; "))
	if a.Incomplete != "" {
		fmt.Fprintf(&b, " Note: the analysis stopped early (%s).", a.Incomplete)
	}
	return b.String()
}

func describeSteps(steps []string) string {
	if len(steps) == 0 {
		return "decoded"
	}
	var parts []string
	for _, s := range steps {
		parts = append(parts, stepPlain(s))
	}
	return strings.Join(parts, ", then ")
}

func stepPlain(s string) string {
	switch {
	case s == "base64 decode":
		return "a Base64 string is decoded"
	case s == "gzip decompress":
		return "the bytes are GZip-decompressed"
	case s == "raw deflate decompress":
		return "the bytes are Deflate-decompressed"
	case strings.HasPrefix(s, "-bxor"):
		return "each byte is XOR-ed with " + strings.TrimPrefix(s, "-bxor ")
	case s == "-join":
		return "characters or pieces are joined"
	case s == "-f format":
		return "a format string (-f) reorders the pieces"
	case s == "-replace" || s == ".Replace()":
		return "placeholder text is replaced"
	case s == "-split" || s == ".Split()":
		return "a string is split on delimiters"
	case s == "string reversal":
		return "the text is reversed"
	case s == "[char[]] cast":
		return "numbers are turned into characters"
	case s == "Invoke-Expression":
		return "the resulting string is handed to Invoke-Expression"
	}
	return s
}
