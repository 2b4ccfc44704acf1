package psdeob

import (
	"strconv"
	"strings"
)

func (e *evaluator) eval(n node) value {
	if !e.tick() {
		return unknown
	}
	switch x := n.(type) {
	case *strLit:
		return x.val
	case *expStr:
		s, ok := e.expand(x.raw)
		if !ok {
			return unknown
		}
		if s != x.raw {
			e.record(s, x)
		}
		return s
	case *numLit:
		return parseNumber(x.text)
	case *varRef:
		return e.getVar(x.name)
	case *wordLit:
		return x.text
	case *typeLit:
		return typeVal{name: normType(x.name)}
	case *subExpr:
		v := e.runStmts(x.body)
		if x.array {
			if _, ok := v.(psArray); !ok && !isUnknown(v) {
				if v == nil {
					return psArray{}
				}
				return psArray{v}
			}
		}
		return v
	case *pipeline:
		return e.runPipeline(x)
	case *assignStmt:
		e.assign(x)
		return e.eval(x.target)
	case *scriptBlock:
		return &sbVal{body: x.body, text: x.text}
	case *hashLit:
		h := &psHash{vals: map[string]value{}}
		for i, k := range x.keys {
			ks, _ := e.toStr(e.eval(k))
			v, _ := e.runStmt(x.vals[i])
			lk := strings.ToLower(ks)
			if _, dup := h.vals[lk]; !dup {
				h.keys = append(h.keys, ks)
			}
			h.vals[lk] = v
		}
		return h
	case *arrayLit:
		if !e.reserveElems(len(x.elems)) {
			return unknown
		}
		out := make(psArray, 0, len(x.elems))
		for _, el := range x.elems {
			out = append(out, e.eval(el))
		}
		return out
	case *castExpr:
		return e.cast(x.typ, e.eval(x.x))
	case *unaryExpr:
		return e.unary(x.op, e.eval(x.x))
	case *binaryExpr:
		l := e.eval(x.l)
		r := e.eval(x.r)
		v := e.binary(x.op, l, r)
		if _, ok := v.(string); ok {
			// an operand transformed further is intermediate code, not data;
			// in a + chain only the growing left prefix is intermediate
			if _, chain := x.l.(*binaryExpr); x.op != "+" && x.op != "split" || chain {
				e.consume(l)
			}
		}
		if s, ok := v.(string); ok && (x.op == "+" || x.op == "f" || x.op == "replace" || x.op == "join") {
			e.record(s, x)
		}
		return v
	case *memberExpr:
		return e.member(x)
	case *invokeExpr:
		return e.invoke(x)
	case *indexExpr:
		return e.index(e.eval(x.x), e.eval(x.idx))
	case *incDec:
		if v, ok := x.x.(*varRef); ok {
			cur := e.getVar(v.name)
			d := int64(1)
			if x.op == "--" {
				d = -1
			}
			nv := e.binary("+", cur, d)
			e.setVar(v.name, nv)
			return nv
		}
	case *paramTok:
		return "-" + x.name
	case *command:
		return e.runCommand(x, nil, false)
	case stmt:
		if v, has := e.runStmt(x); has {
			return v
		}
		return nil
	}
	return unknown
}

func parseNumber(text string) value {
	t := strings.ToLower(text)
	mult := int64(1)
	for suf, m := range map[string]int64{"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40, "pb": 1 << 50} {
		if strings.HasSuffix(t, suf) {
			mult = m
			t = strings.TrimSuffix(t, suf)
		}
	}
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	if strings.HasPrefix(t, "0x") {
		t = strings.TrimRight(t, "lusyn") // 'd' is a hex digit here
	} else {
		t = strings.TrimRight(t, "ludysn")
	}
	var v value
	if strings.HasPrefix(t, "0x") {
		n, err := strconv.ParseUint(t[2:], 16, 64)
		if err != nil {
			return unknown
		}
		v = int64(n)
		if n <= 0xffffffff && n > 0x7fffffff {
			v = int64(int32(uint32(n))) // PowerShell hex literals are Int32 when they fit 32 bits
		}
	} else if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		v = n
	} else if f, err := strconv.ParseFloat(t, 64); err == nil {
		v = f
	} else {
		return unknown
	}
	if i, ok := v.(int64); ok {
		i *= mult
		if neg {
			i = -i
		}
		return i
	}
	f := v.(float64) * float64(mult)
	if neg {
		f = -f
	}
	return f
}

