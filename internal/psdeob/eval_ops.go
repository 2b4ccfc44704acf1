package psdeob

import (
	"regexp"
	"strings"

	"github.com/secmcp/secmcp/internal/psdeob/pstoken"
)

var normVarName = pstoken.NormalizeVar

func (e *evaluator) unary(op string, v value) value {
	if isUnknown(v) {
		return unknown
	}
	switch op {
	case "-":
		n, ok := toNum(v)
		if !ok {
			return unknown
		}
		if i, isInt := n.(int64); isInt {
			return -i
		}
		return -n.(float64)
	case "+":
		if n, ok := toNum(v); ok {
			return n
		}
		return unknown
	case "!", "not":
		b, ok := toBool(v)
		if !ok {
			return unknown
		}
		return !b
	case "bnot":
		n, ok := toInt(v)
		if !ok {
			return unknown
		}
		return ^n
	case "join":
		e.note("-join")
		return e.join(v, "")
	case "split":
		s, ok := e.toStr(v)
		if !ok {
			return unknown
		}
		return e.fields(s)
	}
	return unknown
}

// fields is strings.Fields as an array, charged piece by piece.
func (e *evaluator) fields(s string) value {
	var out psArray
	for f := range strings.FieldsSeq(s) {
		if !e.reserve(elemBytes) {
			return unknown
		}
		out = append(out, f)
	}
	return out
}

