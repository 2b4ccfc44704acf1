package engine

import (
	"strings"
	"unicode/utf8"
)

// strMatcher evaluates one string operator against a fixed right-hand side;
// it is built once per query node so the needle is lower-cased once.
type strMatcher struct {
	op     string // has, contains, startswith, endswith, hasprefix, hassuffix, ==, =~
	cs     bool   // case-sensitive
	needle string // lower-cased unless cs
	ascii  bool
}

func newStrMatcher(op string, cs bool, needle string) *strMatcher {
	m := &strMatcher{op: op, cs: cs, needle: needle, ascii: isASCII(needle)}
	if !cs {
		m.needle = strings.ToLower(needle)
	}
	return m
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// match reports whether h satisfies the operator.
func (m *strMatcher) match(h string) bool {
	if !m.cs && !m.ascii {
		h = strings.ToLower(h)
		return m.matchIn(h, strings.Index)
	}
	if m.cs {
		return m.matchIn(h, strings.Index)
	}
	return m.matchIn(h, indexFoldASCII)
}

func (m *strMatcher) matchIn(h string, index func(string, string) int) bool {
	n := m.needle
	switch m.op {
	case "contains":
		return index(h, n) >= 0
	case "startswith":
		return len(h) >= len(n) && m.eq(h[:len(n)])
	case "endswith":
		return len(h) >= len(n) && m.eq(h[len(h)-len(n):])
	case "==":
		return len(h) == len(n) && m.eq(h)
	case "has", "hasprefix", "hassuffix":
		return termSearch(h, n, m.op, index)
	}
	return false
}

func (m *strMatcher) eq(s string) bool {
	if m.cs || !m.ascii {
		return s == m.needle
	}
	return equalFoldLowerASCII(s, m.needle)
}

// termSearch finds needle at term boundaries: has needs both ends on a
// boundary, hasprefix the start, hassuffix the end. A needle edge that is
// not alphanumeric is a boundary by itself.
func termSearch(h, n, op string, index func(string, string) int) bool {
	if n == "" {
		return true
	}
	needStart := op != "hassuffix" && isAlnum(n[0])
	needEnd := op != "hasprefix" && isAlnum(n[len(n)-1])
	from := 0
	for from <= len(h)-len(n) {
		p := index(h[from:], n)
		if p < 0 {
			return false
		}
		p += from
		end := p + len(n)
		okStart := !needStart || p == 0 || !isAlnum(h[p-1])
		okEnd := !needEnd || end == len(h) || !isAlnum(h[end])
		if okStart && okEnd {
			return true
		}
		from = p + 1
	}
	return false
}

// indexFoldASCII finds lower-case ASCII needle n in h ignoring ASCII case.
func indexFoldASCII(h, n string) int {
	if len(n) == 0 {
		return 0
	}
	c := n[0]
	upper := c
	if c >= 'a' && c <= 'z' {
		upper = c - 32
	}
	nextLo, nextUp := -2, -2
	for i := 0; i+len(n) <= len(h); {
		if nextLo != -1 && nextLo < i {
			nextLo = indexByteFrom(h, c, i)
		}
		if upper != c && nextUp != -1 && nextUp < i {
			nextUp = indexByteFrom(h, upper, i)
		}
		p := nextLo
		if upper != c && nextUp >= 0 && (p < 0 || nextUp < p) {
			p = nextUp
		}
		if p < 0 || p+len(n) > len(h) {
			return -1
		}
		if equalFoldLowerASCII(h[p+1:p+len(n)], n[1:]) {
			return p
		}
		i = p + 1
	}
	return -1
}

func indexByteFrom(h string, c byte, from int) int {
	p := strings.IndexByte(h[from:], c)
	if p < 0 {
		return -1
	}
	return p + from
}

// equalFoldLowerASCII compares s with lower-case ASCII n ignoring ASCII case.
func equalFoldLowerASCII(s, n string) bool {
	if len(s) != len(n) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		if c != n[i] {
			return false
		}
	}
	return true
}

// splitStringOp decodes an operator token into base op, case-sensitivity and negation.
// It returns ok false for operators that are not string operators.
func splitStringOp(tok string) (op string, cs, neg, ok bool) {
	t := strings.ToLower(tok)
	if strings.HasPrefix(t, "!") && t != "!=" && t != "!~" {
		neg, t = true, t[1:]
	}
	if strings.HasSuffix(t, "_cs") {
		cs, t = true, strings.TrimSuffix(t, "_cs")
	}
	switch t {
	case "has", "contains", "startswith", "endswith", "hasprefix", "hassuffix":
		return t, cs, neg, true
	}
	return "", false, false, false
}
