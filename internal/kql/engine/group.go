package engine

import (
	"encoding/binary"
	"math"
)

// grouper assigns dense group ids to rows by the values of key vecs. Nulls
// form their own group, as in Kusto.
type grouper struct {
	keys  []*vec
	first []int32 // first row of each group
	byStr map[string]int32
	byInt map[int64]int32
	buf   []byte
	// m, when set, is charged for the groups as they are created; err is
	// its refusal, after which assign stops early.
	m   *meter
	op  string
	err error
}

// newGroup records row i as the first of a new group and charges the
// budget every 4,096 groups (a map entry and a first-row index each).
func (g *grouper) newGroup(i int) int32 {
	id := int32(len(g.first))
	g.first = append(g.first, int32(i))
	if g.m != nil && id&0xfff == 0 && g.err == nil {
		g.err = g.m.reserve(g.op, 0x1000, 64)
	}
	return id
}

// assignWithin is assign charged to r's budget; a refusal is returned.
func (r *runner) assignWithin(g *grouper, n int, op string) ([]int32, error) {
	g.m, g.op = r.m, op
	gids := g.assign(n)
	return gids, g.err
}

func newGrouper(keys []*vec) *grouper {
	for _, k := range keys {
		k.force()
	}
	g := &grouper{keys: keys}
	switch {
	case len(keys) == 1 && keys[0].k == kString && !keys[0].cst:
		g.byStr = make(map[string]int32)
	case len(keys) == 1 && !keys[0].cst && keys[0].null == nil && usesInt(keys[0].k):
		g.byInt = make(map[int64]int32)
	default:
		g.byStr = make(map[string]int32)
	}
	return g
}

func usesInt(k kind) bool {
	switch k {
	case kBool, kInt, kLong, kDatetime, kTimespan:
		return true
	}
	return false
}

// assign returns the group id of every row in [0, n).
func (g *grouper) assign(n int) []int32 {
	gids := make([]int32, n)
	switch {
	case g.byInt != nil:
		col := g.keys[0].i
		for i := 0; i < n; i++ {
			id, ok := g.byInt[col[i]]
			if !ok {
				id = g.newGroup(i)
				g.byInt[col[i]] = id
				if g.err != nil {
					return gids
				}
			}
			gids[i] = id
		}
	case len(g.keys) == 1 && g.keys[0].k == kString && !g.keys[0].cst:
		col := g.keys[0].s
		for i := 0; i < n; i++ {
			id, ok := g.byStr[col[i]]
			if !ok {
				id = g.newGroup(i)
				g.byStr[col[i]] = id
				if g.err != nil {
					return gids
				}
			}
			gids[i] = id
		}
	default:
		for i := 0; i < n && g.err == nil; i++ {
			gids[i] = g.lookup(i, true)
		}
	}
	return gids
}

// lookup finds (or, with insert, creates) the group of row i; -1 if absent.
func (g *grouper) lookup(i int, insert bool) int32 {
	g.buf = g.buf[:0]
	for _, k := range g.keys {
		g.buf = appendKey(g.buf, k, i)
	}
	if id, ok := g.byStr[string(g.buf)]; ok {
		return id
	}
	if !insert {
		return -1
	}
	id := g.newGroup(i)
	g.byStr[string(g.buf)] = id
	return id
}

// appendKey encodes cell i of v so that equal values (by KQL equality,
// int and long alike) encode equally.
func appendKey(buf []byte, v *vec, i int) []byte {
	if v.isNull(i) {
		return append(buf, 0)
	}
	j := v.at(i)
	switch v.k {
	case kString, kGuid:
		buf = append(buf, 's')
		buf = binary.AppendUvarint(buf, uint64(len(v.s[j])))
		return append(buf, v.s[j]...)
	case kReal:
		f := v.f[j]
		if f == 0 {
			f = 0
		}
		if math.IsNaN(f) {
			f = math.NaN()
		}
		buf = append(buf, 'f')
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(f))
	case kDynamic:
		s := dynKey(v.d[j])
		buf = append(buf, 'j')
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		return append(buf, s...)
	case kInt, kLong:
		buf = append(buf, 'n')
	default:
		buf = append(buf, byte('a'+v.k))
	}
	return binary.LittleEndian.AppendUint64(buf, uint64(v.i[j]))
}

// lookupIn finds the group of row i of other key vecs (same shape as g.keys).
func (g *grouper) lookupIn(keys []*vec, i int) int32 {
	if keys[0].src != nil {
		for _, k := range keys {
			k.force()
		}
	}
	if g.byInt != nil {
		if keys[0].isNull(i) || !usesInt(keys[0].k) {
			return -1
		}
		if id, ok := g.byInt[keys[0].i[keys[0].at(i)]]; ok {
			return id
		}
		return -1
	}
	if len(g.keys) == 1 && g.keys[0].k == kString && !g.keys[0].cst && keys[0].k == kString {
		if id, ok := g.byStr[keys[0].s[keys[0].at(i)]]; ok {
			return id
		}
		return -1
	}
	g.buf = g.buf[:0]
	for _, k := range keys {
		g.buf = appendKey(g.buf, k, i)
	}
	if id, ok := g.byStr[string(g.buf)]; ok {
		return id
	}
	return -1
}
