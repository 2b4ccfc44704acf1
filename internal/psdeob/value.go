package psdeob

import (
	"math"
	"strconv"
	"strings"
)

// Runtime values of the evaluator. Only pure data is modelled; everything
// else is an opaque object or unknown.
type value = any

type unknownT struct{}

// unknown marks a value the evaluator cannot compute statically.
var unknown = unknownT{}

type psChar rune

type psArray []value

type psHash struct {
	keys []string
	vals map[string]value
}

type typeVal struct{ name string } // normalised lower-case name without "system."

type sbVal struct {
	body []stmt
	text string
}

type methodRef struct {
	recv value
	name string
}

type matchVal struct{ val string }

// object models the few .NET objects decoders need.
type object struct {
	kind  string // encoding, memorystream, inflate, reader, securestring, ptr, credential, netcred, var, com, generic
	typ   string // .NET type name for display
	data  []byte
	text  string
	gzip  bool
	inner *object
	enc   string
	props map[string]value
}

func isUnknown(v value) bool { _, ok := v.(unknownT); return ok }

func normType(t string) string {
	t = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(t, "`", ""), " ", ""))
	return strings.TrimPrefix(t, "system.")
}

// toStr converts a value to its PowerShell string form; ok is false when the
// value (or part of it) is unknown.
func (e *evaluator) toStr(v value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case nil:
		return "", true
	case psChar:
		return string(rune(x)), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatFloat(x), true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case psArray:
		s, ok := e.join(x, e.ofs()).(string)
		return s, ok
	case []byte:
		if !e.reserve(mulSize(int64(len(x)), 4+int64(len(e.ofs())))) {
			return "", false
		}
		parts := make([]string, len(x))
		for i, c := range x {
			parts[i] = strconv.Itoa(int(c))
		}
		return strings.Join(parts, e.ofs()), true
	case *psHash:
		return "System.Collections.Hashtable", true
	case typeVal:
		return typeDisplayName(x.name), true
	case *sbVal:
		return x.text, true
	case *methodRef:
		return methodSignature(x), true
	case matchVal:
		return x.val, true
	case *object:
		if x.kind == "var" {
			return "System.Management.Automation.PSVariable", true
		}
		if x.typ != "" {
			return x.typ, true
		}
	}
	return "", false
}

func (e *evaluator) ofs() string {
	if v, ok := e.vars["ofs"]; ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	return " "
}

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'G', 15, 64)
}

func typeDisplayName(n string) string {
	switch n {
	case "string":
		return "string"
	case "char":
		return "char"
	case "int", "int32":
		return "int"
	}
	return "System." + n
}

// methodSignature mimics how PowerShell prints a method group; obfuscators
// index into these texts (e.g. "".Insert) to pick letters.
func methodSignature(m *methodRef) string {
	if _, ok := m.recv.(string); ok {
		switch strings.ToLower(m.name) {
		case "insert":
			return "string Insert(int startIndex, string value)"
		case "normalize":
			return "string Normalize(), string Normalize(System.Text.NormalizationForm normalizationForm)"
		case "chars":
			return "char Chars(int index) {get;}"
		case "remove":
			return "string Remove(int startIndex, int count), string Remove(int startIndex)"
		case "split":
			return "string[] Split(Params char[] separator), string[] Split(char[] separator, int count), string[] Split(char[] separator, System.StringSplitOptions options), string[] Split(char[] separator, int count, System.StringSplitOptions options), string[] Split(string[] separator, System.StringSplitOptions options), string[] Split(string[] separator, int count, System.StringSplitOptions options)"
		}
	}
	return m.name
}

// toNum converts to int64 or float64.
func toNum(v value) (value, bool) {
	switch x := v.(type) {
	case int64, float64:
		return x, true
	case psChar:
		return int64(x), true
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), true
	case nil:
		return int64(0), true
	case byte:
		return int64(x), true
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return int64(0), true
		}
		neg := false
		if strings.HasPrefix(s, "-") {
			neg = true
			s = s[1:]
		}
		if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
			n, err := strconv.ParseUint(s[2:], 16, 64)
			if err != nil {
				return nil, false
			}
			if neg {
				return -int64(n), true
			}
			return int64(n), true
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if neg {
				n = -n
			}
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if neg {
				f = -f
			}
			return f, true
		}
	case psArray:
		if len(x) == 1 {
			return toNum(x[0])
		}
	}
	return nil, false
}

func toInt(v value) (int64, bool) {
	n, ok := toNum(v)
	if !ok {
		return 0, false
	}
	switch x := n.(type) {
	case int64:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e18 {
			return 0, false
		}
		return int64(math.RoundToEven(x)), true
	}
	return 0, false
}

func toBool(v value) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case nil:
		return false, true
	case string:
		return x != "", true
	case int64:
		return x != 0, true
	case float64:
		return x != 0, true
	case psChar:
		return x != 0, true
	case psArray:
		if len(x) == 0 {
			return false, true
		}
		if len(x) == 1 {
			return toBool(x[0])
		}
		return true, true
	case unknownT:
		return false, false
	}
	return true, true
}

// toList enumerates a value the way the pipeline does.
func toList(v value) []value {
	switch x := v.(type) {
	case psArray:
		return x
	case []byte:
		out := make([]value, len(x))
		for i, c := range x {
			out[i] = int64(c)
		}
		return out
	case nil:
		return nil
	}
	return []value{v}
}

// toBytes converts arrays of numbers to bytes.
func toBytes(v value) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case psArray:
		out := make([]byte, len(x))
		for i, el := range x {
			n, ok := toInt(el)
			if !ok || n < 0 || n > 255 {
				if c, isc := el.(psChar); isc && c < 256 {
					n = int64(c)
				} else {
					return nil, false
				}
			}
			out[i] = byte(n)
		}
		return out, true
	}
	if n, ok := toInt(v); ok && n >= 0 && n < 256 {
		return []byte{byte(n)}, true
	}
	return nil, false
}
