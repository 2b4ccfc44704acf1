package psdeob

import (
	"path"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// splitArgv splits a Windows command line the way CommandLineToArgvW does.
func splitArgv(s string) []string {
	var args []string
	var b strings.Builder
	inQ, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				b.WriteString(strings.Repeat("\\", n/2))
				if n%2 == 1 {
					b.WriteByte('"')
				} else {
					i--
				}
			} else {
				b.WriteString(strings.Repeat("\\", n))
				i--
			}
			have = true
		case c == '"':
			if inQ && i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
			} else {
				inQ = !inQ
			}
			have = true
		case (c == ' ' || c == '\t' || c == '\n' || c == '\r') && !inQ:
			if have {
				args = append(args, b.String())
				b.Reset()
				have = false
			}
		default:
			b.WriteByte(c)
			have = true
		}
	}
	if have {
		args = append(args, b.String())
	}
	return args
}

func progName(tok string) string {
	t := strings.ToLower(strings.Trim(tok, "\"'"))
	t = path.Base(strings.ReplaceAll(t, "\\", "/"))
	return strings.TrimSuffix(t, ".exe")
}

// interpretPSArgs reads powershell.exe arguments (without argv[0]) and
// returns the script they run.
func interpretPSArgs(argv []string) (script, how string, ok bool) {
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if a == "" {
			continue
		}
		if a[0] != '-' && a[0] != '/' {
			return strings.Join(argv[i:], " "), "PowerShell command-line script argument", true
		}
		p := strings.ToLower(strings.TrimLeft(a, "-/"))
		if k := strings.IndexByte(p, ':'); k > 0 {
			p = p[:k]
		}
		switch {
		case p == "":
			return "", "", false // script from stdin
		case p == "e" || p == "ec" || len(p) >= 2 && strings.HasPrefix("encodedcommand", p):
			if i+1 >= len(argv) {
				return "", "", false
			}
			b, err := decodeBase64(argv[i+1])
			if err != nil {
				return "", "", false
			}
			return utf16leToString(b), "base64 (UTF-16LE) of -EncodedCommand", true
		case p == "c" || len(p) >= 2 && strings.HasPrefix("command", p):
			return strings.Join(argv[i+1:], " "), "PowerShell -Command argument", true
		case p == "f" || strings.HasPrefix("file", p) && len(p) >= 2:
			return "", "", false
		case p == "w" || strings.HasPrefix("windowstyle", p) && len(p) >= 2 || p == "ep" || p == "ex" || len(p) >= 3 && strings.HasPrefix("executionpolicy", p) ||
			p == "v" || strings.HasPrefix("version", p) && len(p) >= 2 || strings.HasPrefix("inputformat", p) && len(p) >= 2 ||
			p == "o" || strings.HasPrefix("outputformat", p) && len(p) >= 2 || strings.HasPrefix("configurationname", p) && len(p) >= 3 ||
			strings.HasPrefix("psconsolefile", p) && len(p) >= 2 || strings.HasPrefix("workingdirectory", p) && len(p) >= 2 || p == "wd":
			i++
		}
	}
	return "", "", false
}

func (e *evaluator) launcherFromAST(c *command) {
	var argv []string
	text := e.layers[e.cur].Text
	for _, a := range c.args {
		switch x := a.(type) {
		case *paramTok:
			argv = append(argv, "-"+x.name)
		case *strLit:
			argv = append(argv, x.val)
		case *wordLit:
			argv = append(argv, x.text)
		default:
			v := e.eval(a)
			if s, ok := v.(string); ok {
				argv = append(argv, s)
				continue
			}
			st, en := a.span()
			if en <= len(text) && st <= en {
				argv = append(argv, text[st:en])
			}
		}
	}
	if script, how, ok := interpretPSArgs(argv); ok {
		e.note("PowerShell launcher")
		e.sink(script, how, c)
	}
}

