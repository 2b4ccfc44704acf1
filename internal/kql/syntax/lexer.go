package syntax

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind classifies a token.
type tokKind int

const (
	tkEOF      tokKind = iota
	tkIdent            // names and keywords, including hyphenated operator names
	tkString           // one string literal piece ('..', "..", @'..', h"..", ```..```)
	tkLong             // integer literal
	tkReal             // real literal
	tkTimespan         // 1d, 30m, 100ms ...
	tkPunct            // operators and punctuation, including !has, in~ ...
	tkBad              // a lexical error; text holds the message
)

// token is one lexical token. start/end are byte offsets; text is the
// source text except for tkBad, where it is an error message.
type token struct {
	kind       tokKind
	start, end int
	text       string
	spaceAfter bool // trivia (space/comment) follows directly
}

// hyphenated operator keywords recognised as one identifier token.
var hyphenWords = map[string]bool{
	"project-away": true, "project-keep": true, "project-rename": true,
	"project-reorder": true, "project-smart": true, "mv-expand": true,
	"mv-apply": true, "parse-where": true, "parse-kv": true,
	"make-series": true, "top-nested": true, "top-hitters": true,
	"sample-distinct": true, "make-graph": true, "graph-match": true,
}

// negatable string/set operators: "!"+word is one token.
var bangWords = map[string]bool{
	"has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true,
	"hassuffix": true, "hassuffix_cs": true, "contains": true,
	"contains_cs": true, "containscs": true, "startswith": true,
	"startswith_cs": true, "endswith": true, "endswith_cs": true,
	"in": true, "between": true,
}

// timespan unit suffixes and their size in ticks (100 ns).
var timeUnits = map[string]int64{
	"d": 864000000000, "day": 864000000000, "days": 864000000000,
	"h": 36000000000, "hr": 36000000000, "hrs": 36000000000,
	"hour": 36000000000, "hours": 36000000000,
	"m": 600000000, "min": 600000000, "minute": 600000000, "minutes": 600000000,
	"s": 10000000, "sec": 10000000, "second": 10000000, "seconds": 10000000,
	"ms": 10000, "milli": 10000, "millis": 10000,
	"millisecond": 10000, "milliseconds": 10000,
	"microsecond": 10, "microseconds": 10,
	"tick": 1, "ticks": 1,
}

// scan returns the token starting at or after off (skipping trivia).
func scan(src string, off int) token {
	off = skipTrivia(src, off)
	t := scanAt(src, off)
	t.spaceAfter = t.end < len(src) && skipTrivia(src, t.end) != t.end
	return t
}

// skipTrivia skips whitespace and // comments.
func skipTrivia(src string, off int) int {
	for off < len(src) {
		c := src[off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			off++
		case c == '#' && atLineStart(src, off):
			// client directives (#connect ...) are ignored like comments
			for off < len(src) && src[off] != '\n' {
				off++
			}
		case c == '/' && off+1 < len(src) && src[off+1] == '/':
			for off < len(src) && src[off] != '\n' {
				off++
			}
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(src[off:])
			if r == 0xFEFF || r == 0xA0 || (r >= 0x200B && r <= 0x200D) || r == 0x2060 || unicode.IsSpace(r) {
				off += n
				continue
			}
			return off
		default:
			return off
		}
	}
	return off
}

func isIdentStart(r rune) bool { return r == '_' || r == '$' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

func bad(start, end int, msg string) token {
	return token{kind: tkBad, start: start, end: end, text: msg}
}

func scanAt(src string, off int) token {
	if off >= len(src) {
		return token{kind: tkEOF, start: len(src), end: len(src)}
	}
	c := src[off]
	switch {
	case c == '"' || c == '\'':
		return scanQuoted(src, off, off)
	case c == '`' && strings.HasPrefix(src[off:], "```"):
		return scanFenced(src, off, off, "```")
	case c == '~' && strings.HasPrefix(src[off:], "~~~"):
		return scanFenced(src, off, off, "~~~")
	case c == '@' && off+1 < len(src) && (src[off+1] == '"' || src[off+1] == '\''):
		return scanVerbatim(src, off, off)
	case (c == 'h' || c == 'H') && off+1 < len(src):
		if t, ok := scanObfuscated(src, off); ok {
			return t
		}
	case isDigit(c):
		return scanNumber(src, off)
	}
	r, n := utf8.DecodeRuneInString(src[off:])
	if isIdentStart(r) {
		return scanIdent(src, off)
	}
	if r == utf8.RuneError && n == 1 {
		return bad(off, off+1, "invalid UTF-8 byte in query text")
	}
	return scanPunct(src, off)
}

func scanObfuscated(src string, off int) (token, bool) {
	next := src[off+1]
	switch {
	case next == '"' || next == '\'':
		return scanQuoted(src, off, off+1), true
	case next == '@' && off+2 < len(src) && (src[off+2] == '"' || src[off+2] == '\''):
		return scanVerbatim(src, off, off+1), true
	case next == '`' && strings.HasPrefix(src[off+1:], "```"):
		return scanFenced(src, off, off+1, "```"), true
	}
	return token{}, false
}

// scanQuoted scans a '..' or ".." string with backslash escapes; q is the
// offset of the opening quote, start the token start (before any h prefix).
func scanQuoted(src string, start, q int) token {
	quote := src[q]
	for i := q + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '\n':
			return bad(start, i, "string literal is not terminated before the end of the line")
		case quote:
			return token{kind: tkString, start: start, end: i + 1, text: src[start : i+1]}
		}
	}
	return bad(start, len(src), "string literal is not terminated")
}

