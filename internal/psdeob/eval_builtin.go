package psdeob

import (
	"sort"
	"strings"
	"sync"
)

// builtinNames are the cmdlets and aliases the evaluator runs, built on
// first use (issue 16).
var builtinNames = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	for _, n := range strings.Fields(`iex invoke-expression invoke-command icm new-object set-variable sv set set-item si new-item ni
	get-variable gv get-childitem gci dir ls get-item gi foreach-object % foreach where-object ? where write-output echo write
	out-string out-null write-host start-sleep sleep add-type import-module ipmo write-verbose write-debug select-object select
	sort-object sort tee-object remove-variable rv clear-variable clv convertto-securestring get-command gcm join-path
	start-process saps start mshta`) {
		names[n] = true
	}
	return names
})

func (e *evaluator) builtin(name string, c *command, args []cmdArg, input value, hasInput bool) value {
	switch name {
	case "iex", "invoke-expression":
		v, ok := pick(args, 0, "command")
		if !ok && hasInput {
			v, ok = input, true
		}
		if ok {
			e.executeString(v, "Invoke-Expression", c)
		}
		return unknown
	case "invoke-command", "icm":
		if v, ok := pick(args, 0, "scriptblock"); ok {
			if sb, isSB := v.(*sbVal); isSB {
				return e.runBlock(sb, nil, input)
			}
		}
		return unknown
	case "new-object":
		return e.newObjectCmd(args)
	case "set-variable", "sv", "set":
		n, ok1 := pick(args, 0, "name")
		v, ok2 := pick(args, 1, "value")
		if !ok2 && hasInput {
			v, ok2 = input, true
		}
		if s, ok := e.toStr(n); ok1 && ok && ok2 {
			e.setVar(normVarName(s), v)
		}
		return nil
	case "set-item", "si", "new-item", "ni":
		p, ok1 := pick(args, 0, "path")
		v, ok2 := pick(args, 1, "value")
		if s, ok := e.toStr(p); ok1 && ok && ok2 {
			ls := strings.ToLower(s)
			if strings.HasPrefix(ls, "variable:") || strings.HasPrefix(ls, "env:") {
				e.setVar(normVarName(s), v)
			}
		}
		return nil
	case "get-variable", "gv":
		p, ok := pick(args, 0, "name")
		s, ok2 := e.toStr(p)
		if !ok || !ok2 {
			return unknown
		}
		_, valueOnly := pick(args, -1, "valueonly")
		return e.lookupVars(s, valueOnly)
	case "get-childitem", "gci", "dir", "ls", "get-item", "gi", "item":
		p, ok := pick(args, 0, "path", "literalpath")
		s, ok2 := e.toStr(p)
		if !ok || !ok2 {
			return unknown
		}
		ls := strings.ToLower(s)
		if strings.HasPrefix(ls, "variable:") {
			return e.lookupVars(strings.TrimLeft(s[len("variable:"):], "\\/"), false)
		}
		if strings.HasPrefix(ls, "env:") {
			n := strings.TrimLeft(ls[4:], "\\/")
			if v, ok := e.env[n]; ok {
				return &object{kind: "var", typ: "System.Collections.DictionaryEntry", props: map[string]value{"name": n, "value": v, "key": n}}
			}
		}
		return unknown
	case "foreach-object", "%", "foreach":
		if v, ok := pick(args, 0, "process"); ok {
			if sb, isSB := v.(*sbVal); isSB {
				return e.eachItem(sb, input, false)
			}
			if m, isStr := v.(string); isStr {
				if !e.reserveElems(listLen(input)) {
					return unknown
				}
				var out psArray
				for _, it := range toList(input) {
					out = append(out, e.prop(it, strings.ToLower(m), false))
				}
				return out
			}
		}
		return unknown
	case "where-object", "?", "where":
		if v, ok := pick(args, 0, "filterscript"); ok {
			if sb, isSB := v.(*sbVal); isSB {
				return e.eachItem(sb, input, true)
			}
		}
		return unknown
	case "write-output", "echo", "write":
		if v, ok := pick(args, 0, "inputobject"); ok {
			return v
		}
		return input
	case "out-string":
		if isUnknown(input) {
			return unknown
		}
		return e.join(input, "\n")
	case "out-null", "write-host", "start-sleep", "sleep", "add-type", "import-module", "ipmo", "write-verbose", "write-debug":
		return nil
	case "select-object", "select", "sort-object", "sort", "tee-object":
		return input
	case "remove-variable", "rv", "clear-variable", "clv":
		if n, ok := pick(args, 0, "name"); ok {
			if s, ok := e.toStr(n); ok {
				delete(e.vars, normVarName(s))
			}
		}
		return nil
	case "convertto-securestring":
		return e.convertToSecureString(args, input, hasInput)
	case "get-command", "gcm":
		if v, ok := pick(args, 0, "name"); ok {
			if s, ok := e.toStr(v); ok {
				if n := resolveCommandPattern(s); n != "" {
					return n
				}
			}
		}
		return unknown
	case "join-path":
		a, ok1 := pick(args, 0, "path")
		b, ok2 := pick(args, 1, "childpath")
		as, ok3 := e.toStr(a)
		bs, ok4 := e.toStr(b)
		if ok1 && ok2 && ok3 && ok4 {
			return strings.TrimRight(as, "\\") + "\\" + strings.TrimLeft(bs, "\\")
		}
		return unknown
	case "start-process", "saps", "start":
		e.startProcess(args)
		return unknown
	case "mshta":
		if v, ok := pick(args, 0); ok {
			if s, ok := e.toStr(v); ok {
				e.mshta(s, c)
			}
		}
		return unknown
	}
	return unknown
}

