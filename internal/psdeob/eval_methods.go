package psdeob

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
)

func (e *evaluator) stringMethod(s, name string, args []value) value {
	strArg := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		return e.toStr(args[i])
	}
	intArg := func(i int) (int, bool) {
		if i >= len(args) {
			return 0, false
		}
		n, ok := toInt(args[i])
		return int(n), ok && n >= 0 && n <= int64(len(s))
	}
	switch name {
	case "replace":
		a, ok1 := strArg(0)
		b, ok2 := strArg(1)
		if !ok1 || !ok2 || a == "" {
			return unknown
		}
		e.note(".Replace()")
		return e.replaceLiteral(s, a, b)
	case "split":
		if len(args) == 0 {
			return e.fields(s)
		}
		var seps []string
		for _, it := range toList(args[0]) {
			str, ok := e.toStr(it)
			if !ok {
				return unknown
			}
			if _, isArr := args[0].(psArray); isArr {
				seps = append(seps, str)
			} else {
				for _, r := range str {
					seps = append(seps, string(r))
				}
			}
		}
		e.note(".Split()")
		parts, ok := e.splitAny(s, seps)
		if !ok {
			return unknown
		}
		return strsToArr(parts)
	case "tochararray":
		return e.charArray(s)
	case "substring":
		rs, ok := e.runes(s)
		if !ok {
			return unknown
		}
		if rs == nil {
			rs = []rune(s) // ASCII: same indexes; sliced below, so the copy is bounded by s
		}
		i, ok := intArg(0)
		if !ok || i > len(rs) {
			return unknown
		}
		if len(args) > 1 {
			n, ok := intArg(1)
			if !ok || i+n > len(rs) {
				return unknown
			}
			return string(rs[i : i+n])
		}
		return string(rs[i:])
	case "tolower", "tolowerinvariant":
		if !e.reserve(int64(len(s))) {
			return unknown
		}
		return strings.ToLower(s)
	case "toupper", "toupperinvariant":
		if !e.reserve(int64(len(s))) {
			return unknown
		}
		return strings.ToUpper(s)
	case "trim", "trimstart", "trimend":
		cut := " \t\r\n"
		if len(args) > 0 {
			c, ok := e.toStr(args[0])
			if !ok {
				return unknown
			}
			cut = c
		}
		switch name {
		case "trim":
			return strings.Trim(s, cut)
		case "trimstart":
			return strings.TrimLeft(s, cut)
		}
		return strings.TrimRight(s, cut)
	case "insert":
		i, ok := intArg(0)
		v, ok2 := strArg(1)
		if !ok || !ok2 || !e.reserve(int64(len(s))+int64(len(v))) {
			return unknown
		}
		return s[:i] + v + s[i:]
	case "remove":
		i, ok := intArg(0)
		if !ok {
			return unknown
		}
		if len(args) > 1 {
			n, ok := intArg(1)
			if !ok || i+n > len(s) || !e.reserve(int64(len(s))) {
				return unknown
			}
			return s[:i] + s[i+n:]
		}
		return s[:i]
	case "indexof", "lastindexof":
		a, ok := strArg(0)
		if !ok {
			return unknown
		}
		if name == "indexof" {
			return int64(strings.Index(s, a))
		}
		return int64(strings.LastIndex(s, a))
	case "contains", "startswith", "endswith", "equals":
		a, ok := strArg(0)
		if !ok {
			return unknown
		}
		switch name {
		case "contains":
			return strings.Contains(s, a)
		case "startswith":
			return strings.HasPrefix(s, a)
		case "endswith":
			return strings.HasSuffix(s, a)
		}
		return s == a
	case "tostring", "normalize", "clone", "trimnull":
		return s
	case "chars":
		if len(args) == 1 {
			return e.index(s, args[0])
		}
	case "padleft", "padright":
		n, ok := toInt(firstOr(args))
		if !ok {
			return unknown
		}
		return e.pad(s, n, name == "padleft")
	}
	return unknown
}

