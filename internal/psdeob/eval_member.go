package psdeob

import (
	"strings"
	"unicode/utf8"
)

func (e *evaluator) memberNameOf(m *memberExpr) (string, bool) {
	if s, ok := m.name.(*strLit); ok {
		return s.val, s.val != ""
	}
	v := e.eval(m.name)
	s, ok := e.toStr(v)
	if ok && s != "" {
		e.note("dynamic member name")
	}
	return strings.ReplaceAll(s, "`", ""), ok && s != ""
}

func (e *evaluator) member(m *memberExpr) value {
	recv := e.eval(m.x)
	name, ok := e.memberNameOf(m)
	if !ok {
		if t, isT := recv.(typeVal); isT && m.static {
			return &methodRef{recv: t, name: ""}
		}
		return unknown
	}
	return e.prop(recv, strings.ToLower(name), m.static)
}

func (e *evaluator) prop(recv value, name string, static bool) value {
	switch x := recv.(type) {
	case typeVal:
		if static {
			return e.staticProp(x.name, name)
		}
		switch name {
		case "fullname":
			return typeDisplayName(x.name)
		case "name":
			parts := strings.Split(typeDisplayName(x.name), ".")
			return parts[len(parts)-1]
		}
		return unknown
	case string:
		switch name {
		case "length":
			return int64(utf8.RuneCountInString(x))
		}
		if stringMethods[name] {
			return &methodRef{recv: x, name: name}
		}
		return unknown
	case psArray:
		switch name {
		case "length", "count":
			return int64(len(x))
		}
		if !e.reserveElems(len(x)) {
			return unknown
		}
		var out psArray
		for _, el := range x {
			v := e.prop(el, name, false)
			if isUnknown(v) {
				return unknown
			}
			if v != nil {
				out = append(out, v)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	case []byte:
		if name == "length" || name == "count" {
			return int64(len(x))
		}
	case *psHash:
		switch name {
		case "count":
			return int64(len(x.keys))
		case "keys":
			return strsToArr(x.keys)
		}
		return x.vals[name]
	case *object:
		if x.props != nil {
			if v, ok := x.props[name]; ok {
				return v
			}
		}
		if x.kind == "invokecommand" || x.kind == "execctx" {
			if name == "invokecommand" {
				return &object{kind: "invokecommand", typ: "System.Management.Automation.CommandInvocationIntrinsics"}
			}
		}
	case matchVal:
		if name == "value" {
			return x.val
		}
	case nil:
		return nil
	}
	return unknown
}

var stringMethods = map[string]bool{
	"replace": true, "split": true, "tochararray": true, "substring": true, "tolower": true, "toupper": true,
	"trim": true, "trimstart": true, "trimend": true, "insert": true, "remove": true, "indexof": true,
	"lastindexof": true, "contains": true, "startswith": true, "endswith": true, "padleft": true, "padright": true,
	"normalize": true, "tostring": true, "chars": true, "equals": true, "clone": true, "tolowerinvariant": true,
	"toupperinvariant": true, "getbytes": true,
}

func (e *evaluator) staticProp(t, name string) value {
	switch t {
	case "text.encoding":
		switch name {
		case "utf8", "ascii", "unicode", "bigendianunicode", "utf32", "utf7", "default", "latin1":
			return &object{kind: "encoding", enc: name, typ: "System.Text.Encoding"}
		}
	case "io.compression.compressionmode":
		if name == "decompress" {
			return "Decompress"
		}
		return "Compress"
	case "string":
		if name == "empty" {
			return ""
		}
	case "environment":
		if name == "newline" {
			return "\r\n"
		}
	case "char":
		return &methodRef{recv: typeVal{name: t}, name: name}
	}
	return unknown
}

func (e *evaluator) invoke(x *invokeExpr) value {
	recv := e.eval(x.target.x)
	name, ok := e.memberNameOf(x.target)
	args := make([]value, len(x.args))
	for i, a := range x.args {
		args[i] = e.eval(a)
		if s, isStr := args[i].(string); isStr {
			e.record(s, a)
		}
	}
	if !ok {
		if t, isT := recv.(typeVal); isT && x.target.static {
			return e.staticCall(t.name, "", args, x)
		}
		return unknown
	}
	name = strings.ToLower(name)
	e.noteCall(recv, name, x)
	if t, isT := recv.(typeVal); isT && x.target.static {
		return e.staticCall(t.name, name, args, x)
	}
	return e.call(recv, name, args, x)
}

func (e *evaluator) call(recv value, name string, args []value, at *invokeExpr) value {
	switch r := recv.(type) {
	case string:
		v := e.stringMethod(r, name, args)
		if !isUnknown(v) && (name == "replace" || name == "insert" || name == "remove" || name == "tochararray") {
			e.consume(r)
		}
		return v
	case psChar:
		if name == "tostring" {
			return string(rune(r))
		}
	case int64:
		if name == "tostring" {
			if len(args) == 1 {
				return e.format("{0:"+mustStr(e, args[0])+"}", []value{r})
			}
			s, _ := e.toStr(r)
			return s
		}
	case psArray:
		switch name {
		case "getvalue":
			if len(args) == 1 {
				return e.index(r, args[0])
			}
		case "tostring":
			return "System.Object[]"
		}
	case *methodRef:
		if name == "invoke" {
			if t, ok := r.recv.(typeVal); ok {
				return e.staticCall(t.name, r.name, args, at)
			}
			return e.call(r.recv, r.name, args, at)
		}
	case *sbVal:
		switch name {
		case "invoke", "invokereturnasis", "invokewithcontext":
			return e.runBlock(r, args, nil)
		case "getnewclosure":
			return r
		case "tostring":
			return r.text
		}
	case *object:
		return e.objectMethod(r, name, args, at)
	case typeVal:
		if name == "getfield" || name == "getmethod" || name == "getproperty" {
			return unknown
		}
	}
	if name == "gettype" && !isUnknown(recv) {
		return typeVal{name: "object"}
	}
	return unknown
}

func mustStr(e *evaluator, v value) string {
	s, _ := e.toStr(v)
	return s
}

func (e *evaluator) objectMethod(o *object, name string, args []value, at *invokeExpr) value {
	switch o.kind {
	case "encoding":
		switch name {
		case "getstring":
			if len(args) == 0 {
				return unknown
			}
			b, ok := e.toBytes(args[0])
			if !ok {
				return unknown
			}
			if len(args) == 3 {
				i, ok1 := toInt(args[1])
				n, ok2 := toInt(args[2])
				if !ok1 || !ok2 || i < 0 || n < 0 || i+n > int64(len(b)) {
					return unknown
				}
				b = b[i : i+n]
			}
			if !e.reserve(3 * int64(len(b))) {
				return unknown
			}
			return decodeText(b, o.enc)
		case "getbytes":
			if len(args) == 1 {
				if s, ok := e.toStr(args[0]); ok && e.reserve(4*int64(len(s))) {
					return encodeText(s, o.enc)
				}
			}
		}
	case "memorystream":
		if name == "toarray" || name == "getbuffer" {
			return o.data
		}
	case "reader":
		if name == "readtoend" || name == "readline" {
			return e.readAll(o)
		}
	case "invokecommand":
		return e.invokeCommandMethod(name, args, at)
	case "credential":
		if name == "getnetworkcredential" {
			return &object{kind: "netcred", typ: "System.Net.NetworkCredential", props: map[string]value{"password": o.text, "username": ""}}
		}
	case "securestring":
		if name == "tostring" {
			return "System.Security.SecureString"
		}
	}
	if name == "tostring" && o.typ != "" {
		return o.typ
	}
	return unknown
}

func (e *evaluator) invokeCommandMethod(name string, args []value, at *invokeExpr) value {
	switch name {
	case "invokescript":
		if len(args) > 0 {
			if s, ok := e.toStr(args[len(args)-1]); ok {
				e.sink(s, "$ExecutionContext.InvokeCommand.InvokeScript", at)
			}
		}
		return unknown
	case "newscriptblock":
		if len(args) > 0 {
			if s, ok := e.toStr(args[0]); ok {
				e.sink(s, "$ExecutionContext.InvokeCommand.NewScriptBlock", at)
				return &sbVal{text: s}
			}
		}
	case "getcommandname", "getcommand", "getcmdlet", "getcmdletbytypename":
		if len(args) > 0 {
			if s, ok := e.toStr(args[0]); ok {
				if n := resolveCommandPattern(s); n != "" {
					return n
				}
			}
		}
	case "expandstring":
		if len(args) > 0 {
			if s, ok := e.toStr(args[0]); ok {
				if r, ok := e.expand(s); ok {
					return r
				}
			}
		}
	}
	return unknown
}

// resolveCommandPattern resolves a wildcard command name against the known
// cmdlet list (first match in alphabetical order, like Get-Command).
func resolveCommandPattern(p string) string {
	if !strings.ContainsAny(p, "*?[") {
		return p
	}
	for _, c := range knownCmdlets {
		if wildcardMatch(p, c) {
			return c
		}
	}
	return ""
}
