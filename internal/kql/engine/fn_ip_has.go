package engine

import (
	"net/netip"
	"strings"
)

// has_ipv4, has_ipv4_prefix, has_any_ipv4 and has_any_ipv4_prefix look for
// IPv4 addresses in text: an address counts when it is delimited by
// non-alphanumeric characters, and a prefix is a whole address or the
// start of one ending with a dot ("10.", "192.168.1."); the lists may be
// given as arguments or as one dynamic array.
// https://learn.microsoft.com/kusto/query/has-ipv4-function
// https://learn.microsoft.com/kusto/query/has-ipv4-prefix-function
// https://learn.microsoft.com/kusto/query/has-any-ipv4-function
// https://learn.microsoft.com/kusto/query/has-any-ipv4-prefix-function
func registerIpHas() {
	has := func(prefix bool) func(*callCtx, []value) (value, error) {
		return func(_ *callCtx, a []value) (value, error) {
			if a[0].null && a[0].k != kString {
				return boolV(false), nil
			}
			var wants []string
			for _, v := range a[1:] {
				wants = append(wants, ipArgs(v)...)
			}
			ips := ipv4sIn(sArg(a[0]))
			for _, w := range wants {
				if !validIPv4Prefix(w, prefix) {
					continue
				}
				for _, ip := range ips {
					if ip == w || (prefix && strings.HasSuffix(w, ".") && strings.HasPrefix(ip, w)) {
						return boolV(true), nil
					}
				}
			}
			return boolV(false), nil
		}
	}
	register("has_ipv4", 2, 2, fixed(kBool), false, has(false))
	register("has_ipv4_prefix", 2, 2, fixed(kBool), false, has(true))
	register("has_any_ipv4", 2, 64, fixed(kBool), false, has(false))
	register("has_any_ipv4_prefix", 2, 64, fixed(kBool), false, has(true))
}

// ipArgs are the strings of an argument: its elements when it is an array.
func ipArgs(v value) []string {
	if v.k == kDynamic {
		if arr, ok := v.d.([]any); ok {
			out := make([]string, 0, len(arr))
			for _, x := range arr {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	if v.null && v.k != kString {
		return nil
	}
	return []string{sArg(v)}
}

func validIPv4Prefix(p string, prefix bool) bool {
	if a, err := netip.ParseAddr(p); err == nil && a.Is4() {
		return true
	}
	if !prefix || !strings.HasSuffix(p, ".") {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(p, "."), ".")
	if len(parts) > 3 {
		return false
	}
	for _, o := range parts {
		if a, err := netip.ParseAddr(o + ".0.0.0"); err != nil || !a.Is4() {
			return false
		}
	}
	return true
}

// ipv4sIn returns the IPv4 addresses properly delimited in s.
func ipv4sIn(s string) []string {
	var out []string
	isAlnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.')) {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		cand := strings.TrimSuffix(s[i:j], ".")
		if (j >= len(s) || !isAlnum(s[j])) && strings.Count(cand, ".") == 3 {
			if a, err := netip.ParseAddr(cand); err == nil && a.Is4() {
				out = append(out, cand)
			}
		}
		i = j
	}
	return out
}