func firstOr(a []value) value {
	if len(a) == 0 {
		return unknown
	}
	return a[0]
}

// splitAny splits s at any of seps; ok is false when the pieces would
// exceed the budget.
func (e *evaluator) splitAny(s string, seps []string) ([]string, bool) {
	if len(seps) == 0 {
		return []string{s}, true
	}
	if !e.work(mulSize(int64(len(s)), int64(len(seps)))) {
		return nil, false
	}
	var out []string
	start := 0
	for i := 0; i < len(s); {
		matched := false
		for _, sep := range seps {
			if sep != "" && strings.HasPrefix(s[i:], sep) {
				if !e.reserve(elemBytes) {
					return nil, false
				}
				out = append(out, s[start:i])
				i += len(sep)
				start = i
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	return append(out, s[start:]), true
}

func (e *evaluator) staticCall(t, name string, args []value, at *invokeExpr) value {
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		return e.toStr(args[i])
	}
	if name == "new" {
		return e.newObject(t, args)
	}
	switch t {
	case "convert":
		return e.convertCall(name, args)
	case "string":
		switch name {
		case "join":
			sep, ok := str(0)
			if !ok || len(args) < 2 {
				return unknown
			}
			rest := args[1]
			if len(args) > 2 {
				rest = psArray(args[1:])
			}
			e.note("-join")
			return e.join(rest, sep)
		case "concat":
			return e.join(psArray(args), "")
		case "format":
			f, ok := str(0)
			if !ok {
				return unknown
			}
			var fa []value
			if len(args) == 2 {
				fa = toList(args[1])
			} else {
				fa = args[1:]
			}
			e.note("-f format")
			return e.format(f, fa)
		case "isnullorempty":
			s, ok := str(0)
			return ok && s == ""
		}
	case "char":
		if name == "convertfromutf32" || name == "tostring" {
			return toChar(firstOr(args))
		}
	case "array":
		if name == "reverse" && len(args) == 1 {
			// Reverse works in place on the shared backing array, like .NET.
			if arr, ok := args[0].(psArray); ok {
				for i, j := 0, len(arr)-1; i < j; i, j = i+1, j-1 {
					arr[i], arr[j] = arr[j], arr[i]
				}
				e.note("string reversal")
			}
		}
		return nil
	case "regex", "text.regularexpressions.regex":
		return e.regexCall(name, args)
	case "scriptblock", "management.automation.scriptblock":
		if name == "create" {
			if s, ok := str(0); ok {
				e.sink(s, "[ScriptBlock]::Create", at)
				return &sbVal{text: s, body: nil}
			}
		}
	case "runtime.interopservices.marshal":
		for _, a := range args {
			if o, ok := a.(*object); ok && (o.kind == "securestring" || o.kind == "ptr") {
				if strings.HasPrefix(name, "securestringto") {
					return &object{kind: "ptr", text: o.text, typ: "System.IntPtr"}
				}
				return o.text
			}
		}
	case "environment":
		if name == "getenvironmentvariable" {
			if s, ok := str(0); ok {
				if v, ok := e.env[strings.ToLower(s)]; ok {
					return v
				}
			}
		}
		if name == "expandenvironmentvariables" {
			if s, ok := str(0); ok {
				if x, ok := e.expandCmd(s); ok {
					return x
				}
				return unknown
			}
		}
	case "text.encoding":
		if name == "getencoding" {
			if s, ok := str(0); ok {
				return &object{kind: "encoding", enc: strings.ToLower(strings.ReplaceAll(s, "-", "")), typ: "System.Text.Encoding"}
			}
		}
	case "reflection.assembly", "appdomain":
		e.note("reflective load")
	}
	return unknown
}

func (e *evaluator) convertCall(name string, args []value) value {
	if len(args) == 0 {
		return unknown
	}
	switch name {
	case "frombase64string":
		s, ok := e.toStr(args[0])
		if !ok {
			return unknown
		}
		if !e.reserve(int64(len(s)) * 3 / 4) {
			return unknown
		}
		b, err := decodeBase64(s)
		if err != nil {
			return unknown
		}
		e.note("base64 decode")
		e.recordPayload(b)
		return b
	case "tobase64string":
		b, ok := e.toBytes(args[0])
		if !ok || !e.reserve(int64(base64.StdEncoding.EncodedLen(len(b)))) {
			return unknown
		}
		return base64.StdEncoding.EncodeToString(b)
	case "toint16", "toint32", "toint64", "tobyte", "touint16", "touint32", "touint64", "tosbyte", "tochar":
		base := int64(10)
		if len(args) > 1 {
			b, ok := toInt(args[1])
			if !ok {
				return unknown
			}
			base = b
		}
		var n int64
		if s, isStr := args[0].(string); isStr {
			u, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(strings.ToLower(s), "0x")), int(base), 64)
			if err != nil {
				return unknown
			}
			n = u
			if base != 10 {
				e.note("numeric base conversion (base " + strconv.FormatInt(base, 10) + ")")
			}
		} else {
			v, ok := toInt(args[0])
			if !ok {
				return unknown
			}
			n = v
		}
		if name == "tochar" {
			return toChar(n)
		}
		return n
	case "tostring":
		if len(args) == 2 {
			n, ok1 := toInt(args[0])
			b, ok2 := toInt(args[1])
			if ok1 && ok2 && (b == 2 || b == 8 || b == 10 || b == 16) {
				return strconv.FormatInt(n, int(b))
			}
		}
		s, ok := e.toStr(args[0])
		if !ok {
			return unknown
		}
		return s
	}
	return unknown
}