var cmdSwitch = lazyre.New(`(?i)^\s*/(?:[a-z](?::[a-z0-9]+)?)`)

// cmdLine handles "cmd /c ..." text: set, echo|powershell, start, mshta.
func (e *evaluator) cmdLine(text string, at node) {
	rest := strings.TrimSpace(text)
	args := splitArgv(rest)
	if len(args) == 0 {
		return
	}
	first := rest
	if i := strings.IndexAny(strings.ToLower(rest), " \t/"); i >= 0 {
		first = rest[:i]
	}
	rest = rest[len(first):]
	for {
		m := cmdSwitch.FindString(rest)
		if m == "" {
			break
		}
		rest = rest[len(m):]
		sw := strings.ToLower(strings.TrimSpace(m))
		if sw == "/c" || sw == "/k" || sw == "/r" {
			break
		}
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 2 && rest[0] == '"' && strings.HasSuffix(rest, "\"") {
		rest = rest[1 : len(rest)-1]
	}
	e.note("cmd.exe launcher")
	for _, seg := range splitCmdSegments(rest) {
		x, ok := e.expandCmd(seg)
		if !ok {
			return
		}
		e.cmdSegment(x, at)
	}
}

// splitCmdSegments splits on & && || outside double quotes and removes ^
// escapes outside quotes.
func splitCmdSegments(s string) []string {
	var out []string
	var b strings.Builder
	inQ := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			inQ = !inQ
			b.WriteByte(c)
		case c == '^' && !inQ && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case (c == '&' || c == '|' && i+1 < len(s) && s[i+1] == '|') && !inQ:
			out = append(out, b.String())
			b.Reset()
			if i+1 < len(s) && (s[i+1] == '&' || s[i+1] == '|') {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

var cmdVarRe = lazyre.New(`%([A-Za-z_][A-Za-z0-9_()]*)%`)

// expandCmd is expandCmdVars(s, e.env) with the result's size charged
// before it is built: "set a=%a%%a%" doubles a variable per segment.
func (e *evaluator) expandCmd(s string) (string, bool) {
	if !e.tick() {
		return "", false
	}
	size := int64(len(s))
	for _, m := range cmdVarRe.FindAllStringIndex(s, -1) {
		if v, ok := e.env[strings.ToLower(s[m[0]+1:m[1]-1])]; ok {
			size += int64(len(v)) - int64(m[1]-m[0])
		}
	}
	if !e.reserve(size) {
		return "", false
	}
	return expandCmdVars(s, e.env), true
}

func expandCmdVars(s string, env map[string]string) string {
	return cmdVarRe.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[strings.ToLower(m[1:len(m)-1])]; ok {
			return v
		}
		return m
	})
}

var setRe = lazyre.New(`(?is)^\s*set\s+"?([^=\s"]+)=(.*)$`)

func (e *evaluator) cmdSegment(seg string, at node) {
	seg = strings.TrimSpace(seg)
	if m := setRe.FindStringSubmatch(seg); m != nil {
		v := m[2]
		if strings.HasPrefix(strings.TrimSpace(seg[3:]), "\"") {
			v = strings.TrimSuffix(strings.TrimRight(v, " "), "\"")
		}
		e.env[strings.ToLower(m[1])] = v
		return
	}
	// echo <script> | powershell -
	if parts := splitPipeOutsideQuotes(seg); len(parts) == 2 {
		left := strings.TrimSpace(parts[0])
		if strings.HasPrefix(strings.ToLower(left), "echo ") || strings.HasPrefix(strings.ToLower(left), "echo.") {
			e.processCommandLine(strings.TrimSpace(parts[1]), strings.TrimSpace(left[5:]), at)
			return
		}
		seg = strings.TrimSpace(parts[1])
	}
	e.processCommandLine(seg, "", at)
}

func splitPipeOutsideQuotes(s string) []string {
	inQ := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQ = !inQ
		case '|':
			if !inQ {
				return []string{s[:i], s[i+1:]}
			}
		}
	}
	return []string{s}
}