func strsToArr(ss []string) psArray {
	out := make(psArray, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (e *evaluator) join(v value, sep string) value {
	if b, ok := v.([]byte); ok {
		v = e.byteList(b)
	}
	var b strings.Builder
	for i, el := range toList(v) {
		s, ok := e.toStr(el)
		if !ok {
			return unknown
		}
		if i > 0 {
			s = sep + s
		}
		if !e.reserve(int64(len(s))) {
			return unknown
		}
		b.WriteString(s)
	}
	return b.String()
}

// byteList is toList of a byte buffer, charged.
func (e *evaluator) byteList(b []byte) value {
	if !e.reserveElems(len(b)) {
		return unknown
	}
	return toList(b)
}

func (e *evaluator) binary(op string, l, r value) value {
	if isUnknown(l) || isUnknown(r) {
		if op == "and" || op == "or" {
			return unknown
		}
		return unknown
	}
	switch op {
	case "+":
		return e.add(l, r)
	case "-", "*", "/", "%":
		return e.arith(op, l, r)
	case "join":
		s, ok := e.toStr(r)
		if !ok {
			return unknown
		}
		e.note("-join")
		return e.join(l, s)
	case "split", "isplit", "csplit":
		return e.split(l, r, op != "csplit")
	case "replace", "ireplace", "creplace":
		return e.replaceOp(l, r, op != "creplace")
	case "bxor", "band", "bor", "shl", "shr":
		return e.bitwise(op, l, r)
	case "f":
		s, ok := e.toStr(l)
		if !ok {
			return unknown
		}
		e.note("-f format")
		return e.format(s, toList(r))
	case "..":
		a, ok1 := toInt(l)
		b, ok2 := toInt(r)
		if !ok1 || !ok2 || !e.reserve(mulSize(rangeLen(a, b), elemBytes)) {
			return unknown
		}
		out := make(psArray, 0, rangeLen(a, b))
		step := int64(1)
		if b < a {
			step = -1
		}
		for i := a; ; i += step {
			out = append(out, i)
			if i == b {
				break
			}
		}
		return out
	case "and", "or", "xor":
		a, ok1 := toBool(l)
		b, ok2 := toBool(r)
		if !ok1 || !ok2 {
			return unknown
		}
		switch op {
		case "and":
			return a && b
		case "or":
			return a || b
		}
		return a != b
	case "as":
		if t, ok := r.(typeVal); ok {
			return e.cast(t.name, l)
		}
		if s, ok := r.(string); ok {
			return e.cast(normType(s), l)
		}
		return unknown
	}
	return e.compare(op, l, r)
}

func (e *evaluator) add(l, r value) value {
	switch x := l.(type) {
	case string, psChar:
		ls, _ := e.toStr(x)
		rs, ok := e.toStr(r)
		if !ok || !e.reserve(int64(len(ls))+int64(len(rs))) {
			return unknown
		}
		return ls + rs
	case psArray, []byte:
		if !e.reserveElems(listLen(x) + listLen(r)) {
			return unknown
		}
		out := make(psArray, 0, listLen(x)+listLen(r))
		out = append(out, toList(x)...)
		return append(out, toList(r)...)
	case nil:
		return r
	case *psHash:
		if h, ok := r.(*psHash); ok {
			if !e.reserveElems(2 * (len(x.keys) + len(h.keys))) {
				return unknown
			}
			n := &psHash{keys: append([]string(nil), x.keys...), vals: map[string]value{}}
			for k, v := range x.vals {
				n.vals[k] = v
			}
			for _, k := range h.keys {
				n.keys = append(n.keys, k)
				n.vals[strings.ToLower(k)] = h.vals[strings.ToLower(k)]
			}
			return n
		}
	}
	return e.arith("+", l, r)
}

func (e *evaluator) arith(op string, l, r value) value {
	if op == "*" {
		if s, ok := l.(string); ok {
			n, ok := toInt(r)
			if !ok || n < 0 || !e.reserve(mulSize(int64(len(s)), n)) {
				return unknown
			}
			return strings.Repeat(s, int(n))
		}
		if a, ok := l.(psArray); ok {
			n, ok := toInt(r)
			if !ok || n < 0 || !e.reserve(mulSize(mulSize(int64(len(a)), n), elemBytes)) {
				return unknown
			}
			out := make(psArray, 0, len(a)*int(n))
			for i := int64(0); i < n && len(a) > 0; i++ {
				out = append(out, a...)
			}
			return out
		}
	}
	a, ok1 := toNum(l)
	b, ok2 := toNum(r)
	if !ok1 || !ok2 {
		return unknown
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		switch op {
		case "+":
			return ai + bi
		case "-":
			return ai - bi
		case "*":
			return ai * bi
		case "/":
			if bi == 0 {
				return unknown
			}
			if ai%bi == 0 {
				return ai / bi
			}
			return float64(ai) / float64(bi)
		case "%":
			if bi == 0 {
				return unknown
			}
			return ai % bi
		}
	}
	af, bf := asFloat(a), asFloat(b)
	switch op {
	case "+":
		return af + bf
	case "-":
		return af - bf
	case "*":
		return af * bf
	case "/":
		if bf == 0 {
			return unknown
		}
		return af / bf
	}
	return unknown
}

func asFloat(v value) float64 {
	if i, ok := v.(int64); ok {
		return float64(i)
	}
	f, _ := v.(float64)
	return f
}

func (e *evaluator) bitwise(op string, l, r value) value {
	if arr, ok := l.(psArray); ok && len(arr) != 1 {
		return unknown
	}
	a, ok1 := toInt(l)
	b, ok2 := toInt(r)
	if !ok1 || !ok2 {
		return unknown
	}
	switch op {
	case "bxor":
		e.note("-bxor " + hexKey(b))
		return a ^ b
	case "band":
		return a & b
	case "bor":
		return a | b
	case "shl":
		return a << uint(b&63)
	case "shr":
		return a >> uint(b&63)
	}
	return unknown
}

func hexKey(b int64) string {
	const digits = "0123456789abcdef"
	if b < 0 || b > 0xffff {
		return "key"
	}
	if b < 256 {
		return "0x" + string(digits[b>>4]) + string(digits[b&15])
	}
	return "0x" + string(digits[b>>12&15]) + string(digits[b>>8&15]) + string(digits[b>>4&15]) + string(digits[b&15])
}

// dotnetRegex converts a .NET pattern to RE2 syntax where they differ in
// simple ways; patterns RE2 cannot express make the operation unknown.
func dotnetRegex(pat string, ci bool) (*regexp.Regexp, error) {
	if len(pat) > 4096 {
		return nil, errTooLarge
	}
	if ci {
		pat = "(?i)" + pat
	}
	return regexp.Compile(pat)
}

func (e *evaluator) split(l, r value, ci bool) value {
	args := toList(r)
	if len(args) == 0 {
		return unknown
	}
	pat, ok := e.toStr(args[0])
	if !ok {
		return unknown
	}
	re, err := e.regex(pat, ci)
	if err != nil {
		return unknown
	}
	limit := -1
	if len(args) > 1 {
		if n, ok := toInt(args[1]); ok && n > 0 {
			limit = int(n)
		}
	}
	e.note("-split")
	var out psArray
	for _, item := range toList(l) {
		s, ok := e.toStr(item)
		if !ok || !e.regexSubject(s) {
			return unknown
		}
		parts, ok := e.reSplit(re, s, limit)
		if !ok {
			return unknown
		}
		out = append(out, strsToArr(parts)...)
	}
	return out
}

func (e *evaluator) replaceOp(l, r value, ci bool) value {
	args := toList(r)
	if len(args) == 0 {
		return unknown
	}
	pat, ok := e.toStr(args[0])
	if !ok {
		return unknown
	}
	repl := ""
	if len(args) > 1 {
		if repl, ok = e.toStr(args[1]); !ok {
			return unknown
		}
	}
	re, err := e.regex(pat, ci)
	if err != nil {
		return unknown
	}
	e.note("-replace")
	goRepl := dotnetReplacement(repl)
	if arr, isArr := l.(psArray); isArr {
		if !e.reserveElems(len(arr)) {
			return unknown
		}
		out := make(psArray, len(arr))
		for i, it := range arr {
			s, ok := e.toStr(it)
			if !ok {
				return unknown
			}
			if out[i] = e.reReplace(re, s, goRepl); isUnknown(out[i]) {
				return unknown
			}
		}
		return out
	}
	s, ok := e.toStr(l)
	if !ok {
		return unknown
	}
	return e.reReplace(re, s, goRepl)
}

// dotnetReplacement converts $1 / ${name} / $$ / $0 to Go's expansion syntax.
func dotnetReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteString("$$")
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 {
			b.WriteString("${" + s[i+1:j] + "}")
			i = j - 1
			continue
		}
		if i+1 < len(s) && s[i+1] == '{' {
			b.WriteByte('$')
			continue
		}
		b.WriteString("$$")
	}
	return b.String()
}
