package pstoken

import "strings"

// NormalizeVar canonicalises a variable name: lower case, scope modifiers
// removed except env:, and "variable:" drive prefix dropped.
func NormalizeVar(name string) string {
	n := strings.ToLower(strings.ReplaceAll(name, "`", ""))
	for _, p := range []string{"script:", "global:", "local:", "private:", "using:", "variable:"} {
		n = strings.TrimPrefix(n, p)
	}
	return n
}

func (lx *lexer) dollar(start int) {
	lx.advance()
	r := lx.peek(0)
	switch {
	case r == '(':
		lx.advance()
		lx.emit(SubExpr, "$(", start)
	case r == '{':
		lx.advance()
		var b strings.Builder
		for lx.pos < len(lx.src) {
			c := lx.advance()
			if c == '`' && lx.pos < len(lx.src) {
				b.WriteRune(lx.advance())
				continue
			}
			if c == '}' {
				break
			}
			b.WriteRune(c)
		}
		lx.emit(Variable, NormalizeVar(b.String()), start)
	case r == '_' || r == '$' || r == '?' || r == '^':
		lx.advance()
		if r == '_' {
			for isIdent(lx.peek(0)) {
				lx.advance()
			}
		}
		lx.emit(Variable, strings.ToLower(lx.src[start+1:lx.pos]), start)
	case isIdent(r):
		for isIdent(lx.peek(0)) || lx.peek(0) == ':' && isIdent(lx.peek(1)) && lx.scopeSoFar(start) {
			lx.advance()
		}
		lx.emit(Variable, NormalizeVar(lx.src[start+1:lx.pos]), start)
	default:
		lx.emit(Word, "$", start)
	}
}

// scopeSoFar reports whether the variable text read so far is a scope or
// drive qualifier such as env, script or global (so ':' continues the name).
func (lx *lexer) scopeSoFar(start int) bool {
	switch strings.ToLower(lx.src[start+1 : lx.pos]) {
	case "env", "script", "global", "local", "private", "using", "variable", "function":
		return true
	}
	return false
}

func (lx *lexer) punct(r rune, start int) bool {
	one := func(k Kind, text string) bool {
		lx.advance()
		lx.emit(k, text, start)
		return true
	}
	two := func(k Kind, text string) bool {
		lx.advance()
		lx.advance()
		lx.emit(k, text, start)
		return true
	}
	n := lx.peek(1)
	opNext := n == ' ' || n == '\t' || n == '$' || n == '(' || n >= '0' && n <= '9' || isSingleQuote(n) || isDoubleQuote(n) || n == '[' || n == '-'
	switch {
	case r == '(':
		return one(LParen, "(")
	case r == ')':
		return one(RParen, ")")
	case r == '{':
		return one(LBrace, "{")
	case r == '}':
		return one(RBrace, "}")
	case r == ',':
		return one(Comma, ",")
	case r == ';':
		return one(Semi, ";")
	case r == ']':
		return one(RBracket, "]")
	case r == '[':
		if (!lx.afterExpr() || lx.prev().Kind == TypeLit) && lx.typeLiteral(start) {
			return true
		}
		return one(LBracket, "[")
	case r == '|':
		if n == '|' {
			return two(OrOr, "||")
		}
		return one(Pipe, "|")
	case r == '&':
		if n == '&' {
			return two(AndAnd, "&&")
		}
		return one(Amp, "&")
	case r == '=':
		return one(Assign, "=")
	case r == '+':
		if n == '+' {
			return two(Op, "++")
		}
		if n == '=' {
			return two(Assign, "+=")
		}
		return one(Op, "+")
	case isDash(r):
		if isIdent(n) && !(n >= '0' && n <= '9') {
			lx.advance()
			for isIdent(lx.peek(0)) || lx.peek(0) == '`' && isIdent(lx.peek(1)) {
				lx.advance()
			}
			lx.emit(DashOp, strings.ToLower(strings.ReplaceAll(lx.src[start+1:lx.pos], "`", "")), start)
			return true
		}
		if n == '=' {
			return two(Assign, "-=")
		}
		if isDash(n) && lx.peek(2) == '$' {
			return two(Op, "--")
		}
		return one(Op, "-")
	case r == '*' || r == '/':
		if n == '=' {
			return two(Assign, string(r)+"=")
		}
		if lx.afterExpr() || opNext {
			return one(Op, string(r))
		}
		return false
	case r == '%' || r == '?':
		p := lx.prev().Kind
		if p == Pipe || p == Newline || p == Semi || p == LBrace || len(lx.toks) == 0 {
			return one(Word, string(r))
		}
		if r == '%' && n == '=' {
			return two(Assign, "%=")
		}
		if r == '%' {
			return one(Op, "%")
		}
		return false
	case r == '!':
		return one(Op, "!")
	case r == '.':
		if n == '.' {
			return two(DotDot, "..")
		}
		if lx.afterExpr() {
			return one(Dot, ".")
		}
		if n == ' ' || n == '\t' || n == '(' || n == '$' || n == '{' || n == '&' || isSingleQuote(n) || isDoubleQuote(n) {
			return one(Dot, ".")
		}
		return false
	case r == ':' && n == ':':
		return two(ColonColon, "::")
	case r == '>':
		if n == '>' {
			return two(Redirect, ">>")
		}
		return one(Redirect, ">")
	}
	return false
}

