package psdeob

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Operations whose result size is bounded before the result is built.

// maxRegexSubject bounds the text one regular-expression (or wildcard)
// operation reads: a single match cannot be interrupted, and a worst-case
// pattern takes about 0.1 s a MiB (ten times that in a fuzzing build).
// Literal patterns (the usual obfuscator's -replace '!','A') take a fast
// path bounded only by the byte budget.
const maxRegexSubject = 256 << 10

// literalOf returns the text re matches when it is a plain literal whose
// case does not matter (no letters, or a case-sensitive pattern).
func literalOf(re *regexp.Regexp) (string, bool) {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil || t.Op != syntax.OpLiteral {
		return "", false
	}
	if t.Flags&syntax.FoldCase != 0 {
		for _, r := range t.Rune {
			if unicode.SimpleFold(r) != r {
				return "", false
			}
		}
	}
	return string(t.Rune), true
}

// regexSubject charges a regular-expression pass over s — one step per 16
// bytes, as matching costs tens of nanoseconds a byte — and refuses texts
// over maxRegexSubject.
func (e *evaluator) regexSubject(s string) bool {
	if len(s) > maxRegexSubject {
		if e.limitErr == nil {
			e.limitErr = &LimitError{Kind: ErrTooLarge, Key: keyRegex, Need: int64(len(s)), Limit: maxRegexSubject}
		}
		return false
	}
	return e.work(int64(len(s)) * 16)
}

// rangeLen is the number of items of a..b (saturating).
func rangeLen(a, b int64) int64 {
	d := a - b
	if b > a {
		d = b - a
	}
	if d < 0 || d == 1<<63-1 { // overflowed
		return 1<<63 - 1
	}
	return d + 1
}

// errAbort unwinds a regular-expression pass from inside its callback when
// the budget or the deadline ends it (the regexp package has no other way
// to stop a pass).
type errAbort struct{}

// reReplace is re.ReplaceAllString(s, repl) (repl in Go template syntax),
// with the result's size bounded and charged before it is built, one step
// charged per match and the deadline observed during the pass.
func (e *evaluator) reReplace(re *regexp.Regexp, s, repl string) (v value) {
	if lit, ok := literalOf(re); ok && lit != "" && !strings.Contains(repl, "$") {
		return e.replaceLiteral(s, lit, repl)
	}
	if !e.regexSubject(s) {
		return unknown
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errAbort); !ok {
				panic(r)
			}
			v = unknown
		}
	}()
	// First pass: count matches and matched bytes, stopping as soon as the
	// result could outgrow the budget. Every expansion of repl is at most
	// len(repl) plus, per group reference, the match's length.
	refs := int64(strings.Count(repl, "$"))
	room := e.room()
	n, matched := int64(0), int64(0)
	bound := func() int64 {
		b := int64(len(s)) - matched + mulSize(n, int64(len(repl))) + mulSize(refs, matched)
		if b < 0 {
			return 1<<63 - 1
		}
		return b
	}
	re.ReplaceAllStringFunc(s, func(m string) string {
		n++
		matched += int64(len(m))
		if !e.tick() || n&1023 == 0 && bound() > room {
			panic(errAbort{})
		}
		return ""
	})
	size := bound()
	if !e.reserve(size) {
		return unknown
	}
	var res string
	if refs == 0 {
		// a template without $ is literal: the second pass can be stopped too
		res = re.ReplaceAllStringFunc(s, func(string) string {
			if !e.tick() {
				panic(errAbort{})
			}
			return repl
		})
	} else {
		res = re.ReplaceAllString(s, repl)
	}
	e.bytes -= size - int64(len(res)) // keep the actual size
	return res
}

// reSplit is re.Split(s, limit) with the number of pieces bounded by the
// budget before they are built.
func (e *evaluator) reSplit(re *regexp.Regexp, s string, limit int) ([]string, bool) {
	most := e.room()/elemBytes + 1
	if limit <= 0 || int64(limit) > most {
		limit = int(min(most, int64(len(s))+2))
	}
	parts := re.Split(s, limit)
	return parts, e.reserveElems(len(parts))
}

