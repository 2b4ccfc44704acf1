package engine

import "strings"

// The functions here build values whose size the caller controls (a string
// rewritten per match, a join of many parts, a range of elements); each
// checks the query's budget before it allocates.

func regexReplace(c *callCtx, text, pattern, rewrite string) (value, error) {
	re, err := c.re.get(pattern)
	if err != nil {
		return value{}, err
	}
	tmpl := rewriteBackrefs(rewrite)
	if !strings.Contains(tmpl, "$") && int64(len(text)+1)*int64(len(tmpl)+1) < 1<<16 {
		return strV(re.ReplaceAllString(text, tmpl)), nil // small: cannot matter to the budget
	}
	// as ReplaceAllString, sized first: refused before the result (or the
	// match index, ~48 bytes a match) is allocated past the budget
	if err := c.need("replace_regex", 48*int64(len(text)+1)); err != nil {
		return value{}, err
	}
	matches := re.FindAllStringSubmatchIndex(text, -1)
	size, last := int64(0), 0
	var scratch []byte
	for i, m := range matches {
		scratch = re.ExpandString(scratch[:0], tmpl, text, m)
		size += int64(m[0]-last) + int64(len(scratch))
		last = m[1]
		if i&0x3ff == 0x3ff { // stop sizing as soon as the result cannot fit
			if err := c.need("replace_regex", size); err != nil {
				return value{}, err
			}
			if err := c.step(0x400); err != nil {
				return value{}, err
			}
		}
	}
	size += int64(len(text) - last)
	if err := c.need("replace_regex", size); err != nil {
		return value{}, err
	}
	out := make([]byte, 0, size)
	last = 0
	for _, m := range matches {
		out = append(out, text[last:m[0]]...)
		out = re.ExpandString(out, tmpl, text, m)
		last = m[1]
	}
	out = append(out, text[last:]...)
	return strV(string(out)), nil
}

// joinWithin is strings.Join refused before allocating when the result
// would not fit the query's budget.
func joinWithin(c *callCtx, op string, parts []string, sep string) (value, error) {
	n := int64(len(sep)) * int64(max(len(parts)-1, 0))
	for _, p := range parts {
		n += int64(len(p))
	}
	if n > 1<<16 {
		if err := c.need(op, n); err != nil {
			return value{}, err
		}
	}
	return strV(strings.Join(parts, sep)), nil
}

// fnRangeArray implements the range(start, stop[, step]) function: a dynamic
// array of the values from start to stop inclusive (at most 1,000,000).
func fnRangeArray(cc *callCtx, a []value) (value, error) {
	start, stop := unwrapDyn(a[0]), unwrapDyn(a[1])
	step := longV(1)
	if len(a) == 3 {
		step = unwrapDyn(a[2])
	}
	out := []any{}
	cur := start
	for i := 0; ; i++ {
		c, ok := compare(cur, stop)
		z, ok2 := compare(step, zeroOf(step.k))
		if !ok || !ok2 || z == 0 || (z > 0 && c > 0) || (z < 0 && c < 0) {
			break
		}
		if i >= 1_000_000 {
			return value{}, limitErr("too large: range() would return more than 1,000,000 elements (limit); use a larger step or a smaller span", ErrTooLarge)
		}
		if i&0xfff == 0 {
			if err := cc.need("range()", 16*int64(i+0x1000)); err != nil {
				return value{}, err
			}
			if err := cc.step(0x1000); err != nil {
				return value{}, err
			}
		}
		out = append(out, toDyn(cur))
		next, err := arith("+", cur, step)
		if err != nil || next.null {
			break
		}
		cur = next
	}
	return dynV(out), nil
}