func (e *evaluator) regexCall(name string, args []value) value {
	if len(args) < 2 {
		return unknown
	}
	in, ok1 := e.toStr(args[0])
	pat, ok2 := e.toStr(args[1])
	if !ok1 || !ok2 {
		return unknown
	}
	opts := ""
	if len(args) > 2 && name != "replace" {
		opts, _ = e.toStr(args[2])
	}
	if len(args) > 3 && name == "replace" {
		opts, _ = e.toStr(args[3])
	}
	re, err := e.regex(pat, strings.Contains(strings.ToLower(opts), "ignorecase"))
	if err != nil || !e.regexSubject(in) {
		return unknown
	}
	switch name {
	case "matches":
		ms := re.FindAllString(in, int(min(e.room()/elemBytes+1, int64(len(in))+2)))
		if !e.reserveElems(len(ms)) {
			return unknown
		}
		out := make(psArray, len(ms))
		rtl := strings.Contains(strings.ToLower(opts), "righttoleft")
		for i, m := range ms {
			if rtl {
				out[len(ms)-1-i] = matchVal{val: m}
			} else {
				out[i] = matchVal{val: m}
			}
		}
		if rtl {
			e.note("string reversal")
		}
		return out
	case "match":
		return matchVal{val: re.FindString(in)}
	case "replace":
		repl, ok := e.toStr(args[2])
		if !ok {
			return unknown
		}
		e.note("-replace")
		return e.reReplace(re, in, dotnetReplacement(repl))
	case "split":
		parts, ok := e.reSplit(re, in, -1)
		if !ok {
			return unknown
		}
		return strsToArr(parts)
	case "ismatch":
		return re.MatchString(in)
	case "unescape":
		return regexUnescape(in)
	case "escape":
		if !e.reserve(2 * int64(len(in))) {
			return unknown
		}
		return regexp.QuoteMeta(in)
	}
	return unknown
}

func regexUnescape(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\.`, `.`, `\n`, "\n", `\t`, "\t", `\r`, "\r", `\$`, `$`, `\(`, `(`, `\)`, `)`, `\[`, `[`, `\]`, `]`, `\*`, `*`, `\+`, `+`, `\?`, `?`, `\{`, `{`, `\}`, `}`, `\|`, `|`, `\^`, `^`, `\ `, ` `)
	return r.Replace(s)
}
