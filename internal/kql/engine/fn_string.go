package engine

import (
	"strings"
	"unicode/utf8"
)

func registerString() {
	register("tostring", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		return strV(toStringValue(a[0])), nil
	})
	register("toupper", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		return strV(strings.ToUpper(sArg(a[0]))), nil
	})
	register("tolower", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		return strV(strings.ToLower(sArg(a[0]))), nil
	})
	register("strlen", 1, 1, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		return longV(int64(utf8.RuneCountInString(sArg(a[0])))), nil
	})
	register("string_size", 1, 1, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		return longV(int64(len(sArg(a[0])))), nil
	})
	register("reverse", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		r := []rune(sArg(a[0]))
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return strV(string(r)), nil
	})
	register("substring", 2, 3, fixed(kString), false, fnSubstring)
	register("indexof", 2, 5, fixed(kLong), false, fnIndexOf)
	register("split", 2, 3, fixed(kDynamic), false, fnSplit)
	register("strcat", 1, 64, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		var buf [8]string
		parts := buf[:0]
		for _, x := range a {
			parts = append(parts, toStringValue(x))
		}
		return joinWithin(c, "strcat", parts, "")
	})
	register("strcat_delim", 2, 65, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		parts := make([]string, len(a)-1)
		for i, x := range a[1:] {
			parts[i] = toStringValue(x)
		}
		return joinWithin(c, "strcat_delim", parts, sArg(a[0]))
	})
	register("strcat_array", 2, 2, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		arr, _ := asArray(a[0])
		parts := make([]string, len(arr))
		for i, x := range arr {
			parts[i] = toStringValue(dynV(x))
		}
		return joinWithin(c, "strcat_array", parts, sArg(a[1]))
	})
	register("replace_string", 3, 3, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		s, old, repl := sArg(a[0]), sArg(a[1]), sArg(a[2])
		if old == "" {
			return strV(s), nil
		}
		if len(repl) > len(old) {
			if err := c.need("replace_string", int64(len(s))+int64(strings.Count(s, old))*int64(len(repl)-len(old))); err != nil {
				return value{}, err
			}
		}
		return strV(strings.ReplaceAll(s, old, repl)), nil
	})
	register("replace_regex", 3, 3, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		return regexReplace(c, sArg(a[0]), sArg(a[1]), sArg(a[2]))
	})
	register("replace", 3, 3, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		return regexReplace(c, sArg(a[2]), sArg(a[0]), sArg(a[1])) // legacy argument order
	})
	register("strrep", 2, 3, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		n, ok := iArg(a[1])
		if !ok || n < 0 {
			return strV(""), nil
		}
		d := ""
		if len(a) == 3 {
			d = sArg(a[2])
		}
		size := n * int64(len(sArg(a[0]))+len(d))
		if n > 1<<20 || size > 1<<20 {
			return value{}, limitErr("too large: strrep's result would exceed 1 MiB (limit); repeat a shorter string or fewer times", ErrTooLarge)
		}
		if err := c.need("strrep", size); err != nil {
			return value{}, err
		}
		parts := make([]string, n)
		for i := range parts {
			parts[i] = sArg(a[0])
		}
		return strV(strings.Join(parts, d)), nil
	})
	register("translate", 3, 3, fixed(kString), false, fnTranslate)
	register("countof", 2, 3, fixed(kLong), false, fnCountOf)
	register("isempty", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return boolV(isEmptyValue(a[0])), nil
	})
	register("isnotempty,notempty", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return boolV(!isEmptyValue(a[0])), nil
	})
	register("isnull", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return boolV(a[0].null && a[0].k != kString), nil
	})
	register("isnotnull,notnull", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return boolV(!(a[0].null && a[0].k != kString)), nil
	})
	register("isascii", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return boolV(isASCII(sArg(a[0]))), nil
	})
	register("isutf8", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return boolV(utf8.ValidString(sArg(a[0]))), nil
	})
	register("trim", 2, 2, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		return regexTrim(c, sArg(a[0]), sArg(a[1]), true, true)
	})
	register("trim_start", 2, 2, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		return regexTrim(c, sArg(a[0]), sArg(a[1]), true, false)
	})
	register("trim_end", 2, 2, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		return regexTrim(c, sArg(a[0]), sArg(a[1]), false, true)
	})
	register("extract", 3, 4, argTypeOr(3, kString), false, fnExtract)
	register("extract_all,extractall", 2, 3, fixed(kDynamic), false, fnExtractAll)
}

// argTypeOr is the result kind named by a typeof() argument at i, else def.
func argTypeOr(i int, def kind) func([]kind) kind {
	return func(a []kind) kind {
		if i < len(a) && a[i] != kNull {
			return a[i]
		}
		return def
	}
}

func isEmptyValue(v value) bool {
	if v.null {
		return true
	}
	switch v.k {
	case kString:
		return v.s == ""
	case kDynamic:
		if s, ok := v.d.(string); ok {
			return s == ""
		}
	}
	return false
}

func fnSubstring(_ *callCtx, a []value) (value, error) {
	r := []rune(sArg(a[0]))
	start, ok := iArg(a[1])
	if !ok {
		return strV(""), nil
	}
	if start < 0 {
		start += int64(len(r))
		if start < 0 {
			start = 0
		}
	}
	if start > int64(len(r)) {
		return strV(""), nil
	}
	end := int64(len(r))
	if len(a) == 3 {
		n, ok := iArg(a[2])
		if ok {
			if n < 0 {
				return strV(""), nil
			}
			end = min(end, start+n)
		}
	}
	return strV(string(r[start:end])), nil
}

