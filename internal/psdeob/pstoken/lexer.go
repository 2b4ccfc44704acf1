package pstoken

import (
	"strings"
	"unicode/utf8"
)

// MaxTokens bounds the number of tokens produced for one text.
const MaxTokens = 2_000_000

type lexer struct {
	src   string
	pos   int
	toks  []Token
	space bool
}

// Tokenize splits src into tokens. It never fails; the final token is EOF.
func Tokenize(src string) []Token {
	lx := &lexer{src: src}
	for lx.pos < len(src) && len(lx.toks) < MaxTokens {
		lx.next()
	}
	lx.toks = append(lx.toks, Token{Kind: EOF, Start: len(src), End: len(src)})
	return lx.toks
}

func (lx *lexer) peek(off int) rune {
	p := lx.pos
	for i := 0; i < off && p < len(lx.src); i++ {
		_, n := utf8.DecodeRuneInString(lx.src[p:])
		p += n
	}
	if p >= len(lx.src) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(lx.src[p:])
	return r
}

func (lx *lexer) advance() rune {
	r, n := utf8.DecodeRuneInString(lx.src[lx.pos:])
	lx.pos += n
	return r
}

func (lx *lexer) prev() Token {
	if len(lx.toks) == 0 {
		return Token{Kind: Newline}
	}
	return lx.toks[len(lx.toks)-1]
}

// afterExpr reports whether the previous token ends an operand with no
// whitespace in between.
func (lx *lexer) afterExpr() bool {
	return !lx.space && len(lx.toks) > 0 && lx.prev().IsExprEnd()
}

func (lx *lexer) emit(k Kind, text string, start int) {
	lx.toks = append(lx.toks, Token{Kind: k, Text: text, Start: start, End: lx.pos, SpaceBefore: lx.space})
	lx.space = false
}

func (lx *lexer) next() {
	start := lx.pos
	r := lx.peek(0)
	switch {
	case isSpace(r):
		lx.advance()
		lx.space = true
		return
	case r == '`' && (lx.peek(1) == '\n' || lx.peek(1) == '\r'):
		lx.advance()
		if lx.advance() == '\r' && lx.peek(0) == '\n' {
			lx.advance()
		}
		lx.space = true
		return
	case r == '\r' || r == '\n':
		lx.advance()
		lx.emit(Newline, "\n", start)
		return
	case r == '#':
		lx.skipLine()
		lx.space = true
		return
	case r == '<' && lx.peek(1) == '#':
		lx.skipBlockComment()
		lx.space = true
		return
	case isSingleQuote(r):
		lx.advance()
		lx.emit(String, lx.singleQuoted(), start)
		return
	case isDoubleQuote(r):
		lx.advance()
		lx.emit(ExpString, lx.doubleQuoted(), start)
		return
	case r == '@':
		lx.at(start)
		return
	case r == '$':
		lx.dollar(start)
		return
	}
	if lx.punct(r, start) {
		return
	}
	if r >= '0' && r <= '9' || r == '.' && lx.peek(1) >= '0' && lx.peek(1) <= '9' && !lx.afterExpr() {
		if lx.number(start) {
			return
		}
	}
	lx.word(start)
}

func (lx *lexer) skipLine() {
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' && lx.src[lx.pos] != '\r' {
		lx.pos++
	}
}

func (lx *lexer) skipBlockComment() {
	end := strings.Index(lx.src[lx.pos+2:], "#>")
	if end < 0 {
		lx.pos = len(lx.src)
		return
	}
	lx.pos += 2 + end + 2
}

func (lx *lexer) singleQuoted() string {
	var b strings.Builder
	for lx.pos < len(lx.src) {
		r := lx.advance()
		if isSingleQuote(r) {
			if isSingleQuote(lx.peek(0)) {
				lx.advance()
				b.WriteRune(r)
				continue
			}
			return b.String()
		}
		b.WriteRune(r)
	}
	return b.String()
}

// doubleQuoted returns the raw body (escapes and expansions are kept for the
// evaluator) and stops at the closing quote, skipping over $( ... ) groups.
func (lx *lexer) doubleQuoted() string {
	start := lx.pos
	depth := 0
	for lx.pos < len(lx.src) {
		p := lx.pos
		r := lx.advance()
		switch {
		case r == '`':
			if lx.pos < len(lx.src) {
				lx.advance()
			}
		case r == '$' && lx.peek(0) == '(':
			lx.advance()
			depth++
		case depth > 0 && r == '(':
			depth++
		case depth > 0 && r == ')':
			depth--
		case depth > 0 && isSingleQuote(r):
			lx.singleQuoted()
		case isDoubleQuote(r) && depth > 0:
			lx.doubleQuoted()
		case isDoubleQuote(r):
			if isDoubleQuote(lx.peek(0)) {
				lx.advance()
				continue
			}
			return lx.src[start:p]
		}
	}
	return lx.src[start:]
}

func (lx *lexer) hereString(start int, double bool) {
	// @' or @" already consumed; the body starts after the end of line.
	lx.skipLine()
	if lx.pos < len(lx.src) && lx.src[lx.pos] == '\r' {
		lx.pos++
	}
	if lx.pos < len(lx.src) && lx.src[lx.pos] == '\n' {
		lx.pos++
	}
	body := lx.pos
	q := "'@"
	if double {
		q = "\"@"
	}
	for {
		i := strings.Index(lx.src[lx.pos:], q)
		if i < 0 {
			lx.pos = len(lx.src)
			break
		}
		at := lx.pos + i
		if at == body || lx.src[at-1] == '\n' {
			text := strings.TrimSuffix(strings.TrimSuffix(lx.src[body:at], "\n"), "\r")
			lx.pos = at + 2
			if double {
				lx.emit(ExpString, text, start)
			} else {
				lx.emit(String, text, start)
			}
			return
		}
		lx.pos = at + 2
	}
	if double {
		lx.emit(ExpString, lx.src[body:], start)
	} else {
		lx.emit(String, lx.src[body:], start)
	}
}

func (lx *lexer) at(start int) {
	lx.advance()
	r := lx.peek(0)
	switch {
	case r == '(':
		lx.advance()
		lx.emit(ArrayExpr, "@(", start)
	case r == '{':
		lx.advance()
		lx.emit(HashStart, "@{", start)
	case isSingleQuote(r) && (lx.peek(1) == '\n' || lx.peek(1) == '\r' || isSpace(lx.peek(1))):
		lx.advance()
		lx.hereString(start, false)
	case isDoubleQuote(r) && (lx.peek(1) == '\n' || lx.peek(1) == '\r' || isSpace(lx.peek(1))):
		lx.advance()
		lx.hereString(start, true)
	case isIdent(r):
		for isIdent(lx.peek(0)) {
			lx.advance()
		}
		lx.emit(Splat, strings.ToLower(lx.src[start+1:lx.pos]), start)
	default:
		lx.emit(Word, "@", start)
	}
}
