package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// SanitizeText removes characters that hide or reorder text — bidi
// overrides and isolates, zero-width and other format characters, and
// control characters other than tab and newline — so attacker-controlled
// strings (command lines, subjects, file names) cannot smuggle instructions
// or disguise themselves in a client's display.
func SanitizeText(s string) string {
	clean := true
	for _, r := range s {
		if dropRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !dropRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func dropRune(r rune) bool {
	if r == '\n' || r == '\t' || r == '\r' {
		return false
	}
	if r == unicode.ReplacementChar {
		return false
	}
	return unicode.Is(unicode.Cf, r) || unicode.IsControl(r) || (r >= 0xE000 && r <= 0xF8FF) || (r >= 0xE0000 && r <= 0xE007F)
}

// SanitizeJSON applies SanitizeText to every string (keys and values) of a JSON document.
func SanitizeJSON(b []byte) ([]byte, error) {
	if !needsSanitizing(string(b)) {
		return b, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("sanitize result: %w", err)
	}
	out, err := json.Marshal(walkSanitize(v))
	if err != nil {
		return nil, fmt.Errorf("sanitize result: %w", err)
	}
	return out, nil
}

func needsSanitizing(s string) bool {
	// JSON encoding escapes control characters (\u00xx), which we must look
	// at too; format characters pass through encoding/json literally.
	if strings.Contains(s, `\u00`) || strings.Contains(s, `\u2028`) || strings.Contains(s, `\u2029`) {
		return true
	}
	for _, r := range s {
		if dropRune(r) {
			return true
		}
	}
	return false
}

func walkSanitize(v any) any {
	switch x := v.(type) {
	case string:
		return SanitizeText(x)
	case []any:
		for i := range x {
			x[i] = walkSanitize(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[SanitizeText(k)] = walkSanitize(val)
		}
		return out
	}
	return v
}
