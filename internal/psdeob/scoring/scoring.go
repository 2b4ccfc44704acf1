// Package scoring measures the PowerShell deobfuscator against the shared
// corpus following its README's rules: indicator recall (micro and macro),
// precision where the truth is complete (pdb-, pddemo-, ctf5-), full
// recovery of the final layer, crashes, hangs, determinism and latency.
package scoring

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sample is one corpus entry with its texts loaded.
type Sample struct {
	ID       string
	Source   string // id prefix: pdb, pddemo, ctf5, pp
	Script   string
	Original string // "" when there is none
	HasOrig  bool
	Expected []string
	Strings  []string
}

type manifestLine struct {
	ID                 string   `json:"id"`
	ObfuscatedFile     string   `json:"obfuscated_file"`
	OriginalFile       *string  `json:"original_file"`
	ExpectedIndicators []string `json:"expected_indicators"`
	ExpectedStrings    []string `json:"expected_strings"`
}

// LoadManifest reads manifest.jsonl and the sample texts under dir.
func LoadManifest(dir string) ([]Sample, error) {
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	defer f.Close()
	var out []Sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var m manifestLine
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("load manifest: %w", err)
		}
		b, err := os.ReadFile(filepath.Join(dir, m.ObfuscatedFile))
		if err != nil {
			return nil, fmt.Errorf("load sample %s: %w", m.ID, err)
		}
		s := Sample{ID: m.ID, Source: strings.SplitN(m.ID, "-", 2)[0], Script: string(b), Expected: m.ExpectedIndicators, Strings: m.ExpectedStrings}
		if m.OriginalFile != nil {
			ob, err := os.ReadFile(filepath.Join(dir, *m.OriginalFile))
			if err != nil {
				return nil, fmt.Errorf("load original %s: %w", m.ID, err)
			}
			s.Original, s.HasOrig = string(ob), true
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// NormIndicator normalises an indicator for matching: undo defanging,
// lower-case scheme and host, drop a trailing '/'.
func NormIndicator(v string) string {
	v = strings.TrimSpace(v)
	v = strings.NewReplacer("[.]", ".", "(.)", ".", "[://]", "://").Replace(v)
	low := strings.ToLower(v)
	if strings.HasPrefix(low, "hxxp") {
		v = "http" + v[4:]
		low = strings.ToLower(v)
	}
	if k := strings.Index(low, "://"); k >= 0 {
		rest := v[k+3:]
		h := len(rest)
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			h = i
		}
		v = low[:k+3] + strings.ToLower(rest[:h]) + rest[h:]
	} else {
		v = strings.ToLower(v)
	}
	return strings.TrimSuffix(v, "/")
}

// NormScript applies the corpus full-recovery normalisation: lower case,
// no backticks, '"' → '\”, whitespace collapsed, and no spaces around
// operators and punctuation.
func NormScript(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "`", ""))
	s = strings.ReplaceAll(s, "\"", "'")
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == 0xa0 || r == 0xfeff {
			space = true
			continue
		}
		if space && b.Len() > 0 && !isPunct(r) && !endsPunct(b.String()) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func isPunct(r rune) bool { return strings.ContainsRune("=+-*/%,;|&(){}[]<>!.:'", r) }

func endsPunct(s string) bool {
	if s == "" {
		return true
	}
	return isPunct(rune(s[len(s)-1]))
}

// Similarity is the Sørensen–Dice coefficient over character bigrams
// (a linear-time stand-in for an edit-distance ratio on long scripts).
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	counts := map[string]int{}
	for i := 0; i+1 < len(a); i++ {
		counts[a[i:i+2]]++
	}
	inter := 0
	for i := 0; i+1 < len(b); i++ {
		if counts[b[i:i+2]] > 0 {
			counts[b[i:i+2]]--
			inter++
		}
	}
	return 2 * float64(inter) / float64(len(a)-1+len(b)-1)
}
