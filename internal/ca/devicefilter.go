package ca

import (
	"fmt"
	"strings"
)

// maxRuleLen bounds a device filter rule (Entra allows 3,072 characters).
const maxRuleLen = 3072

// MatchDeviceFilter evaluates a Conditional Access device filter rule
// (Entra's rule syntax: device.<attribute> -<operator> value, combined with
// -and / -or / -not and parentheses) against the device. It returns Unknown
// with the reason when the rule reads an attribute the sign-in does not
// carry, or does not parse.
//
// As Microsoft documents, an unregistered device has every attribute null:
// positive operators (-eq, -startsWith, -contains, -in, -endsWith) are false
// and negative ones (-ne, -notStartsWith, ...) true on null.
func MatchDeviceFilter(rule string, d Device) (Tri, string) {
	if len(rule) > maxRuleLen {
		return Unknown, "the rule is longer than 3072 characters"
	}
	p := &ruleParser{toks: tokenize(rule), dev: d}
	t, err := p.expr(0)
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	if err != nil {
		return Unknown, "the rule does not parse: " + err.Error()
	}
	return t, strings.Join(p.notes, "; ")
}

// tokenize splits a rule into words, quoted strings (kept with their quote),
// parentheses, brackets and commas.
func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("()[],", c) >= 0:
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(s) && s[j] != c {
				j++
			}
			toks = append(toks, s[i:min(j, len(s))])
			i = j + 1
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\r()[],\"'", s[j]) < 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type ruleParser struct {
	toks  []string
	pos   int
	dev   Device
	notes []string
}

const maxRuleDepth = 32

func (p *ruleParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *ruleParser) next() string {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *ruleParser) expr(depth int) (Tri, error) {
	t, err := p.term(depth)
	for err == nil && strings.EqualFold(p.peek(), "-or") {
		p.next()
		var u Tri
		u, err = p.term(depth)
		t = or3(t, u)
	}
	return t, err
}

func (p *ruleParser) term(depth int) (Tri, error) {
	t, err := p.factor(depth)
	for err == nil && strings.EqualFold(p.peek(), "-and") {
		p.next()
		var u Tri
		u, err = p.factor(depth)
		t = and3(t, u)
	}
	return t, err
}

func (p *ruleParser) factor(depth int) (Tri, error) {
	if depth > maxRuleDepth {
		return Unknown, fmt.Errorf("nested too deeply")
	}
	switch tok := p.next(); {
	case tok == "(":
		t, err := p.expr(depth + 1)
		if err != nil {
			return t, err
		}
		if p.next() != ")" {
			return Unknown, fmt.Errorf("missing )")
		}
		return t, nil
	case strings.EqualFold(tok, "-not"):
		t, err := p.factor(depth + 1)
		return not3(t), err
	case tok == "":
		return Unknown, fmt.Errorf("unexpected end of rule")
	default:
		return p.comparison(tok)
	}
}

func (p *ruleParser) comparison(attrTok string) (Tri, error) {
	attr, ok := strings.CutPrefix(strings.ToLower(attrTok), "device.")
	if !ok {
		return Unknown, fmt.Errorf("expected device.<attribute>, got %q", attrTok)
	}
	op := strings.ToLower(p.next())
	if !strings.HasPrefix(op, "-") {
		return Unknown, fmt.Errorf("expected an operator after %s", attrTok)
	}
	vals, err := p.values()
	if err != nil {
		return Unknown, err
	}
	return p.compare(attr, attrTok, op, vals)
}

// values reads a quoted string, a bare word or a [list].
func (p *ruleParser) values() ([]string, error) {
	tok := p.next()
	if tok != "[" {
		if tok == "" || strings.Contains("()],", tok) {
			return nil, fmt.Errorf("missing value")
		}
		return []string{unquote(tok)}, nil
	}
	var out []string
	for {
		t := p.next()
		switch t {
		case "]":
			return out, nil
		case ",":
		case "":
			return nil, fmt.Errorf("missing ]")
		default:
			out = append(out, unquote(t))
		}
	}
}

func unquote(t string) string {
	if len(t) > 0 && (t[0] == '"' || t[0] == '\'') {
		return t[1:]
	}
	return t
}

// attribute returns the device's value of attr; null for an unregistered
// device; known false when the sign-in does not carry it.
func (p *ruleParser) attribute(attr string) (val string, null, known bool) {
	d := p.dev
	if !d.Registered() {
		return "", true, true
	}
	switch attr {
	case "deviceid":
		return d.ID, d.ID == "", true
	case "displayname":
		return d.DisplayName, d.DisplayName == "", d.DisplayName != ""
	case "trusttype":
		return filterTrustType(d.TrustType), false, filterTrustType(d.TrustType) != ""
	case "iscompliant":
		if d.Compliant == Unknown || d.Compliant == "" {
			return "", false, false
		}
		return map[Tri]string{Yes: "true", No: "false"}[d.Compliant], false, true
	}
	return "", false, false
}

// filterTrustType maps sign-in trust types to the device filter's values.
func filterTrustType(t string) string {
	switch strings.ToLower(strings.ReplaceAll(t, " ", "")) {
	case "azureadjoined", "azuread", "microsoftentrajoined":
		return "AzureAD"
	case "hybridazureadjoined", "serverad", "microsoftentrahybridjoined":
		return "ServerAD"
	case "azureadregistered", "workplace", "microsoftentraregistered":
		return "Workplace"
	}
	return ""
}

func (p *ruleParser) compare(attr, attrTok, op string, vals []string) (Tri, error) {
	negative := strings.HasPrefix(op, "-not") || op == "-ne"
	base := op
	if negative {
		base = map[string]string{"-ne": "-eq", "-notstartswith": "-startswith", "-notendswith": "-endswith",
			"-notcontains": "-contains", "-notin": "-in"}[op]
	}
	if base == "" || !hasFold([]string{"-eq", "-startswith", "-endswith", "-contains", "-in"}, base) {
		return Unknown, fmt.Errorf("unsupported operator %s", op)
	}
	val, null, known := p.attribute(attr)
	switch {
	case !known:
		p.notes = append(p.notes, fmt.Sprintf("%s is not recorded on the sign-in", attrTok))
		return Unknown, nil
	case null:
		p.notes = append(p.notes, fmt.Sprintf("%s is null (unregistered device), so %s is %v", attrTok, op, negative))
		return TriOf(negative), nil
	}
	hit := false
	lv := strings.ToLower(val)
	for _, v := range vals {
		lw := strings.ToLower(v)
		switch base {
		case "-eq", "-in":
			hit = hit || lv == lw
		case "-startswith":
			hit = hit || strings.HasPrefix(lv, lw)
		case "-endswith":
			hit = hit || strings.HasSuffix(lv, lw)
		case "-contains":
			hit = hit || strings.Contains(lv, lw)
		}
	}
	res := hit != negative
	p.notes = append(p.notes, fmt.Sprintf("%s is %q, so %s %s is %v", attrTok, val, op, strings.Join(vals, ","), res))
	return TriOf(res), nil
}