// expand performs double-quoted string expansion.
func (e *evaluator) expand(raw string) (string, bool) {
	var b strings.Builder
	rs := []rune(raw)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '`' && i+1 < len(rs):
			i++
			b.WriteString(backtickEscape(rs, &i))
		case isDQ(c) && i+1 < len(rs) && isDQ(rs[i+1]):
			b.WriteRune(c)
			i++
		case c == '$' && i+1 < len(rs):
			s, n, ok := e.expandDollar(rs[i+1:])
			if !ok {
				return "", false
			}
			if n == 0 {
				b.WriteRune('$')
				continue
			}
			b.WriteString(s)
			i += n
		default:
			b.WriteRune(c)
		}
		if int64(b.Len()) > e.room() {
			e.reserve(int64(b.Len())) // records the budget as the reason
			return "", false
		}
	}
	if !e.reserve(int64(b.Len())) {
		return "", false
	}
	return b.String(), true
}

func isDQ(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

func backtickEscape(rs []rune, i *int) string {
	switch rs[*i] {
	case '0':
		return "\x00"
	case 'a':
		return "\a"
	case 'b':
		return "\b"
	case 'e':
		return "\x1b"
	case 'f':
		return "\f"
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case 'v':
		return "\v"
	case 'u':
		if *i+2 < len(rs) && rs[*i+1] == '{' {
			j := *i + 2
			for j < len(rs) && rs[j] != '}' && j-*i < 10 {
				j++
			}
			if j < len(rs) && rs[j] == '}' {
				if n, err := strconv.ParseUint(string(rs[*i+2:j]), 16, 32); err == nil {
					*i = j
					return string(rune(n))
				}
			}
		}
	}
	return string(rs[*i])
}

// expandDollar expands $name, ${name} or $( ... ) at the start of rs (after
// the '$'). It returns the text, the number of runes consumed and ok=false
// when the value is unknown.
func (e *evaluator) expandDollar(rs []rune) (string, int, bool) {
	switch {
	case rs[0] == '(':
		depth, j := 0, 0
		var q rune
		for j = 0; j < len(rs); j++ {
			c := rs[j]
			if q != 0 {
				if c == q || q == '"' && isDQ(c) {
					q = 0
				}
				continue
			}
			if c == '\'' || isDQ(c) {
				q = c
				if isDQ(c) {
					q = '"'
				}
				continue
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		inner := string(rs[1:min(j, len(rs))])
		if e.depth > 4*maxLayerDepth {
			return "", 0, false
		}
		if !e.reserveParse(inner) {
			return "", 0, false
		}
		e.depth++
		v := e.runStmts(parseScript(inner))
		e.depth--
		s, ok := e.toStr(v)
		return s, j + 1, ok
	case rs[0] == '{':
		j := 1
		for j < len(rs) && rs[j] != '}' {
			j++
		}
		name := normVarName(string(rs[1:min(j, len(rs))]))
		s, ok := e.toStr(e.getVar(name))
		return s, j + 1, ok
	case rs[0] == '?' || rs[0] == '$' || rs[0] == '^':
		s, ok := e.toStr(e.getVar(string(rs[0])))
		return s, 1, ok
	case isIdentRune(rs[0]):
		j := 0
		for j < len(rs) && (isIdentRune(rs[j]) || rs[j] == ':' && j+1 < len(rs) && isIdentRune(rs[j+1]) && isScope(string(rs[:j]))) {
			j++
		}
		s, ok := e.toStr(e.getVar(normVarName(string(rs[:j]))))
		return s, j, ok
	}
	return "", 0, true
}

func isScope(s string) bool {
	switch strings.ToLower(s) {
	case "env", "script", "global", "local", "private", "using", "variable":
		return true
	}
	return false
}

func isIdentRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
