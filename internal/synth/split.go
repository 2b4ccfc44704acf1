package synth

import "strings"

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{"e.g": true, "i.e": true, "etc": true, "vs": true, "approx": true, "no": true,
	"fig": true, "mr": true, "ms": true, "dr": true, "inc": true, "ltd": true, "corp": true, "st": true}

// splitSentences splits a line of prose into sentences. A sentence ends at
// '.', '!' or '?' followed by a space and an upper-case letter or Markdown
// emphasis, outside `code` and "quotes" (titles and command lines are
// quoted); citation groups right after the stop ("… alerts. [E1] Next")
// stay with the sentence they follow. Abbreviations (U.S., e.g.) do not end
// sentences.
func splitSentences(s string) []string {
	var out []string
	start := 0
	inCode, inQuote := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '`':
			inCode = !inCode
		case '"':
			if !inCode {
				inQuote = !inQuote
			}
		case '.', '!', '?':
			if inCode || inQuote || (c == '.' && abbreviated(s[start:i])) {
				continue
			}
			end, next := boundary(s, i+1)
			if next < 0 {
				continue
			}
			out = append(out, strings.TrimSpace(s[start:end]))
			start, i = next, next-1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// boundary decides whether a stop before position j ends a sentence. It
// returns where the sentence ends (after any citation groups that follow)
// and where the next begins, or next = -1.
func boundary(s string, j int) (end, next int) {
	end = j
	k := skipSpaces(s, j)
	if k == j || k >= len(s) {
		return 0, -1
	}
	for k < len(s) && s[k] == '[' {
		loc := citeGroupRe.FindStringIndex(s[k:])
		if loc == nil || loc[0] != 0 {
			break
		}
		end = k + loc[1]
		k = skipSpaces(s, end)
	}
	if k >= len(s) {
		return 0, -1
	}
	if c := s[k]; (c >= 'A' && c <= 'Z') || c == '*' || c == '_' {
		return end, k
	}
	return 0, -1
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// abbreviated reports whether the text before a period ends with an
// abbreviation or a single letter (initials, U.S.).
func abbreviated(before string) bool {
	i := len(before)
	for i > 0 && (isLetter(before[i-1]) || before[i-1] == '.') {
		i--
	}
	w := strings.ToLower(before[i:])
	if abbreviations[w] {
		return true
	}
	if j := strings.LastIndexByte(w, '.'); j >= 0 {
		w = w[j+1:]
	}
	return len(w) == 1
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }
