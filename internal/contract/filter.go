package contract

import (
	"errors"
	"fmt"
	"strings"
)

// FilterUse is one property a $filter compares and how.
type FilterUse struct {
	// Property is the property path ("status/errorCode").
	Property string
	// Operator is the comparison ("eq", "ge", ...) or function ("startswith", "any").
	Operator string
}

var comparisonOps = map[string]bool{"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true, "in": true, "has": true}

var filterFuncs = map[string]bool{"startswith": true, "endswith": true, "contains": true, "any": true, "all": true}

func isFunction(op string) bool { return filterFuncs[strings.ToLower(op)] }

// operatorName is how the OData validator names an operator or function.
func operatorName(op string) string {
	if isFunction(op) {
		return strings.ToLower(op)
	}
	op = strings.ToLower(op)
	return strings.ToUpper(op[:1]) + op[1:]
}

// FilterUses lists the (property, operator) pairs of an OData $filter
// expression: `p op literal`, `func(p, literal)` and `p/any(x: ...)`. It
// checks quoting and parentheses; literals are not interpreted.
func FilterUses(f string) ([]FilterUse, error) {
	toks, err := filterTokens(f)
	if err != nil {
		return nil, err
	}
	var out []FilterUse
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tokWord {
			continue
		}
		low := strings.ToLower(t.text)
		switch {
		case filterFuncs[low] && i+2 < len(toks) && toks[i+1].text == "(" && toks[i+2].kind == tokWord:
			out = append(out, FilterUse{Property: toks[i+2].text, Operator: low})
			i += 2
		case i+1 < len(toks) && toks[i+1].kind == tokWord && comparisonOps[strings.ToLower(toks[i+1].text)] &&
			!comparisonOps[low] && low != "and" && low != "or" && low != "not":
			out = append(out, FilterUse{Property: t.text, Operator: strings.ToLower(toks[i+1].text)})
			i++
		case strings.HasSuffix(low, "/any") || strings.HasSuffix(low, "/all"):
			k := strings.LastIndexByte(t.text, '/')
			out = append(out, FilterUse{Property: t.text[:k], Operator: low[k+1:]})
		}
	}
	return out, nil
}

type tokKind int

const (
	tokWord tokKind = iota
	tokString
	tokPunct
)

type filterTok struct {
	kind tokKind
	text string
}

func filterTokens(f string) ([]filterTok, error) {
	var out []filterTok
	depth := 0
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '\'':
			j := i + 1
			for ; j < len(f); j++ {
				if f[j] == '\'' {
					if j+1 < len(f) && f[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(f) {
				return nil, errors.New("unterminated string literal")
			}
			out = append(out, filterTok{tokString, f[i : j+1]})
			i = j + 1
		case c == '(' || c == ')' || c == ',':
			if c == '(' {
				depth++
			} else if c == ')' {
				if depth--; depth < 0 {
					return nil, errors.New("unbalanced parentheses")
				}
			}
			out = append(out, filterTok{tokPunct, string(c)})
			i++
		default:
			j := i
			for j < len(f) && f[j] != ' ' && f[j] != '\t' && f[j] != '(' && f[j] != ')' && f[j] != ',' && f[j] != '\'' {
				j++
			}
			out = append(out, filterTok{tokWord, f[i:j]})
			i = j
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parentheses in %q", f)
	}
	return out, nil
}

// SplitTopLevel splits a comma-separated option value ($expand, $select) at
// commas outside parentheses.
func SplitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}
