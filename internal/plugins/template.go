package plugins

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Kind is how a placeholder's value is bound, decided by where the
// placeholder stands in the template.
type Kind int

// Placeholder kinds.
const (
	// KindString: inside a string literal; the value becomes part of the
	// literal's text, escaped.
	KindString Kind = iota + 1
	// KindNumber: a long or real literal (take {{n}}, > {{cutoff}} when the
	// value must be a number).
	KindNumber
	// KindTimespan: a timespan literal (ago({{lookback}}) with 7d, 1.5h).
	KindTimespan
	// KindTimespanCount: the number before a unit (ago({{days}}d)).
	KindTimespanCount
	// KindTimespanUnit: the unit after a count (ago({{n}}{{unit}})).
	KindTimespanUnit
	// KindDatetime: the text of datetime(...).
	KindDatetime
	// KindIdent: a table or column name, bound as ['name'].
	KindIdent
	// KindList: the whole list of an in (...) test; the value is
	// comma-separated and each item becomes a literal.
	KindList
	// KindScalar: a value (compared, assigned): a number when it reads as
	// one, otherwise a string literal.
	KindScalar
	// KindComment: inside a // comment; bound as nothing.
	KindComment
)

var kindNames = map[Kind]string{KindString: "string", KindNumber: "number", KindTimespan: "timespan",
	KindTimespanCount: "timespan count", KindTimespanUnit: "timespan unit", KindDatetime: "datetime",
	KindIdent: "identifier", KindList: "list", KindScalar: "scalar", KindComment: "comment"}

// String names the kind.
func (k Kind) String() string { return kindNames[k] }

// Placeholder is one {{name}} in a template.
type Placeholder struct {
	Name       string
	Start, End int // byte range of "{{name}}" in the template
	Kind       Kind
	// lit is the string literal holding a KindString placeholder.
	lit *strLit
}

// strLit is a string literal of the template holding placeholders.
type strLit struct {
	start, end int    // byte range of the literal token
	prefix     string // "h" or "H" for an obfuscated string, else ""
	verbatim   bool   // @'...': no escapes, a doubled quote is one quote
	fenced     bool   // ```...```: no escapes
	quote      byte
}

var placeholderRE = lazyre.New(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// typedLiterals map X of X(...) literals whose content is read raw to the
// kind a placeholder inside them takes (0: placeholders refused there).
var typedLiterals = map[string]Kind{"datetime": KindDatetime, "date": KindDatetime, "timespan": KindTimespan,
	"time": KindTimespan, "long": KindNumber, "int": KindNumber, "real": KindNumber, "double": KindNumber,
	"decimal": KindNumber, "guid": 0, "bool": 0, "boolean": 0}

// timeUnitWords are KQL's timespan units
// (learn.microsoft.com/kusto/query/scalar-data-types/timespan).
var timeUnitWords = map[string]bool{"d": true, "day": true, "days": true, "h": true, "hr": true, "hrs": true,
	"hour": true, "hours": true, "m": true, "min": true, "minute": true, "minutes": true, "s": true,
	"sec": true, "second": true, "seconds": true, "ms": true, "milli": true, "millis": true,
	"millisecond": true, "milliseconds": true, "microsecond": true, "microseconds": true, "tick": true, "ticks": true}

// scanTemplate finds every placeholder and classifies those whose kind the
// text alone decides: in a string, in a comment, in a typed literal, or
// glued to a timespan unit. The others are left for the parser (kind 0).
func scanTemplate(src string) ([]Placeholder, error) {
	var out []Placeholder
	add := func(start, end int, kind Kind, lit *strLit) {
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(src[start:end], -1) {
			out = append(out, Placeholder{Name: src[start+m[2] : start+m[3]], Start: start + m[0], End: start + m[1], Kind: kind, lit: lit})
		}
	}
	codeStart := 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case strings.HasPrefix(src[i:], "{{"):
			if m := placeholderRE.FindStringIndex(src[i:]); m != nil && m[0] == 0 {
				i += m[1]
				continue
			}
			i++
		case c == '/' && strings.HasPrefix(src[i:], "//"):
			add(codeStart, i, 0, nil)
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			add(i, i+end, KindComment, nil)
			i += end
			codeStart = i
		case isStringStart(src, i):
			lit, err := scanStringLit(src, i)
			if err != nil {
				return nil, err
			}
			add(codeStart, i, 0, nil)
			add(lit.start, lit.end, KindString, lit)
			i, codeStart = lit.end, lit.end
		case isWordStart(src, i):
			j, open, end, kind, typed := typedLiteralAt(src, i)
			if !typed {
				i = j
				continue
			}
			add(codeStart, open, 0, nil)
			before := len(out)
			add(open, end, kind, nil)
			if kind == 0 && len(out) > before {
				return nil, fmt.Errorf("offset %d: placeholder {{%s}} inside %s(...) is not supported; pass the value as a string and convert it", out[before].Start, out[before].Name, src[i:j])
			}
			i, codeStart = end, end
		default:
			i++
		}
	}
	add(codeStart, len(src), 0, nil)
	markTimespanParts(src, out)
	return out, nil
}