// executeString treats v as script text that would be executed.
func (e *evaluator) executeString(v value, how string, at node) {
	switch x := v.(type) {
	case *sbVal:
		e.runBlock(x, nil, nil)
		return
	case psArray:
		// an array piped to iex runs each element; join them as one layer
		s, ok := e.join(x, "\n").(string)
		if ok {
			e.sink(s, how, at)
		}
		return
	}
	if s, ok := e.toStr(v); ok {
		e.sink(s, how, at)
	}
}

func (e *evaluator) lookupVars(pattern string, valueOnly bool) value {
	names := map[string]string{}
	for _, n := range autoVarNames {
		names[strings.ToLower(n)] = n
	}
	for n := range e.vars {
		if _, ok := names[n]; !ok {
			names[n] = n
		}
	}
	var keys []string
	for k := range names {
		if wildcardMatch(pattern, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out psArray
	for _, k := range keys {
		val := e.getVar(k)
		if valueOnly {
			out = append(out, val)
			continue
		}
		out = append(out, &object{kind: "var", typ: "System.Management.Automation.PSVariable", props: map[string]value{"name": names[k], "value": val}})
	}
	switch len(out) {
	case 0:
		return unknown
	case 1:
		return out[0]
	}
	return out
}

func (e *evaluator) convertToSecureString(args []cmdArg, input value, hasInput bool) value {
	sv, ok := pick(args, 0, "string")
	if !ok && hasInput {
		sv, ok = input, true
	}
	s, ok2 := e.toStr(sv)
	if !ok || !ok2 {
		return unknown
	}
	if _, plain := pick(args, -1, "asplaintext"); plain {
		return &object{kind: "securestring", text: s, typ: "System.Security.SecureString"}
	}
	kv, ok := pick(args, -1, "key", "securekey")
	if !ok {
		return unknown
	}
	key, ok := toBytes(kv)
	if !ok {
		return unknown
	}
	pt, err := decryptSecureString(s, key)
	if err != nil {
		return unknown
	}
	e.note("SecureString AES-CBC decryption (key in script)")
	e.record(pt, nil)
	return &object{kind: "securestring", text: pt, typ: "System.Security.SecureString"}
}