func fnIndexOf(_ *callCtx, a []value) (value, error) {
	s, lookup := []rune(sArg(a[0])), sArg(a[1])
	start := int64(0)
	if len(a) > 2 {
		if v, ok := iArg(a[2]); ok {
			start = v
		}
	}
	if start < 0 || start > int64(len(s)) {
		return longV(-1), nil
	}
	end := int64(len(s))
	if len(a) > 3 {
		if v, ok := iArg(a[3]); ok && v >= 0 {
			end = min(end, start+v)
		}
	}
	occ := int64(1)
	if len(a) > 4 {
		if v, ok := iArg(a[4]); ok && v > 0 {
			occ = v
		}
	}
	hay := string(s[start:end])
	off := 0
	for {
		p := strings.Index(hay[off:], lookup)
		if p < 0 {
			return longV(-1), nil
		}
		occ--
		if occ == 0 {
			return longV(start + int64(utf8.RuneCountInString(hay[:off+p]))), nil
		}
		off += p + max(1, len(lookup))
		if off > len(hay) {
			return longV(-1), nil
		}
	}
}

func fnSplit(_ *callCtx, a []value) (value, error) {
	s, d := sArg(a[0]), sArg(a[1])
	var parts []string
	if d == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, d)
	}
	arr := make([]any, len(parts))
	for i, p := range parts {
		arr[i] = p
	}
	if len(a) == 3 {
		i, ok := iArg(a[2])
		if !ok || i < 0 || i >= int64(len(arr)) {
			return dynV([]any{}), nil
		}
		return dynV([]any{arr[i]}), nil
	}
	return dynV(arr), nil
}

func fnTranslate(_ *callCtx, a []value) (value, error) {
	from, to := []rune(sArg(a[0])), []rune(sArg(a[1]))
	m := map[rune]int{}
	for i, r := range from {
		if _, ok := m[r]; !ok {
			m[r] = i
		}
	}
	var b strings.Builder
	for _, r := range sArg(a[2]) {
		i, ok := m[r]
		switch {
		case !ok:
			b.WriteRune(r)
		case len(to) == 0:
		case i < len(to):
			b.WriteRune(to[i])
		default:
			b.WriteRune(to[len(to)-1])
		}
	}
	return strV(b.String()), nil
}

func fnCountOf(c *callCtx, a []value) (value, error) {
	text, search := sArg(a[0]), sArg(a[1])
	if len(a) == 3 && strings.EqualFold(sArg(a[2]), "regex") {
		re, err := c.re.get(search)
		if err != nil {
			return value{}, err
		}
		return longV(int64(len(re.FindAllStringIndex(text, -1)))), nil
	}
	if search == "" {
		return longV(0), nil
	}
	return longV(int64(strings.Count(text, search))), nil
}

// rewriteBackrefs turns \1 (and $1) group references into Go's ${1}.
func rewriteBackrefs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c == '\\' || c == '$') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			b.WriteString("${" + s[i+1:j] + "}")
			i = j - 1
			continue
		}
		if c == '$' {
			b.WriteString("$$")
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func regexTrim(c *callCtx, pattern, text string, start, end bool) (value, error) {
	if start {
		re, err := c.re.get("^(?:" + pattern + ")")
		if err != nil {
			return value{}, err
		}
		if loc := re.FindStringIndex(text); loc != nil {
			text = text[loc[1]:]
		}
	}
	if end {
		re, err := c.re.get("(?:" + pattern + ")$")
		if err != nil {
			return value{}, err
		}
		if loc := re.FindStringIndex(text); loc != nil {
			text = text[:loc[0]]
		}
	}
	return strV(text), nil
}

func fnExtract(c *callCtx, a []value) (value, error) {
	re, err := c.re.get(sArg(a[0]))
	if err != nil {
		return value{}, err
	}
	g, ok := iArg(a[1])
	want := kString
	if len(a) == 4 && a[3].k != kNull {
		want = a[3].k
	}
	if !ok || g < 0 || int(g) > re.NumSubexp() {
		return nullOf(want), nil
	}
	m := re.FindStringSubmatchIndex(sArg(a[2]))
	if m == nil || m[2*g] < 0 {
		return nullOf(want), nil
	}
	s := sArg(a[2])[m[2*g]:m[2*g+1]]
	if want != kString {
		return convertTo(strV(s), want), nil
	}
	return strV(s), nil
}

func fnExtractAll(c *callCtx, a []value) (value, error) {
	re, err := c.re.get(sArg(a[0]))
	if err != nil {
		return value{}, err
	}
	text := sArg(a[len(a)-1])
	var groups []int
	if len(a) == 3 {
		arr, _ := asArray(a[1])
		for _, g := range arr {
			n, ok := iArg(dynToValue(g))
			if !ok || n < 0 || int(n) > re.NumSubexp() {
				return value{}, errorf("extract_all: capture group %v out of range", g)
			}
			groups = append(groups, int(n))
		}
	} else if re.NumSubexp() == 0 {
		groups = []int{0}
	} else {
		for i := 1; i <= re.NumSubexp(); i++ {
			groups = append(groups, i)
		}
	}
	ms := re.FindAllStringSubmatchIndex(text, 10000)
	if len(ms) == 0 {
		return nullOf(kDynamic), nil
	}
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		row := make([]any, len(groups))
		for j, g := range groups {
			if m[2*g] >= 0 {
				row[j] = text[m[2*g]:m[2*g+1]]
			} else {
				row[j] = ""
			}
		}
		if len(groups) == 1 {
			out = append(out, row[0])
		} else {
			out = append(out, row)
		}
	}
	return dynV(out), nil
}