// typedLiteralAt reads the word at i; when it opens a typed literal such
// as datetime(...), it returns the offsets of its '(' and ')' and the kind
// a placeholder inside takes. wordEnd is where the word ends.
func typedLiteralAt(src string, i int) (wordEnd, open, end int, kind Kind, typed bool) {
	j := i
	for j < len(src) && isWordByte(src[j]) {
		j++
	}
	kind, typed = typedLiterals[strings.ToLower(src[i:j])]
	k := j
	for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
		k++
	}
	if !typed || k >= len(src) || src[k] != '(' {
		return j, 0, 0, 0, false
	}
	e := strings.IndexByte(src[k:], ')')
	if e < 0 {
		return j, 0, 0, 0, false
	}
	return j, k, k + e, kind, true
}

// markTimespanParts classifies {{n}}d and {{n}}{{unit}}.
func markTimespanParts(src string, ps []Placeholder) {
	for i := range ps {
		p := &ps[i]
		if p.Kind != 0 {
			continue
		}
		if p.Start > 0 && (isDigitByte(src[p.Start-1]) || src[p.Start-1] == '.') {
			p.Kind = KindTimespanUnit // 7{{unit}}
			continue
		}
		if i+1 < len(ps) && ps[i+1].Start == p.End && ps[i+1].Kind == 0 {
			p.Kind, ps[i+1].Kind = KindTimespanCount, KindTimespanUnit
			continue
		}
		j := p.End
		for j < len(src) && isWordByte(src[j]) {
			j++
		}
		if j > p.End && timeUnitWords[strings.ToLower(src[p.End:j])] {
			p.Kind = KindTimespanCount
		}
	}
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordStart(src string, i int) bool {
	c := src[i]
	return (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && (i == 0 || !isWordByte(src[i-1]) && src[i-1] != '.')
}

// isStringStart reports whether a string literal starts at i: '..', "..",
// @'..', h'..', h@'..', ```..```.
func isStringStart(src string, i int) bool {
	rest := src[i:]
	if strings.HasPrefix(rest, "```") || rest[0] == '"' || rest[0] == '\'' {
		return true
	}
	if (rest[0] == 'h' || rest[0] == 'H') && (i == 0 || !isWordByte(src[i-1])) {
		rest = rest[1:]
	}
	if strings.HasPrefix(rest, "@") {
		rest = rest[1:]
	}
	return len(rest) < len(src[i:]) && (strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, `"`) || strings.HasPrefix(rest, "```"))
}

// scanStringLit reads the string literal at i, following the KQL lexer's
// rules (learn.microsoft.com/kusto/query/scalar-data-types/string).
func scanStringLit(src string, i int) (*strLit, error) {
	lit := &strLit{start: i}
	j := i
	if src[j] == 'h' || src[j] == 'H' {
		lit.prefix = src[j : j+1]
		j++
	}
	if src[j] == '@' {
		lit.verbatim = true
		j++
	}
	if strings.HasPrefix(src[j:], "```") {
		end := strings.Index(src[j+3:], "```")
		if end < 0 {
			return nil, fmt.Errorf("offset %d: multi-line string is not terminated", i)
		}
		lit.fenced, lit.quote, lit.end = true, '`', j+3+end+3
		return lit, nil
	}
	lit.quote = src[j]
	for k := j + 1; k < len(src); k++ {
		switch src[k] {
		case '\\':
			if !lit.verbatim {
				k++
			}
		case '\n':
			return nil, fmt.Errorf("offset %d: string literal is not terminated before the end of the line", i)
		case lit.quote:
			if lit.verbatim && k+1 < len(src) && src[k+1] == lit.quote {
				k++
				continue
			}
			lit.end = k + 1
			return lit, nil
		}
	}
	return nil, fmt.Errorf("offset %d: string literal is not terminated", i)
}

// content returns the literal's text between its quotes.
func (l *strLit) content(src string) string {
	raw := src[l.start:l.end]
	raw = raw[len(l.prefix):]
	if l.verbatim {
		raw = raw[1:]
	}
	if l.fenced {
		return raw[3 : len(raw)-3]
	}
	return raw[1 : len(raw)-1]
}

// contentStart is the offset of the literal's first content byte.
func (l *strLit) contentStart() int {
	n := l.start + len(l.prefix) + 1
	if l.verbatim {
		n++
	}
	if l.fenced {
		n += 2
	}
	return n
}