// replaceLiteral is strings.ReplaceAll(s, old, repl) (old not empty),
// charged before it is built.
func (e *evaluator) replaceLiteral(s, old, repl string) value {
	if !e.work(int64(len(s))) {
		return unknown
	}
	n := int64(strings.Count(s, old))
	size := int64(len(s)) + mulSize(n, int64(len(repl))) - n*int64(len(old))
	if len(repl) > 0 && mulSize(n, int64(len(repl))) == 1<<63-1 {
		size = 1<<63 - 1
	}
	if !e.reserve(size) {
		return unknown
	}
	return strings.ReplaceAll(s, old, repl)
}

// pad is s.PadLeft(n) / s.PadRight(n).
func (e *evaluator) pad(s string, n int64, left bool) value {
	have := int64(utf8.RuneCountInString(s))
	if n <= have {
		return s
	}
	if !e.reserve(int64(len(s)) + n - have) {
		return unknown
	}
	if left {
		return strings.Repeat(" ", int(n-have)) + s
	}
	return s + strings.Repeat(" ", int(n-have))
}

// runes returns []rune(s), keeping the last conversion: scripts index the
// same string character by character in a loop.
func (e *evaluator) runes(s string) ([]rune, bool) {
	c := &e.runeCache
	if len(c.s) == len(s) && unsafe.StringData(c.s) == unsafe.StringData(s) {
		return c.rs, true
	}
	n := utf8.RuneCountInString(s)
	if n == len(s) {
		// ASCII: callers index bytes directly; no conversion needed
		return nil, true
	}
	if !e.reserve(int64(n) * 4) {
		return nil, false
	}
	c.s, c.rs = s, []rune(s)
	return c.rs, true
}

// runeAt is the i-th character of s (ok=false past either end or when the
// budget cannot cover the conversion); i may be negative as in $s[-1].
func (e *evaluator) runeAt(s string, i int64) (rune, bool, bool) {
	rs, ok := e.runes(s)
	if !ok {
		return 0, false, false
	}
	n := int64(len(s))
	if rs != nil {
		n = int64(len(rs))
	}
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return 0, false, true
	}
	if rs != nil {
		return rs[i], true, true
	}
	return rune(s[i]), true, true
}

// charArray is s as an array of characters, charged.
func (e *evaluator) charArray(s string) value {
	n := utf8.RuneCountInString(s)
	if !e.reserveElems(n) {
		return unknown
	}
	out := make(psArray, 0, n)
	for _, r := range s {
		out = append(out, psChar(r))
	}
	return out
}

// toBytes is toBytes(v), charged when it builds a new buffer.
func (e *evaluator) toBytes(v value) ([]byte, bool) {
	if a, ok := v.(psArray); ok && !e.reserve(int64(len(a))) {
		return nil, false
	}
	return toBytes(v)
}

// parseBytesPerByte is what parsing costs per byte of source: the syntax
// tree of a script keeps 20–60 bytes per byte of text (measured with
// TestParseCostFactor: 21 for typical obfuscated code, 60 for nested
// parentheses).
const parseBytesPerByte = 32

// reserveParse charges the parse of src.
func (e *evaluator) reserveParse(src string) bool {
	return e.reserve(mulSize(int64(len(src)), parseBytesPerByte))
}

// maxRegexCache bounds the compiled patterns one analysis keeps.
const maxRegexCache = 256

// regex is dotnetRegex with the compiled pattern kept for the rest of the
// analysis (a loop matches the same pattern every iteration) and each
// compilation charged: it allocates about 1 KiB plus 225 bytes per byte of
// pattern.
func (e *evaluator) regex(pat string, ci bool) (*regexp.Regexp, error) {
	key := pat
	if ci {
		key = "i" + pat
	} else {
		key = "c" + pat
	}
	if re, ok := e.regexCache[key]; ok {
		return re, nil
	}
	if !e.reserve(1024 + 256*int64(len(pat))) {
		return nil, errTooLarge
	}
	re, err := dotnetRegex(pat, ci)
	if err == nil && len(e.regexCache) < maxRegexCache {
		if e.regexCache == nil {
			e.regexCache = map[string]*regexp.Regexp{}
		}
		e.regexCache[key] = re
	}
	return re, err
}