var startSwitches = lazyre.New(`(?i)^\s*(?:start|call)\b((?:\s+/[a-z]+|\s+"[^"]*")*)\s*`)

// processCommandLine interprets one program invocation; stdin is the text
// echoed into it, if any.
func (e *evaluator) processCommandLine(line, stdin string, at node) {
	for i := 0; i < 4; i++ {
		m := startSwitches.FindString(line)
		if m == "" {
			break
		}
		line = line[len(m):]
	}
	argv := splitArgv(line)
	if len(argv) == 0 {
		return
	}
	switch progName(argv[0]) {
	case "powershell", "pwsh":
		script, how, ok := interpretPSArgs(argv[1:])
		if !ok && stdin != "" {
			script, how, ok = stdin, "script echoed into powershell's standard input", true
		}
		if ok {
			e.note("PowerShell launcher")
			e.sink(script, how, at)
		}
	case "cmd", "%comspec%":
		e.cmdLine(line, at)
	case "mshta":
		e.mshta(strings.TrimSpace(line[len(strings.SplitN(line, " ", 2)[0]):]), at)
	}
}

var vbsRunRe = lazyre.New(`(?i)\.run\s*\(`)

// mshta extracts the command line a VBScript WScript.Shell.Run would start.
func (e *evaluator) mshta(s string, at node) {
	loc := vbsRunRe.FindStringIndex(s)
	if loc == nil {
		return
	}
	rest := s[loc[1]:]
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c == '"' {
			j := i + 1
			for j < len(rest) {
				if rest[j] == '"' {
					if j+1 < len(rest) && rest[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(rest[j])
				j++
			}
			i = j
			continue
		}
		if c == ',' || c == ')' {
			break
		}
	}
	cmdText := strings.NewReplacer("^&", "&", "^|", "|", "^^", "^", "^<", "<", "^>", ">").Replace(b.String())
	e.note("mshta VBScript launcher")
	e.processCommandLine(cmdText, "", at)
}

var launcherArgsRe = lazyre.New(`(?i)^\s*(?:-(?:nop|noprofile|noni|noninteractive|w|windowstyle|exec|ep|executionpolicy|sta|nol|nologo)\b[^-]*)+-(?:c|command|e|ec|enc|encodedcommand)\b`)

// maybeLauncherString decodes a string that holds powershell.exe arguments
// (for example assigned to ProcessStartInfo.Arguments).
func (e *evaluator) maybeLauncherString(s string, at node) {
	if len(s) > 1<<20 || !launcherArgsRe.MatchString(s) {
		return
	}
	if script, how, ok := interpretPSArgs(splitArgv(s)); ok {
		e.sink(script, how+" (argument string built in the script)", at)
	}
}

func (e *evaluator) startProcess(args []cmdArg) {
	fv, ok := pick(args, 0, "filepath")
	f, ok2 := e.toStr(fv)
	if !ok || !ok2 {
		return
	}
	av, _ := pick(args, 1, "argumentlist")
	var argStr string
	switch x := av.(type) {
	case psArray:
		var parts []string
		for _, it := range x {
			s, _ := e.toStr(it)
			parts = append(parts, s)
		}
		argStr = strings.Join(parts, " ")
	default:
		argStr, _ = e.toStr(x)
	}
	e.processCommandLine("\""+f+"\" "+argStr, "", nil)
}

var cmdLineStart = lazyre.New(`(?i)^\s*(?:"?[a-z]:\\[^"\r\n]*\\)?"?(?:cmd(?:\.exe)?|%comspec%|powershell(?:\.exe)?|pwsh(?:\.exe)?|mshta(?:\.exe)?)"?(?:\s|/|$)`)

// looksLikeCommandLine reports whether the input is a process command line
// (cmd / powershell / mshta launcher) rather than PowerShell script text.
func looksLikeCommandLine(s string) bool {
	return cmdLineStart.MatchString(s)
}
