package engine

import (
	"strings"
	"unicode/utf8"
)

// unicode_codepoints_to_string turns code points (numbers, or dynamic arrays
// of them) into a UTF-8 string, and unicode_codepoints_from_string does the
// reverse; a value that is not a valid code point gives an empty string.
// https://learn.microsoft.com/kusto/query/unicode-codepoints-to-string-function
// https://learn.microsoft.com/kusto/query/unicode-codepoints-from-string-function
func registerUnicode() {
	register("unicode_codepoints_to_string", 1, 64, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		var b strings.Builder
		ok := true
		add := func(n int64) {
			if n < 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
				ok = false
				return
			}
			b.WriteRune(rune(n))
		}
		for _, v := range a {
			switch {
			case v.null:
				ok = false
			case v.k == kInt || v.k == kLong:
				add(v.i)
			case v.k == kDynamic:
				arr, isArr := v.d.([]any)
				if !isArr {
					arr = []any{v.d}
				}
				for _, x := range arr {
					switch n := x.(type) {
					case int64, int, float64:
						add(asInt64(n))
					default:
						ok = false
					}
				}
			default:
				ok = false
			}
			if b.Len() > 1<<16 {
				if err := c.need("unicode_codepoints_to_string", int64(b.Len())); err != nil {
					return value{}, err
				}
			}
		}
		if !ok {
			return strV(""), nil
		}
		return strV(b.String()), nil
	})
	register("unicode_codepoints_from_string", 1, 1, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		s := sArg(a[0])
		out := make([]any, 0, utf8.RuneCountInString(s))
		for _, r := range s {
			out = append(out, int64(r))
		}
		return dynV(out), nil
	})
}
