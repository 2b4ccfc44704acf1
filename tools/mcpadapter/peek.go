package mcpadapter

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// The gate reads a few members of every JSON-RPC message (msgHead).
// Decoding the body with json.Unmarshal for them scanned and decoded the
// whole message — the tool's arguments included — and allocated about eight
// times per call: ~8 % of the in-process HTTP call (issue 16). decodeFast
// reads the same members with one validity scan (json.Valid, no
// allocation) and one walk over the top-level members, skipping nested
// values. Where encoding/json's rules make the answer subtle — a key that
// matches a field only case-insensitively or carries escapes, a member
// given twice, a value of an unexpected type, an escaped or non-ASCII
// method name — it gives up and the message is decoded with encoding/json,
// so both always agree (FuzzDecodeHeadAgrees).

// msgHead is what the gate reads of a message.
type msgHead struct {
	JSONRPC json.RawMessage `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Result  json.RawMessage `json:"result"`
	Error   json.RawMessage `json:"error"`
	Params  struct {
		Meta *mcp.Meta `json:"_meta"`
	} `json:"params"`
}

// peek reads what the gate needs of a POST's message, and refuses (a
// non-nil *frameError) one that checkFrame would.
func peek(r *http.Request, body []byte) (peeked, *frameError) {
	p := peeked{modern: mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion))}
	if r.Method != http.MethodPost {
		return p, nil
	}
	m, fe := readHead(body)
	if fe != nil {
		return p, fe
	}
	p.method = m.Method
	p.response = m.Method == "" && len(m.ID) > 0 && (m.Result != nil || m.Error != nil)
	p.modern = p.modern || mcp.IsModernProtocol(m.Params.Meta.ProtocolVersion())
	return p, nil
}

// readHead reads the gate's members of body and refuses what checkFrame
// refuses. A plain message is read by decodeFast and checked here; any
// other is checked by checkFrame (so a "method" of null is refused as on
// stdio) and read with encoding/json, leaving m empty when that fails.
func readHead(body []byte) (m msgHead, fe *frameError) {
	if !utf8.Valid(body) {
		return m, checkFrame(body)
	}
	if ok, sure := decodeFast(body, &m); !ok || !sure {
		if fe := checkFrame(body); fe != nil {
			return msgHead{}, fe
		}
		var slow msgHead // not m: its address would put m on the heap for every message
		if json.Unmarshal(body, &slow) != nil {
			return msgHead{}, nil
		}
		return slow, nil
	}
	if fe := checkHead(m.JSONRPC, m.ID, false); fe != nil {
		return m, fe
	}
	return m, checkParams(m.Method, m.ID, body) // not tools/call: at once
}

// decodeFast reads a message's head as json.Unmarshal does, for the plain
// messages clients send; sure is false when it cannot be certain of doing
// what json.Unmarshal does.
func decodeFast(body []byte, m *msgHead) (ok, sure bool) {
	if !json.Valid(body) {
		return false, true // json.Unmarshal fails too
	}
	s := scan{b: body}
	s.ws()
	if !s.at('{') {
		return false, false
	}
	var seen [6]bool // jsonrpc, id, method, result, error, params
	sure = s.members(func(key []byte) bool {
		i := field(key, "jsonrpc", "id", "method", "result", "error", "params")
		if i == -2 {
			return false
		}
		if i < 0 {
			s.skip()
			return true
		}
		if seen[i] {
			return false
		}
		seen[i] = true
		switch i {
		case 2:
			v, ok := s.plainString()
			m.Method = v
			return ok
		case 5:
			return s.params(m)
		}
		start := s.i
		s.skip()
		v := json.RawMessage(s.b[start:s.i])
		switch i {
		case 0:
			m.JSONRPC = v
		case 1:
			m.ID = v
		case 3:
			m.Result = v
		case 4:
			m.Error = v
		}
		return true
	})
	return sure, sure
}

// field is the index of the name key is (exactly), -1 when it is none of
// them, -2 when encoding/json might still match it to one (escapes,
// non-ASCII bytes, a case-insensitive match).
func field(key []byte, names ...string) int {
	if bytes.IndexByte(key, '\\') >= 0 {
		return -2
	}
	for _, c := range key {
		if c >= 0x80 {
			return -2
		}
	}
	for i, n := range names {
		if string(key) == n {
			return i
		}
		if strings.EqualFold(string(key), n) {
			return -2
		}
	}
	return -1
}

// scan walks JSON that json.Valid has accepted.
type scan struct {
	b []byte
	i int
}

func (s *scan) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scan) at(c byte) bool { return s.i < len(s.b) && s.b[s.i] == c }

// members calls f with each key of the object at s.i, with s.i at the
// member's value; f consumes the value. It stops early when f returns
// false.
func (s *scan) members(f func(key []byte) bool) bool {
	s.i++ // {
	for {
		s.ws()
		if s.at('}') {
			s.i++
			return true
		}
		key := s.str()
		s.ws()
		s.i++ // :
		s.ws()
		if !f(key) {
			return false
		}
		s.ws()
		if s.at(',') {
			s.i++
		}
	}
}

// str consumes a string and returns its raw contents (escapes undecoded).
func (s *scan) str() []byte {
	s.i++ // opening quote
	start := s.i
	for s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			s.i++
		}
		s.i++
	}
	s.i++
	return s.b[start : s.i-1]
}

// plainString consumes a string value of printable ASCII without escapes
// (which encoding/json decodes to the same bytes; it would replace invalid
// UTF-8); ok is false for any other value.
func (s *scan) plainString() (string, bool) {
	if !s.at('"') {
		return "", false
	}
	v := s.str()
	for _, c := range v {
		if c == '\\' || c >= 0x80 {
			return "", false
		}
	}
	return string(v), true
}

// skip consumes one value.
func (s *scan) skip() {
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default: // literal or number: up to the next delimiter
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return
			}
			s.i++
		}
	}
}

// params consumes the params value into m.Params; false for a params
// that is neither an object nor null, and for anything field rejects.
func (s *scan) params(m *msgHead) bool {
	if s.null() {
		return true
	}
	if !s.at('{') {
		return false
	}
	seenMeta := false
	return s.members(func(key []byte) bool {
		switch field(key, "_meta") {
		case -2:
			return false
		case -1:
			s.skip()
			return true
		}
		if seenMeta {
			return false
		}
		seenMeta = true
		// Decoded as mcp-go does (into a map, so that, e.g., a number too
		// large for a float64 fails the whole message as it does for
		// json.Unmarshal). Only stateless requests carry _meta; it is small.
		start := s.i
		s.skip()
		var meta *mcp.Meta // decoded apart from m, which then stays on the caller's stack
		err := json.Unmarshal(s.b[start:s.i], &meta)
		m.Params.Meta = meta
		return err == nil
	})
}

// null consumes a null literal if one is at s.i.
func (s *scan) null() bool {
	if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}
