package psdeob

import (
	"errors"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

var errTooLarge = errors.New("input too large")

func (e *evaluator) compare(op string, l, r value) value {
	ci := !strings.HasPrefix(op, "c")
	base := strings.TrimPrefix(strings.TrimPrefix(op, "c"), "i")
	if op == "in" || op == "notin" || op == "is" || op == "isnot" {
		base = op
	}
	if arr, ok := l.(psArray); ok && base != "contains" && base != "notcontains" && base != "is" && base != "isnot" {
		if !e.reserveElems(len(arr)) {
			return unknown
		}
		var out psArray
		for _, it := range arr {
			if b, ok := e.compare(op, it, r).(bool); ok && b {
				out = append(out, it)
			}
		}
		return out
	}
	ls, lok := e.toStr(l)
	rs, rok := e.toStr(r)
	eq := func(a, b string) bool {
		if ci {
			return strings.EqualFold(a, b)
		}
		return a == b
	}
	switch base {
	case "eq", "ne", "gt", "ge", "lt", "le":
		var c int
		ln, ok1 := l.(int64)
		rn, ok2 := toInt(r)
		switch {
		case ok1 && ok2:
			c = cmpInt(ln, rn)
		case lok && rok:
			if !e.work(int64(len(ls)) + int64(len(rs))) {
				return unknown
			}
			if ci {
				ls, rs = strings.ToLower(ls), strings.ToLower(rs)
			}
			c = strings.Compare(ls, rs)
		default:
			return unknown
		}
		switch base {
		case "eq":
			return c == 0
		case "ne":
			return c != 0
		case "gt":
			return c > 0
		case "ge":
			return c >= 0
		case "lt":
			return c < 0
		}
		return c <= 0
	case "like", "notlike":
		if !lok || !rok || !e.regexSubject(ls) || len(rs) > 4096 {
			return unknown
		}
		m := wildcardMatch(rs, ls)
		return m == (base == "like")
	case "match", "notmatch":
		if !lok || !rok {
			return unknown
		}
		re, err := e.regex(rs, ci)
		if err != nil || !e.regexSubject(ls) {
			return unknown
		}
		return re.MatchString(ls) == (base == "match")
	case "contains", "notcontains", "in", "notin":
		coll, item := l, r
		if base == "in" || base == "notin" {
			coll, item = r, l
		}
		is, ok := e.toStr(item)
		if !ok {
			return unknown
		}
		found := false
		for _, it := range toList(coll) {
			if s, ok := e.toStr(it); ok && eq(s, is) {
				found = true
			}
		}
		return found == (base == "contains" || base == "in")
	}
	return unknown
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcardMatch implements PowerShell -like matching (* ? [set]), case-insensitive.
func wildcardMatch(pattern, s string) bool {
	p := strings.ToLower(strings.ReplaceAll(pattern, "\\", "\x00"))
	m, err := path.Match(p, strings.ToLower(strings.ReplaceAll(s, "\\", "\x00")))
	return err == nil && m
}

// format implements the .NET composite format used by -f.
func (e *evaluator) format(f string, args []value) value {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '{' {
			if i+1 < len(f) && f[i+1] == '{' {
				b.WriteByte('{')
				i++
				continue
			}
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return unknown
			}
			spec := f[i+1 : i+end]
			i += end
			s, ok := e.formatItem(spec, args)
			if !ok {
				return unknown
			}
			b.WriteString(s)
		} else if c == '}' {
			if i+1 < len(f) && f[i+1] == '}' {
				i++
			}
			b.WriteByte('}')
		} else {
			b.WriteByte(c)
		}
		if int64(b.Len()) > e.room() {
			e.reserve(int64(b.Len())) // records the budget as the reason
			return unknown
		}
	}
	if !e.reserve(int64(b.Len())) {
		return unknown
	}
	return b.String()
}

func (e *evaluator) formatItem(spec string, args []value) (string, bool) {
	fmtPart := ""
	if k := strings.IndexByte(spec, ':'); k >= 0 {
		fmtPart = spec[k+1:]
		spec = spec[:k]
	}
	align := 0
	if k := strings.IndexByte(spec, ','); k >= 0 {
		a, err := strconv.Atoi(strings.TrimSpace(spec[k+1:]))
		if err != nil || a > 10000 || a < -10000 {
			return "", false
		}
		align = a
		spec = spec[:k]
	}
	idx, err := strconv.Atoi(strings.TrimSpace(spec))
	if err != nil || idx < 0 || idx >= len(args) {
		return "", false
	}
	v := args[idx]
	var s string
	ok := true
	if fmtPart != "" {
		if n, isInt := toInt(v); isInt && (fmtPart[0] == 'x' || fmtPart[0] == 'X' || fmtPart[0] == 'd' || fmtPart[0] == 'D') {
			width, _ := strconv.Atoi(fmtPart[1:])
			switch fmtPart[0] {
			case 'x':
				s = strconv.FormatInt(n, 16)
			case 'X':
				s = strings.ToUpper(strconv.FormatInt(n, 16))
			default:
				s = strconv.FormatInt(n, 10)
			}
			for len(s) < width && width < 64 {
				s = "0" + s
			}
		} else {
			s, ok = e.toStr(v)
		}
	} else {
		s, ok = e.toStr(v)
	}
	if !ok {
		return "", false
	}
	n := utf8.RuneCountInString(s)
	if align > n {
		s = strings.Repeat(" ", align-n) + s
	} else if -align > n {
		s += strings.Repeat(" ", -align-n)
	}
	return s, true
}