// typeLiteral tries to read [Type.Name], [Type[]] or [Generic[Arg,Arg]].
func (lx *lexer) typeLiteral(start int) bool {
	depth := 0
	i := lx.pos
	var b strings.Builder
	for i < len(lx.src) && i-lx.pos < 400 {
		c := lx.src[i]
		switch {
		case c == '[':
			depth++
			if depth > 1 {
				b.WriteByte(c)
			}
		case c == ']':
			depth--
			if depth == 0 {
				name := strings.ToLower(b.String())
				if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] == '_') {
					return false
				}
				lx.pos = i + 1
				lx.emit(TypeLit, name, start)
				return true
			}
			b.WriteByte(c)
		case c == ' ' || c == '\t' || c == '`':
		case c == '.' || c == '_' || c == ',' || c == '+' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			return false
		}
		i++
	}
	return false
}

func (lx *lexer) number(start int) bool {
	s := lx.src[lx.pos:]
	i := 0
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		i = 2
		for i < len(s) && isHex(s[i]) {
			i++
		}
	} else {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
			i++
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		}
		if i+1 < len(s) && (s[i] == 'e' || s[i] == 'E') && (s[i+1] >= '0' && s[i+1] <= '9' || (s[i+1] == '-' || s[i+1] == '+') && i+2 < len(s) && s[i+2] >= '0' && s[i+2] <= '9') {
			i += 2
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		}
	}
	body := i
	for _, suf := range []string{"kb", "mb", "gb", "tb", "pb", "ul", "l", "d", "u", "y", "uy", "s", "us", "n"} {
		if len(s) >= i+len(suf) && strings.EqualFold(s[i:i+len(suf)], suf) && (len(s) == i+len(suf) || !isIdent(rune(s[i+len(suf)]))) {
			i += len(suf)
			break
		}
	}
	if i < len(s) && (isIdent(rune(s[i])) || s[i] == '.' && i+1 < len(s) && isIdent(rune(s[i+1])) && body == i) {
		return false
	}
	if i < len(s) && s[i] == '>' {
		// 2>&1, 2>$null style redirection
		lx.pos += i + 1
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '&' {
			lx.pos++
			for lx.pos < len(lx.src) && lx.src[lx.pos] >= '0' && lx.src[lx.pos] <= '9' {
				lx.pos++
			}
		}
		lx.emit(Redirect, lx.src[start:lx.pos], start)
		return true
	}
	lx.pos += i
	lx.emit(Number, lx.src[start:lx.pos], start)
	return true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (lx *lexer) word(start int) {
	member := !lx.space && len(lx.toks) > 0 && (lx.prev().Kind == Dot || lx.prev().Kind == ColonColon)
	var b strings.Builder
	for lx.pos < len(lx.src) {
		r := lx.peek(0)
		if r == '`' {
			lx.advance()
			if lx.pos < len(lx.src) {
				b.WriteRune(lx.advance())
			}
			continue
		}
		if member && !isIdent(r) {
			break
		}
		if lx.pos > start && (wordStop(r) || r == '>' || r == '=' && b.Len() == 0) {
			break
		}
		if lx.pos == start && wordStop(r) {
			break
		}
		b.WriteRune(lx.advance())
	}
	if lx.pos == start {
		lx.advance()
		b.WriteString(lx.src[start:lx.pos])
	}
	lx.emit(Word, b.String(), start)
}
