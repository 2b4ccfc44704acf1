package psdeob

import (
	"path"
	"strings"
)

type cmdArg struct {
	param string // lower-case parameter name without '-', or ""
	val   value
	node  node
}

// commandName resolves the invoked name: a bareword, or the string value of
// an & / . expression. sb is set when a script block is invoked.
func (e *evaluator) commandName(c *command) (name string, sb *sbVal, ok bool) {
	if w, isW := c.name.(*wordLit); isW && c.call == "" {
		return strings.ToLower(w.text), nil, true
	}
	v := e.eval(c.name)
	switch x := v.(type) {
	case *sbVal:
		return "", x, true
	case string:
		if c.call != "" {
			e.note("call operator with computed command name")
		}
		return strings.ToLower(strings.TrimSpace(strings.ReplaceAll(x, "`", ""))), nil, true
	case *object:
		if x.kind == "var" {
			s, ok := e.toStr(x.props["name"])
			return strings.ToLower(s), nil, ok
		}
	}
	return "", nil, false
}

func (e *evaluator) cmdArgs(c *command) []cmdArg {
	var out []cmdArg
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		if p, ok := a.(*paramTok); ok {
			ca := cmdArg{param: p.name, node: a}
			if i+1 < len(c.args) {
				if _, nextIsParam := c.args[i+1].(*paramTok); !nextIsParam {
					ca.val = e.eval(c.args[i+1])
					ca.node = c.args[i+1]
					i++
				} else {
					ca.val = true
				}
			} else {
				ca.val = true
			}
			out = append(out, ca)
			continue
		}
		out = append(out, cmdArg{val: e.eval(a), node: a})
	}
	return out
}

// pick returns the value of a named parameter (matched by prefix of any of
// the names) or the n-th positional argument.
func pick(args []cmdArg, n int, names ...string) (value, bool) {
	for _, a := range args {
		if a.param == "" {
			continue
		}
		for _, nm := range names {
			if strings.HasPrefix(nm, a.param) {
				return a.val, true
			}
		}
	}
	i := 0
	for _, a := range args {
		if a.param != "" {
			continue
		}
		if i == n {
			return a.val, true
		}
		i++
	}
	return nil, false
}

func (e *evaluator) runCommand(c *command, input value, hasInput bool) value {
	name, sb, ok := e.commandName(c)
	if !ok {
		return unknown
	}
	if sb != nil {
		args := e.cmdArgs(c)
		var pos []value
		for _, a := range args {
			if a.param == "" {
				pos = append(pos, a.val)
			}
		}
		return e.runBlock(sb, pos, input)
	}
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), ".exe")
	switch base {
	case "powershell", "pwsh", "powershell_ise":
		e.launcherFromAST(c)
		return unknown
	case "cmd", "%comspec%":
		if st, en := c.span(); en <= len(e.layers[e.cur].Text) {
			e.cmdLine(e.layers[e.cur].Text[st:en], c)
		}
		return unknown
	}
	if f, ok := e.funcs[name]; ok && e.callDepth < maxCallDepth {
		return e.callFunc(f, e.cmdArgs(c), input)
	}
	args := e.cmdArgs(c)
	for _, a := range args {
		if s, ok := a.val.(string); ok {
			e.record(s, a.node)
		}
	}
	if _, known := builtinNames()[name]; !known && !strings.ContainsAny(name, "-\\/.") {
		// PowerShell resolves "Variable" to Get-Variable when nothing else matches
		if _, ok := builtinNames()["get-"+name]; ok {
			name = "get-" + name
		}
	}
	return e.builtin(name, c, args, input, hasInput)
}

func (e *evaluator) callFunc(f *funcDef, args []cmdArg, input value) value {
	e.callDepth++
	defer func() { e.callDepth-- }()
	params := f.params
	if len(params) == 0 && len(f.body) > 0 {
		if pd, ok := f.body[0].(*funcDef); ok && pd.name == "" {
			params = pd.params
		}
	}
	pi := 0
	for _, a := range args {
		if a.param != "" {
			for _, p := range params {
				if strings.HasPrefix(p, a.param) {
					e.vars[p] = a.val
				}
			}
			continue
		}
		if pi < len(params) {
			e.vars[params[pi]] = a.val
			pi++
		}
	}
	e.vars["input"] = input
	return e.runStmts(f.body)
}

func (e *evaluator) runBlock(sb *sbVal, args []value, input value) value {
	if e.callDepth >= maxCallDepth {
		return unknown
	}
	e.callDepth++
	defer func() { e.callDepth-- }()
	body := sb.body
	if body == nil && sb.text != "" {
		if !e.reserveParse(sb.text) {
			return unknown
		}
		body = parseScript(sb.text)
	}
	e.vars["args"] = psArray(args)
	if len(body) > 0 {
		if pd, ok := body[0].(*funcDef); ok && pd.name == "" {
			for i, p := range pd.params {
				if i < len(args) {
					e.vars[p] = args[i]
				}
			}
		}
	}
	if input != nil {
		e.vars["input"] = input
		e.vars["_"] = input
	}
	return e.runStmts(body)
}

func (e *evaluator) eachItem(body *sbVal, input value, filter bool) value {
	if isUnknown(input) || listLen(input) > maxLoopItems {
		return unknown
	}
	if b, ok := input.([]byte); ok && isUnknown(e.byteList(b)) {
		return unknown
	}
	items := toList(input)
	if !e.reserveElems(len(items)) {
		return unknown
	}
	out := make(psArray, 0, len(items))
	savedU, hadU := e.vars["_"]
	for _, it := range items {
		if !e.tick() {
			return unknown
		}
		e.vars["_"] = it
		e.vars["psitem"] = it
		v := e.runStmts(body.body)
		if filter {
			b, ok := toBool(v)
			if !ok {
				return unknown
			}
			if b {
				out = append(out, it)
			}
			continue
		}
		if isUnknown(v) || !e.reserveElems(listLen(v)) {
			return unknown
		}
		out = append(out, toList(v)...)
	}
	if hadU {
		e.vars["_"] = savedU
	}
	return out
}