func (e *evaluator) cast(typ string, v value) value {
	t := normType(typ)
	if isUnknown(v) {
		return unknown
	}
	switch t {
	case "char":
		return toChar(v)
	case "char[]":
		if s, ok := v.(string); ok {
			return e.charArray(s)
		}
		if !e.reserveElems(listLen(v)) {
			return unknown
		}
		var out psArray
		for _, it := range toList(v) {
			c := toChar(it)
			if isUnknown(c) {
				return unknown
			}
			out = append(out, c)
		}
		e.note("[char[]] cast")
		return out
	case "string":
		if s, ok := e.toStr(v); ok {
			return s
		}
		return unknown
	case "string[]":
		if !e.reserveElems(listLen(v)) {
			return unknown
		}
		var out psArray
		for _, it := range toList(v) {
			s, ok := e.toStr(it)
			if !ok {
				return unknown
			}
			out = append(out, s)
		}
		return out
	case "int", "int32", "int16", "int64", "long", "uint32", "uint16", "uint64", "short", "sbyte", "uint":
		if c, ok := v.(psChar); ok {
			return int64(c)
		}
		if n, ok := toInt(v); ok {
			return n
		}
		return unknown
	case "byte":
		n, ok := toInt(v)
		if c, isc := v.(psChar); isc {
			n, ok = int64(c), true
		}
		if !ok || n < 0 || n > 255 {
			return unknown
		}
		return n
	case "byte[]":
		if b, ok := e.toBytes(v); ok {
			if _, already := v.([]byte); !already {
				e.recordPayload(b)
			}
			return b
		}
		return unknown
	case "int[]", "int32[]", "int16[]", "long[]":
		if !e.reserveElems(listLen(v)) {
			return unknown
		}
		var out psArray
		for _, it := range toList(v) {
			n, ok := toInt(it)
			if !ok {
				return unknown
			}
			out = append(out, n)
		}
		return out
	case "double", "float", "single", "decimal":
		if n, ok := toNum(v); ok {
			return asFloat(n)
		}
		return unknown
	case "bool", "boolean":
		if b, ok := toBool(v); ok {
			return b
		}
		return unknown
	case "array", "object[]", "collections.arraylist":
		if b, ok := v.([]byte); ok {
			return e.byteList(b)
		}
		return psArray(toList(v))
	case "type":
		if s, ok := e.toStr(v); ok {
			return typeVal{name: normType(s)}
		}
	case "scriptblock":
		if s, ok := v.(string); ok {
			if !e.reserveParse(s) {
				return unknown
			}
			return &sbVal{body: parseScript(s), text: s}
		}
	case "regex":
		return v
	case "io.memorystream":
		if b, ok := e.toBytes(v); ok {
			return &object{kind: "memorystream", typ: "System.IO.MemoryStream", data: b}
		}
	}
	return v
}

func toChar(v value) value {
	switch x := v.(type) {
	case psChar:
		return x
	case string:
		if utf8.RuneCountInString(x) == 1 {
			r, _ := utf8.DecodeRuneInString(x)
			return psChar(r)
		}
		return unknown
	case psArray:
		if len(x) == 1 {
			return toChar(x[0])
		}
		return unknown
	}
	n, ok := toInt(v)
	if !ok || n < 0 || n > 0x10FFFF {
		return unknown
	}
	return psChar(rune(n))
}

func (e *evaluator) index(x, idx value) value {
	if isUnknown(x) || isUnknown(idx) {
		return unknown
	}
	if arr, ok := idx.(psArray); ok {
		if !e.reserveElems(len(arr)) {
			return unknown
		}
		out := make(psArray, 0, len(arr))
		for _, i := range arr {
			v := e.index(x, i)
			if v != nil {
				out = append(out, v)
			}
		}
		return out
	}
	if h, ok := x.(*psHash); ok {
		k, _ := e.toStr(idx)
		return h.vals[strings.ToLower(k)]
	}
	if o, ok := x.(*object); ok && o.props != nil {
		k, _ := e.toStr(idx)
		return o.props[strings.ToLower(k)]
	}
	i, ok := toInt(idx)
	if !ok {
		return unknown
	}
	switch c := x.(type) {
	case string:
		r, in, ok := e.runeAt(c, i)
		if !ok {
			return unknown
		}
		if !in {
			return nil
		}
		return psChar(r)
	case psArray:
		if i < 0 {
			i += int64(len(c))
		}
		if i < 0 || i >= int64(len(c)) {
			return nil
		}
		return c[i]
	case []byte:
		if i < 0 {
			i += int64(len(c))
		}
		if i < 0 || i >= int64(len(c)) {
			return nil
		}
		return int64(c[i])
	case nil:
		return nil
	}
	if i == 0 || i == -1 {
		return x
	}
	return unknown
}
