package psdeob

import (
	"strings"
)

func (e *evaluator) newObjectCmd(args []cmdArg) value {
	if v, ok := pick(args, -1, "comobject"); ok {
		s, _ := e.toStr(v)
		return &object{kind: "com", typ: s}
	}
	tv, ok := pick(args, 0, "typename")
	if !ok {
		return unknown
	}
	tn, ok := e.toStr(tv)
	if !ok {
		return unknown
	}
	var ctor []value
	if av, ok := pick(args, 1, "argumentlist"); ok {
		switch x := av.(type) {
		case psArray:
			ctor = x
		default:
			ctor = []value{x}
		}
	}
	return e.newObject(normType(tn), ctor)
}

func (e *evaluator) newObject(t string, args []value) value {
	for _, a := range args {
		if isUnknown(a) && t != "net.webclient" {
			return &object{kind: "generic", typ: typeDisplayName(t)}
		}
	}
	switch t {
	case "io.memorystream":
		o := &object{kind: "memorystream", typ: "System.IO.MemoryStream"}
		if len(args) > 0 {
			b, ok := e.toBytes(args[0])
			if !ok {
				return unknown
			}
			o.data = b
		}
		return o
	case "io.compression.deflatestream", "io.compression.gzipstream":
		if len(args) == 0 {
			return unknown
		}
		ms, ok := args[0].(*object)
		if !ok || ms.kind != "memorystream" {
			return unknown
		}
		return &object{kind: "inflate", typ: typeDisplayName(t), data: ms.data, gzip: strings.HasSuffix(t, "gzipstream")}
	case "io.streamreader":
		if len(args) == 0 {
			return unknown
		}
		src, ok := args[0].(*object)
		if !ok {
			return unknown
		}
		r := &object{kind: "reader", typ: "System.IO.StreamReader", inner: src}
		if len(args) > 1 {
			if enc, ok := args[1].(*object); ok && enc.kind == "encoding" {
				r.enc = enc.enc
			}
		}
		return r
	case "text.asciiencoding":
		return &object{kind: "encoding", enc: "ascii", typ: "System.Text.ASCIIEncoding"}
	case "text.utf8encoding":
		return &object{kind: "encoding", enc: "utf8", typ: "System.Text.UTF8Encoding"}
	case "text.unicodeencoding":
		return &object{kind: "encoding", enc: "unicode", typ: "System.Text.UnicodeEncoding"}
	case "management.automation.pscredential", "pscredential":
		if len(args) == 2 {
			if ss, ok := args[1].(*object); ok && ss.kind == "securestring" {
				return &object{kind: "credential", text: ss.text, typ: "System.Management.Automation.PSCredential"}
			}
		}
	case "string":
		if len(args) >= 1 {
			if len(args) == 2 {
				if n, ok := toInt(args[1]); ok && n >= 0 {
					c, ok := e.toStr(args[0])
					if !ok || !e.reserve(mulSize(int64(len(c)), n)) {
						return unknown
					}
					return strings.Repeat(c, int(n))
				}
			}
			return e.join(args[0], "")
		}
	case "byte[]":
		if len(args) == 1 {
			if n, ok := toInt(args[0]); ok && n >= 0 {
				if !e.reserve(n) {
					return unknown
				}
				return make([]byte, n)
			}
		}
	case "net.webclient":
		e.note("download cradle (Net.WebClient)")
	}
	return &object{kind: "generic", typ: typeDisplayName(t)}
}

// noteCall tracks method calls that matter for the walk-through.
func (e *evaluator) noteCall(recv value, name string, at *invokeExpr) {
	switch name {
	case "load":
		if t, ok := recv.(typeVal); ok && (t.name == "reflection.assembly" || t.name == "appdomain") {
			e.note("reflective assembly load")
		}
	}
}
