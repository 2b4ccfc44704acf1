// Package text renders values into the prose and Markdown that tools write
// for a reader: quoted names and paths as they are (never JSON- or
// Go-escaped, so C:\Users stays C:\Users), whole numbers with thousands
// separators, byte sizes in binary units, counted nouns with the right plural
// and the indefinite article a word needs.
//
// Tools use it instead of fmt's %q (which escapes backslashes and quotes
// Go-style) and instead of "(s)" plurals, so every tool says these things
// the same way.
package text

import (
	"strconv"
	"strings"
)

// Quote puts s in double quotes as it is: backslashes and inner quotes are
// not escaped (a Windows path reads C:\Users\x, not C:\\Users\\x), and line
// breaks become spaces so a value cannot break the line it is quoted in.
func Quote(s string) string {
	return `"` + oneLine(s) + `"`
}

// oneLine replaces line breaks and tabs with spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}

// Int renders n with comma thousands separators: 1877 → "1,877".
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Bytes renders a byte count in binary (IEC) units, the way Windows and
// Defender show sizes: 512 → "512 bytes", 1536 → "1.5 KiB",
// 734003200 → "700 MiB". Below 100 units one decimal is kept (when it is
// not zero); from 100 units on the value is rounded to a whole number.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + Bytes(-n)
	}
	if n < 1024 {
		return Count(n, "byte")
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	prec := 1
	if v >= 100 {
		prec = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "1024" && u < len(units)-1 { // 1023.96 KiB rounds up to the next unit
		s, u = "1", u+1
	}
	return s + " " + units[u]
}

// Count renders n followed by noun in the number it needs: Count(1, "alert")
// is "1 alert", Count(1877, "instance") is "1,877 instances".
func Count(n int64, noun string) string {
	if n == 1 || n == -1 {
		return Int(n) + " " + noun
	}
	return Int(n) + " " + Plural(noun)
}

// Verb picks the verb form that agrees with a count: singular for 1,
// plural otherwise ("1 table matches", "3 tables match").
func Verb(n int64, singular, plural string) string {
	if n == 1 || n == -1 {
		return singular
	}
	return plural
}

// irregular holds the plurals the suffix rules below get wrong.
var irregular = map[string]string{
	"person": "people", "child": "children", "man": "men", "woman": "women",
	"analysis": "analyses", "index": "indexes", "criterion": "criteria",
	"status": "statuses", "alias": "aliases", "data": "data", "info": "info",
}

// Plural returns the plural of an English noun or of the last word of a
// noun phrase ("risky sign-in" → "risky sign-ins", "IP address" → "IP
// addresses", "policy" → "policies").
func Plural(noun string) string {
	head, last := "", noun
	if i := strings.LastIndexAny(noun, " -"); i >= 0 && !strings.HasSuffix(noun, "-in") {
		head, last = noun[:i+1], noun[i+1:]
	} else if strings.HasSuffix(noun, "-in") {
		return noun + "s"
	}
	if last == "" {
		return noun
	}
	lower := strings.ToLower(last)
	if p, ok := irregular[lower]; ok {
		return head + matchCase(last, p)
	}
	if strings.ToUpper(last) == last && len(last) > 1 { // an acronym: URLs, IPs, SHAs
		return head + last + "s"
	}
	switch {
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"), strings.HasSuffix(lower, "z"),
		strings.HasSuffix(lower, "ch"), strings.HasSuffix(lower, "sh"):
		return head + last + "es"
	case strings.HasSuffix(lower, "y") && len(lower) > 1 && !strings.ContainsRune("aeiou", rune(lower[len(lower)-2])):
		return head + last[:len(last)-1] + "ies"
	}
	return head + last + "s"
}

func matchCase(model, s string) string {
	if model != "" && model[0] >= 'A' && model[0] <= 'Z' {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// vowelLetters are the letters whose names start with a vowel sound (an
// FBI, an SMB share, an MFA prompt).
const vowelLetters = "AEFHILMNORSX"

// consonantSoundWords start with a vowel letter but a consonant sound.
var consonantSoundWords = []string{"one", "once", "uni", "use", "usu", "uti", "eu", "ewe", "ubi", "ura", "ure", "uri"}

// vowelSoundWords start with a consonant letter but a vowel sound.
var vowelSoundWords = []string{"hour", "honest", "honor", "honour", "heir"}

// Article returns "a" or "an" for the word or phrase that follows it:
// "an Execution alert", "a Persistence alert", "an SMB share", "a USB drive",
// "an hour", "a user".
func Article(phrase string) string {
	w := strings.TrimLeft(phrase, " \"'“(")
	if w == "" {
		return "a"
	}
	word := w
	if i := strings.IndexAny(w, " -,.:;)"); i > 0 {
		word = w[:i]
	}
	lower := strings.ToLower(word)
	if isAcronym(word) {
		if strings.ContainsRune(vowelLetters, rune(word[0])) {
			return "an"
		}
		return "a"
	}
	if c := lower[0]; c >= '0' && c <= '9' {
		// Numbers: "an 8", "an 11", "an 18", "an 80", "a 1".
		if c == '8' || strings.HasPrefix(lower, "11") || strings.HasPrefix(lower, "18") && (len(lower) == 2 || len(lower) == 5) {
			return "an"
		}
		return "a"
	}
	for _, p := range vowelSoundWords {
		if strings.HasPrefix(lower, p) {
			return "an"
		}
	}
	for _, p := range consonantSoundWords {
		if strings.HasPrefix(lower, p) {
			return "a"
		}
	}
	if strings.ContainsRune("aeiou", rune(lower[0])) {
		return "an"
	}
	return "a"
}

// WithArticle is phrase preceded by its indefinite article.
func WithArticle(phrase string) string { return Article(phrase) + " " + phrase }

// isAcronym reports whether word is read letter by letter: two or more
// capitals and no lower-case letter but a plural s (SMB, USB, MFA, URLs),
// unlike a capitalised word (Execution). A pronounceable word written in
// capitals cannot be told apart, so capitals are read as letters.
func isAcronym(word string) bool {
	if len(word) < 2 {
		return false
	}
	upper := 0
	for _, r := range word {
		switch {
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= 'a' && r <= 'z':
			if r != 's' { // plural acronyms: URLs, IPs
				return false
			}
		}
	}
	return upper >= 2
}
