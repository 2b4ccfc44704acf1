package syntax

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// typedLiteralKinds are the names X for which X(...) is a literal whose
// content is read raw, e.g. datetime(2024-01-01 10:00).
var typedLiteralKinds = map[string]bool{
	"datetime": true, "date": true, "time": true, "timespan": true, "guid": true,
	"long": true, "int": true, "real": true, "double": true, "bool": true,
	"boolean": true, "decimal": true,
}

// parseStringLit parses one or more adjacent string pieces into one literal.
func (p *parser) parseStringLit() *Literal {
	start := p.tok.start
	var b strings.Builder
	obf := false
	for p.tok.kind == tkString {
		v, o, err := decodeString(p.tok.text)
		if err != "" {
			p.fail(p.tok.start, p.tok.end, err)
		}
		obf = obf || o
		b.WriteString(v)
		if b.Len() > MaxLiteralBytes {
			p.fail(start, p.tok.end, fmt.Sprintf("string literal is longer than %d bytes", MaxLiteralBytes))
		}
		p.next()
	}
	return &Literal{Span: Span{start, p.prev.end}, Kind: LitString, Raw: p.src[start:p.prev.end],
		Value: b.String(), Obfuscated: obf}
}

// decodeString decodes one string token; it reports whether it was h"..".
func decodeString(raw string) (val string, obfuscated bool, errMsg string) {
	if raw[0] == 'h' || raw[0] == 'H' {
		obfuscated = true
		raw = raw[1:]
	}
	switch {
	case strings.HasPrefix(raw, "```") || strings.HasPrefix(raw, "~~~"):
		return raw[3 : len(raw)-3], obfuscated, ""
	case raw[0] == '@':
		q := raw[1:2]
		return strings.ReplaceAll(raw[2:len(raw)-1], q+q, q), obfuscated, ""
	}
	body := raw[1 : len(raw)-1]
	if !strings.Contains(body, `\`) {
		return body, obfuscated, ""
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"':
			b.WriteByte(body[i])
		case 'u':
			if i+4 < len(body) {
				if n, err := strconv.ParseUint(body[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(n))
					i += 4
					continue
				}
			}
			return "", obfuscated, `invalid \u escape in string literal; use \uXXXX with four hex digits`
		default:
			return "", obfuscated, fmt.Sprintf(`invalid escape sequence '\%c' in string literal; write '\\' for a backslash or use a verbatim string @"..."`, body[i])
		}
	}
	return b.String(), obfuscated, ""
}

func (p *parser) parseNumberLit() *Literal {
	t := p.tok
	p.next()
	lit := &Literal{Span: Span{t.start, t.end}, Raw: t.text}
	switch t.kind {
	case tkLong:
		lit.Kind = LitLong
		n, err := strconv.ParseInt(t.text, 0, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(t.text, 64); ferr == nil && !strings.HasPrefix(t.text, "0x") {
				lit.Kind, lit.Value = LitReal, f
				return lit
			}
			p.fail(t.start, t.end, "integer literal "+t.text+" is out of range for long")
		}
		lit.Value = n
	case tkReal:
		lit.Kind = LitReal
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.fail(t.start, t.end, "real literal "+t.text+" is out of range")
		}
		lit.Value = f
	case tkTimespan:
		lit.Kind = LitTimespan
		ticks, ok := parseTimespanText(t.text)
		if !ok {
			p.fail(t.start, t.end, "timespan literal "+t.text+" is out of range")
		}
		lit.Value = ticks
	}
	return lit
}

// parseTimespanText parses "1d", "1.5h", "100ms" or "[d.]hh:mm[:ss[.fff]]".
func parseTimespanText(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, strings.TrimSpace(s[1:])
	}
	var ticks int64
	var ok bool
	if strings.Contains(s, ":") {
		ticks, ok = parseClockTimespan(s)
	} else {
		i := 0
		for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
			i++
		}
		unit := strings.ToLower(strings.TrimSpace(s[i:]))
		if unit == "" {
			unit = "d"
		}
		mult, known := timeUnits[unit]
		f, err := strconv.ParseFloat(s[:i], 64)
		if !known || err != nil || f*float64(mult) > math.MaxInt64/2 {
			return 0, false
		}
		ticks, ok = int64(math.Round(f*float64(mult))), true
	}
	if neg {
		ticks = -ticks
	}
	return ticks, ok
}

func parseClockTimespan(s string) (int64, bool) {
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || d > 1e7 {
			return 0, false
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, false
	}
	var sec float64
	if len(parts) == 3 {
		v, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || v >= 60 {
			return 0, false
		}
		sec = v
	}
	return days*864000000000 + h*36000000000 + m*600000000 + int64(math.Round(sec*1e7)), true
}

// rawParenContent reads the text between '(' at the current token and the
// matching ')' without tokenising it (datetime(2024-01-01 10:00) is not
// made of KQL tokens).
func (p *parser) rawParenContent(what string) (content string, start int) {
	open := p.tok
	if !p.isPunct("(") {
		p.failTok("expected '(' after " + what)
	}
	i := open.end
	for i < len(p.src) && p.src[i] != ')' {
		if p.src[i] == '\n' || p.src[i] == '(' || p.src[i] == '|' {
			break
		}
		i++
	}
	if i >= len(p.src) || p.src[i] != ')' {
		p.fail(open.start, i, fmt.Sprintf("expected ')' to close %s opened at %d", what, open.start))
	}
	p.tok = token{kind: tkPunct, start: i, end: i + 1, text: ")"}
	p.next()
	return p.src[open.end:i], open.end
}

// parseTypedLiteral parses datetime(...), timespan(...), guid(...),
// long(...), real(...), bool(...), int(...), decimal(...).
func (p *parser) parseTypedLiteral() Expr {
	name := p.tok
	p.next()
	raw, _ := p.rawParenContent(name.text + "(...)")
	content := strings.TrimSpace(raw)
	if len(content) >= 2 && (content[0] == '"' || content[0] == '\'') && content[len(content)-1] == content[0] {
		content = content[1 : len(content)-1]
	}
	lit := &Literal{Span: Span{name.start, p.prev.end}, Raw: p.src[name.start:p.prev.end]}
	typ := scalarTypes[name.text]
	if content == "null" {
		lit.Kind, lit.Type = LitNull, typ
		return lit
	}
	bad := func(hint string) {
		p.fail(name.start, p.prev.end, fmt.Sprintf("invalid %s literal %q; %s", typ, raw, hint))
	}
	switch typ {
	case "datetime":
		lit.Kind, lit.Value = LitDateTime, content
		if content == "" {
			bad("write it like datetime(2024-01-31) or datetime(2024-01-31 13:45:00)")
		}
	case "timespan":
		ticks, ok := parseTimespanText(content)
		if !ok {
			bad("write it like timespan(1d), timespan(2h) or timespan(00:30:00)")
		}
		lit.Kind, lit.Value = LitTimespan, ticks
	case "guid":
		lit.Kind, lit.Value = LitGUID, content
	case "long", "int":
		n, err := strconv.ParseInt(content, 0, 64)
		if err != nil {
			bad("expected an integer")
		}
		lit.Kind, lit.Value = LitLong, n
		if typ == "int" {
			lit.Kind = LitInt
		}
	case "real":
		f, ok := parseRealText(content)
		if !ok {
			bad("expected a number, nan, +inf or -inf")
		}
		lit.Kind, lit.Value = LitReal, f
	case "bool":
		switch strings.ToLower(content) {
		case "true", "1":
			lit.Kind, lit.Value = LitBool, true
		case "false", "0":
			lit.Kind, lit.Value = LitBool, false
		default:
			bad("expected true or false")
		}
	case "decimal":
		if _, ok := parseRealText(content); !ok {
			bad("expected a number")
		}
		lit.Kind, lit.Value = LitDecimal, content
	}
	return lit
}

func parseRealText(s string) (float64, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "nan":
		return math.NaN(), true
	case "+inf", "inf":
		return math.Inf(1), true
	case "-inf":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, " ", ""), 64)
	return f, err == nil
}

// parseDynamic parses dynamic(value) with JSON-like arrays and bags.
func (p *parser) parseDynamic() Expr {
	start := p.tok.start
	p.next()
	open := p.expect("(", "after dynamic").start
	var v Expr
	if p.isWord("null") {
		p.next()
	} else {
		v = p.parseDynValue()
	}
	p.closeParen(")", "dynamic(...)", open)
	return &DynamicLit{Span: Span{start, p.prev.end}, Value: v}
}

func (p *parser) parseDynValue() Expr {
	p.enter()
	defer p.leave()
	start := p.tok.start
	switch {
	case p.isPunct("["):
		p.next()
		arr := &ArrayLit{}
		for !p.isPunct("]") {
			arr.Elems = append(arr.Elems, p.parseDynValue())
			if !p.accept(",") {
				break
			}
		}
		p.closeParen("]", "the dynamic array", start)
		arr.Span = Span{start, p.prev.end}
		return arr
	case p.isPunct("{"):
		p.next()
		obj := &ObjectLit{}
		for !p.isPunct("}") {
			var key string
			switch p.tok.kind {
			case tkString:
				key = p.parseStringLit().Value.(string)
			case tkIdent:
				key = p.tok.text
				p.next()
			default:
				p.failTok("expected a property name in the dynamic bag")
			}
			p.expect(":", "after the property name '"+key+"'")
			obj.Keys = append(obj.Keys, key)
			obj.Values = append(obj.Values, p.parseDynValue())
			if !p.accept(",") {
				break
			}
		}
		p.closeParen("}", "the dynamic property bag", start)
		obj.Span = Span{start, p.prev.end}
		return obj
	case p.isWord("null"):
		t := p.tok
		p.next()
		return &Literal{Span: Span{t.start, t.end}, Kind: LitNull, Raw: "null", Type: "dynamic"}
	}
	return p.parseUnary()
}
