package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeText makes attacker-controlled text (command lines, subjects, file
// names, titles) neutral for a model or a client to read: it removes every
// character that is invisible, reorders text or carries hidden data, and
// turns exotic spaces into plain ones. The rule is written from Unicode's
// categories and properties, not from a list of examples:
//
//   - Cc control characters, except tab, newline and carriage return;
//   - Cf format characters: bidi embeddings, overrides, isolates and marks,
//     zero-width space and joiners, word joiner, invisible operators, BOM,
//     soft hyphen, interlinear annotations, the tag characters
//     U+E0001–E007F ("ASCII smuggling") and every other format character;
//   - Zl and Zp, the line and paragraph separators U+2028 and U+2029;
//   - Co private use, in the BMP and in planes 15 and 16;
//   - Cs surrogates (they cannot occur in valid UTF-8; invalid bytes decode
//     to U+FFFD, which is kept so a reader sees something was there);
//   - the Variation_Selector property (U+FE00–FE0F, U+E0100–E01EF, the
//     Mongolian free variation selectors);
//   - the Other_Default_Ignorable_Code_Point property: U+034F combining
//     grapheme joiner, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0,
//     the Khmer inherent vowels and the reserved ignorable ranges;
//   - noncharacters (U+FDD0–FDEF and the last two code points of each plane);
//   - U+2800 BRAILLE PATTERN BLANK, a symbol (So) that renders as nothing and
//     is used as invisible filler.
//
// Zs space separators other than U+0020 (no-break, en/em, thin, ideographic
// spaces, …) become U+0020, so a lookalike space cannot join or split a word.
//
// Decided exception: U+200D ZERO WIDTH JOINER and U+200C ZERO WIDTH
// NON-JOINER are kept, once, when both neighbours are non-ASCII letters,
// marks or symbols — emoji sequences (👩‍💻) and the scripts whose spelling
// needs them (Persian, the Indic scripts) stay intact — and removed
// everywhere else, so they cannot split an ASCII keyword such as
// "power\u200dshell". Unassigned code points are kept: Go's tables may be
// older than the text's Unicode version.
func SanitizeText(s string) string {
	if !needsChange(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune = -1 // the last rune written, -1 at the start
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case isJoiner(r):
			if joinerKept(prev, s[i:]) {
				b.WriteRune(r)
				prev = r
			}
		case dropRune(r):
		case r != ' ' && unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
			prev = ' '
		default:
			b.WriteRune(r)
			prev = r
		}
	}
	return b.String()
}

// needsChange reports whether SanitizeText would change s.
func needsChange(s string) bool {
	if !utf8.ValidString(s) {
		return true // invalid bytes become U+FFFD
	}
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			continue
		}
		if changedRune(r) {
			return true
		}
	}
	return false
}

// changedRune reports whether SanitizeText may change r: drop it, decide
// it in context (a joiner), or turn it into a plain space.
func changedRune(r rune) bool {
	return dropRune(r) || isJoiner(r) || (r != ' ' && unicode.Is(unicode.Zs, r))
}

// hidden are the categories and properties whose characters are removed.
var hidden = []*unicode.RangeTable{
	unicode.Cf, unicode.Co, unicode.Cs, unicode.Zl, unicode.Zp,
	unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point,
}

// dropRune reports whether r is removed (joiners are decided in context).
func dropRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t' || r == '\r':
		return false
	case r < 0x80:
		return r < 0x20 || r == 0x7F
	case unicode.IsControl(r), r == 0x2800, isNoncharacter(r):
		return true
	}
	return unicode.In(r, hidden...)
}

// isNoncharacter reports the 66 noncharacters of Unicode (chapter 23.7).
func isNoncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || (r&0xFFFE == 0xFFFE && r <= unicode.MaxRune)
}

func isJoiner(r rune) bool { return r == 0x200C || r == 0x200D }

// joinerKept decides a ZWJ/ZWNJ: kept when the rune written before it and
// the next rune that survives are both non-ASCII letters, marks or symbols
// (runs of joiners keep only the last one).
func joinerKept(prev rune, rest string) bool {
	if !joinable(prev) {
		return false
	}
	for rest != "" {
		r, n := utf8.DecodeRuneInString(rest)
		rest = rest[n:]
		if dropRune(r) {
			continue
		}
		return joinable(r)
	}
	return false
}

func joinable(r rune) bool {
	return r >= 0x80 && !isJoiner(r) && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.So, r))
}