// scanVerbatim scans @".." or @'..' (no escapes; a doubled quote is one quote).
func scanVerbatim(src string, start, at int) token {
	quote := src[at+1]
	for i := at + 2; i < len(src); i++ {
		switch src[i] {
		case '\n':
			return bad(start, i, "verbatim string literal is not terminated before the end of the line")
		case quote:
			if i+1 < len(src) && src[i+1] == quote {
				i++
				continue
			}
			return token{kind: tkString, start: start, end: i + 1, text: src[start : i+1]}
		}
	}
	return bad(start, len(src), "verbatim string literal is not terminated")
}

// scanFenced scans a multi-line ```...``` (or ~~~...~~~) string.
func scanFenced(src string, start, fence int, delim string) token {
	end := strings.Index(src[fence+3:], delim)
	if end < 0 {
		return bad(start, len(src), "multi-line string literal opened with "+delim+" is not terminated")
	}
	e := fence + 3 + end + 3
	return token{kind: tkString, start: start, end: e, text: src[start:e]}
}

func scanNumber(src string, off int) token {
	i := off
	if src[i] == '0' && i+1 < len(src) && (src[i+1] == 'x' || src[i+1] == 'X') {
		i += 2
		for i < len(src) && strings.IndexByte("0123456789abcdefABCDEF", src[i]) >= 0 {
			i++
		}
		return token{kind: tkLong, start: off, end: i, text: src[off:i]}
	}
	kind := tkLong
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
		kind = tkReal
		i++
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			kind = tkReal
			i = j
			for i < len(src) && isDigit(src[i]) {
				i++
			}
		}
	}
	// unit suffix → timespan
	j := i
	for j < len(src) {
		r, n := utf8.DecodeRuneInString(src[j:])
		if !isIdentPart(r) {
			break
		}
		j += n
	}
	if j > i {
		unit := src[i:j]
		if _, ok := timeUnits[strings.ToLower(unit)]; ok {
			return token{kind: tkTimespan, start: off, end: j, text: src[off:j]}
		}
		// Kusto accepts names starting with digits (5Minutebin).
		return token{kind: tkIdent, start: off, end: j, text: src[off:j]}
	}
	return token{kind: kind, start: off, end: i, text: src[off:i]}
}

func scanIdent(src string, off int) token {
	i := off
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		if i == off && r == '$' {
			i += n
			continue
		}
		if !isIdentPart(r) {
			break
		}
		i += n
	}
	word := src[off:i]
	// hyphenated operator keywords: project-away, mv-expand, ...
	if i < len(src) && src[i] == '-' {
		j := i + 1
		for j < len(src) {
			r, n := utf8.DecodeRuneInString(src[j:])
			if !isIdentPart(r) {
				break
			}
			j += n
		}
		if hyphenWords[src[off:j]] {
			i = j
			word = src[off:j]
		}
	}
	if (word == "in") && i < len(src) && src[i] == '~' {
		return token{kind: tkPunct, start: off, end: i + 1, text: "in~"}
	}
	return token{kind: tkIdent, start: off, end: i, text: word}
}

var puncts = []string{
	"==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>",
	"|", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "=", "<", ">",
	"+", "-", "*", "/", "%", "!", "~", "?", "@", "#", "&", "^",
}

func scanPunct(src string, off int) token {
	if src[off] == '!' && off+1 < len(src) {
		if t, ok := scanBang(src, off); ok {
			return t
		}
	}
	for _, p := range puncts {
		if strings.HasPrefix(src[off:], p) {
			return token{kind: tkPunct, start: off, end: off + len(p), text: p}
		}
	}
	r, n := utf8.DecodeRuneInString(src[off:])
	return bad(off, off+n, "unexpected character "+quoteRune(r))
}

// scanBang recognises !has, !contains, !in, !in~, !between ...
func scanBang(src string, off int) (token, bool) {
	j := off + 1
	for j < len(src) {
		r, n := utf8.DecodeRuneInString(src[j:])
		if !isIdentPart(r) {
			break
		}
		j += n
	}
	word := src[off+1 : j]
	if !bangWords[word] {
		return token{}, false
	}
	if word == "in" && j < len(src) && src[j] == '~' {
		return token{kind: tkPunct, start: off, end: j + 1, text: "!in~"}, true
	}
	return token{kind: tkPunct, start: off, end: j, text: "!" + word}, true
}

func quoteRune(r rune) string {
	if r < 0x20 || r == 0x7f {
		return "U+" + strings.ToUpper(strings.TrimLeft(hex4(r), "0"))
	}
	return "'" + string(r) + "'"
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	b := []byte{'0', '0', '0', '0'}
	for i := 3; i >= 0; i-- {
		b[i] = digits[r&0xf]
		r >>= 4
	}
	return string(b)
}

// describe renders a token for an error message.
func describe(t token) string {
	switch t.kind {
	case tkEOF:
		return "end of query"
	case tkString:
		return "string literal"
	case tkBad:
		return "invalid text"
	}
	s := t.text
	if len(s) > 30 {
		s = s[:30] + "…"
	}
	return "'" + s + "'"
}

// atLineStart reports whether only blanks precede off on its line.
func atLineStart(src string, off int) bool {
	for i := off - 1; i >= 0; i-- {
		switch src[i] {
		case '\n':
			return true
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return true
}
