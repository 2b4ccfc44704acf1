package engine

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

func registerIp() {
	register("parse_ipv4", 1, 1, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		ip, p, ok := parseIPv4Prefix(sArg(a[0]))
		if !ok {
			return nullOf(kLong), nil
		}
		return longV(int64(ip & maskOf(p))), nil
	})
	register("parse_ipv4_mask", 2, 2, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		ip, p, ok := parseIPv4Prefix(sArg(a[0]))
		m, ok2 := iArg(a[1])
		if !ok || !ok2 || m < 0 || m > 32 {
			return nullOf(kLong), nil
		}
		return longV(int64(ip & maskOf(min(p, int(m))))), nil
	})
	register("ipv4_is_private", 1, 1, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		ip, _, ok := parseIPv4Prefix(sArg(a[0]))
		if !ok {
			return nullOf(kBool), nil
		}
		private := ip>>24 == 10 || ip>>20 == (172<<4|1) || ip>>16 == (192<<8|168)
		return boolV(private), nil
	})
	register("ipv4_is_match", 2, 3, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		c, ok := ipv4Cmp(a)
		if !ok {
			return nullOf(kBool), nil
		}
		return boolV(c == 0), nil
	})
	register("ipv4_compare", 2, 3, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		c, ok := ipv4Cmp(a)
		if !ok {
			return nullOf(kLong), nil
		}
		return longV(int64(c)), nil
	})
	register("ipv4_is_in_range", 2, 2, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		return ipv4InRanges(sArg(a[0]), []string{sArg(a[1])}), nil
	})
	register("ipv4_is_in_any_range", 2, 64, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		var ranges []string
		for _, v := range a[1:] {
			if arr, ok := asArray(v); ok {
				for _, x := range arr {
					ranges = append(ranges, toStringValue(dynV(x)))
				}
			} else {
				ranges = append(ranges, sArg(v))
			}
		}
		return ipv4InRanges(sArg(a[0]), ranges), nil
	})
	register("format_ipv4", 1, 2, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		v := unwrapDyn(a[0])
		var ip uint32
		p := 32
		if v.k == kString {
			var ok bool
			if ip, p, ok = parseIPv4Prefix(v.s); !ok {
				return strV(""), nil
			}
		} else if n, ok := iArg(v); ok && n >= 0 && n <= 0xffffffff {
			ip = uint32(n)
		} else {
			return strV(""), nil
		}
		if len(a) == 2 {
			m, ok := iArg(a[1])
			if !ok || m < 0 || m > 32 {
				return strV(""), nil
			}
			p = min(p, int(m))
		}
		ip &= maskOf(p)
		return strV(ipv4String(ip)), nil
	})
	register("ipv6_compare,ipv6_is_match,ipv6_is_in_range,ipv6_is_in_any_range,parse_ipv6,parse_ipv6_mask", 1, 3, fixed(kNull), false, func(_ *callCtx, _ []value) (value, error) {
		return value{}, notSupported("IPv6 functions")
	})
	register("ipv4_netmask_suffix", 1, 1, fixed(kInt), false, func(_ *callCtx, a []value) (value, error) {
		_, p, ok := parseIPv4Prefix(sArg(a[0]))
		if !ok {
			return nullOf(kInt), nil
		}
		return intV(int64(p)), nil
	})
}

// parseIPv4Prefix parses "a.b.c.d" or "a.b.c.d/n".
func parseIPv4Prefix(s string) (uint32, int, bool) {
	s = strings.TrimSpace(s)
	p := 32
	if i := strings.IndexByte(s, '/'); i >= 0 {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil || n < 0 || n > 32 {
			return 0, 0, false
		}
		p, s = n, s[:i]
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || !addr.Is4() {
		return 0, 0, false
	}
	b := addr.As4()
	return binary.BigEndian.Uint32(b[:]), p, true
}

func maskOf(p int) uint32 {
	if p <= 0 {
		return 0
	}
	return ^uint32(0) << (32 - p)
}

func ipv4String(ip uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], ip)
	return netip.AddrFrom4(b).String()
}

func ipv4Cmp(a []value) (int, bool) {
	x, px, ok1 := parseIPv4Prefix(sArg(a[0]))
	y, py, ok2 := parseIPv4Prefix(sArg(a[1]))
	if !ok1 || !ok2 {
		return 0, false
	}
	p := min(px, py)
	if len(a) == 3 {
		m, ok := iArg(a[2])
		if !ok || m < 0 || m > 32 {
			return 0, false
		}
		p = min(p, int(m))
	}
	m := maskOf(p)
	return cmp3(int64(x&m), int64(y&m)), true
}

func ipv4InRanges(ipText string, ranges []string) value {
	ip, _, ok := parseIPv4Prefix(ipText)
	if !ok {
		return nullOf(kBool)
	}
	for _, r := range ranges {
		base, p, ok := parseIPv4Prefix(r)
		if !ok {
			return nullOf(kBool)
		}
		if ip&maskOf(p) == base&maskOf(p) {
			return boolV(true)
		}
	}
	return boolV(false)
}

const (
	xxP1 uint64 = 11400714785074694791
	xxP2 uint64 = 14029467366897019727
	xxP3 uint64 = 1609587929392839161
	xxP4 uint64 = 9650029242287828579
	xxP5 uint64 = 2870177450012600261
)

func xxRound(acc, in uint64) uint64 {
	acc += in * xxP2
	return bits.RotateLeft64(acc, 31) * xxP1
}

func xxMerge(acc, v uint64) uint64 {
	acc ^= xxRound(0, v)
	return acc*xxP1 + xxP4
}

// xxhash64 is the XXH64 hash (the algorithm behind Kusto's hash()).
func xxhash64(b []byte, seed uint64) uint64 {
	n := len(b)
	var h uint64
	if n >= 32 {
		v1, v2, v3, v4 := seed+xxP1+xxP2, seed+xxP2, seed, seed-xxP1
		for len(b) >= 32 {
			v1 = xxRound(v1, binary.LittleEndian.Uint64(b[0:]))
			v2 = xxRound(v2, binary.LittleEndian.Uint64(b[8:]))
			v3 = xxRound(v3, binary.LittleEndian.Uint64(b[16:]))
			v4 = xxRound(v4, binary.LittleEndian.Uint64(b[24:]))
			b = b[32:]
		}
		h = bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
		h = xxMerge(xxMerge(xxMerge(xxMerge(h, v1), v2), v3), v4)
	} else {
		h = seed + xxP5
	}
	h += uint64(n)
	for len(b) >= 8 {
		h ^= xxRound(0, binary.LittleEndian.Uint64(b))
		h = bits.RotateLeft64(h, 27)*xxP1 + xxP4
		b = b[8:]
	}
	if len(b) >= 4 {
		h ^= uint64(binary.LittleEndian.Uint32(b)) * xxP1
		h = bits.RotateLeft64(h, 23)*xxP2 + xxP3
		b = b[4:]
	}
	for _, c := range b {
		h ^= uint64(c) * xxP5
		h = bits.RotateLeft64(h, 11) * xxP1
	}
	h ^= h >> 33
	h *= xxP2
	h ^= h >> 29
	h *= xxP3
	h ^= h >> 32
	return h
}