// SanitizeJSON applies SanitizeText to every string (keys and values) of a
// JSON document, as encoding/json wrote it. It rewrites only the strings
// that change, in one pass over the bytes, and copies everything else as it
// is: the HTML escapes the encoder writes (\u003c, \u003e, \u0026) no longer
// make it decode and re-encode the whole result (issue 16). A string it
// rewrites is encoded as encoding/json encodes a string. Only when an
// object key changes (two keys could then merge) does it decode the
// document and encode it again.
func SanitizeJSON(b []byte) ([]byte, error) {
	if untouchedJSON(b) {
		return b, nil
	}
	var out []byte // nil until the first string that changes
	done := 0      // b[:done] is in out (once out is not nil)
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		end, err := stringEnd(b, i)
		if err != nil {
			return nil, fmt.Errorf("sanitize result: %w", err)
		}
		lit := b[i:end]
		i = end - 1
		if !stringNeedsSanitizing(lit) {
			continue
		}
		var v string
		if err := json.Unmarshal(lit, &v); err != nil {
			return nil, fmt.Errorf("sanitize result: %w", err)
		}
		clean := SanitizeText(v)
		if clean == v {
			continue
		}
		if isKey(b, end) {
			return sanitizeDecoded(b)
		}
		enc, err := json.Marshal(clean)
		if err != nil {
			return nil, fmt.Errorf("sanitize result: %w", err)
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(append(out, b[done:end-len(lit)]...), enc...)
		done = end
	}
	if out == nil {
		return b, nil
	}
	return append(out, b[done:]...), nil
}

// untouchedJSON reports, in one pass over the bytes, that SanitizeText
// would change no string of b: no control byte but JSON's whitespace, no
// escape that may stand for one (\b, \f, a \u other than the encoder's
// HTML escapes), and valid UTF-8 whose every non-ASCII rune SanitizeText
// keeps as it is. Most results are printable ASCII and pass at once; the
// check used to take up to four scans of the bytes for the rest.
func untouchedJSON(b []byte) bool {
	for i := 0; i < len(b); {
		switch c := b[i]; {
		case c == '\\':
			if i+1 < len(b) && escapesControl(b[i+1:]) {
				return false
			}
			i += 2
		case c >= 0x20 && c < 0x7F, c == '\t', c == '\n', c == '\r':
			i++
		case c < 0x80:
			return false // another control byte
		default:
			r, n := utf8.DecodeRune(b[i:])
			if (r == utf8.RuneError && n <= 1) || changedRune(r) {
				return false
			}
			i += n
		}
	}
	return true
}

// stringEnd returns the index just past the JSON string that starts at
// b[start] (a quote).
func stringEnd(b []byte, start int) (int, error) {
	for j := start + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at offset %d", start)
}

// stringNeedsSanitizing reports whether a JSON string literal may hold text
// SanitizeText changes: non-ASCII or control bytes, or a \u escape other
// than the encoder's HTML escapes.
func stringNeedsSanitizing(lit []byte) bool {
	for j := 0; j < len(lit); j++ {
		c := lit[j]
		switch {
		case c >= 0x80 || c < 0x20 || c == 0x7F:
			return true
		case c == '\\' && j+1 < len(lit):
			j++
			if escapesControl(lit[j:]) {
				return true
			}
		}
	}
	return false
}

// escapesControl reports whether the escape whose letter starts esc (the
// byte after a backslash) may stand for text SanitizeText changes: \b and
// \f (backspace and form feed, which Go's encoder writes so since 1.22),
// or a \u escape other than the encoder's HTML escapes.
func escapesControl(esc []byte) bool {
	switch esc[0] {
	case 'b', 'f':
		return true
	case 'u':
		return !isHTMLEscape(esc[1:])
	}
	return false
}

// isHTMLEscape reports whether hex (after a \u) is 003c, 003e or 0026.
func isHTMLEscape(hex []byte) bool {
	if len(hex) < 4 {
		return false
	}
	if hex[0] != '0' || hex[1] != '0' {
		return false
	}
	lo := hex[3] | 0x20 // lower case; digits are unchanged
	return (hex[2] == '3' && (lo == 'c' || lo == 'e')) || (hex[2] == '2' && lo == '6')
}

// isKey reports whether the string ending at b[end] is an object key (the
// next non-space byte is a colon).
func isKey(b []byte, end int) bool {
	for ; end < len(b); end++ {
		switch b[end] {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b[end] == ':'
	}
	return false
}

// sanitizeDecoded is the slow path: decode, sanitize every key and value,
// encode again (keys whose cleaned forms collide merge).
func sanitizeDecoded(b []byte) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
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
