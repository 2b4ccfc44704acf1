package syntax

import (
	"fmt"
	"strings"
)

// Limits that keep hostile input bounded.
const (
	// MaxQueryBytes is the longest query text Parse accepts.
	MaxQueryBytes = 1 << 20
	// MaxDepth is the deepest nesting of expressions and sub-queries.
	MaxDepth = 200
	// MaxLiteralBytes is the longest single string literal accepted.
	MaxLiteralBytes = 256 << 10
)

// Parse parses a KQL script. It always returns a non-nil *Script holding
// the statements it could parse; diagnostics (Kind "syntax") describe any
// errors. A query is syntactically valid when HasErrors(diags) is false.
func Parse(src string) (*Script, []Diagnostic) {
	s := &Script{Span: Span{0, len(src)}}
	if len(src) > MaxQueryBytes {
		return s, []Diagnostic{{
			Message: fmt.Sprintf("query is %d bytes long; the limit is %d bytes", len(src), MaxQueryBytes),
			Start:   0, Length: 0, Severity: SeverityError, Kind: KindSyntax,
		}}
	}
	p := &parser{src: src}
	p.tok = scan(src, 0)
	s.Stmts = p.parseStatements(false)
	return s, p.diags
}

// ParseExpr parses a single scalar or tabular expression (no statements).
func ParseExpr(src string) (Expr, []Diagnostic) {
	if len(src) > MaxQueryBytes {
		return nil, []Diagnostic{{Message: "expression is too long", Severity: SeverityError, Kind: KindSyntax}}
	}
	p := &parser{src: src}
	p.tok = scan(src, 0)
	var x Expr
	p.guard(func() {
		x = p.parsePipeExpr()
		if p.tok.kind != tkEOF {
			p.failTok("expected end of expression")
		}
	})
	return x, p.diags
}

// parser is a recursive-descent parser over an on-demand token stream.
type parser struct {
	src   string
	tok   token // current token
	prev  token // previous token
	depth int
	diags []Diagnostic
}

// bailout unwinds the parser after an error; it never leaves the package.
type bailout struct{}

func (p *parser) next() {
	p.prev = p.tok
	p.tok = scan(p.src, p.tok.end)
}

func (p *parser) peek() token { return scan(p.src, p.tok.end) }

func (p *parser) peek2() token {
	t := scan(p.src, p.tok.end)
	return scan(p.src, t.end)
}

// guard runs f and converts a bailout into a normal return.
func (p *parser) guard(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bailout); !isBail {
				panic(r)
			}
			ok = false
		}
	}()
	f()
	return true
}

func (p *parser) fail(start, end int, msg string) {
	if end < start {
		end = start
	}
	p.diags = append(p.diags, Diagnostic{Message: msg, Start: start, Length: end - start,
		Severity: SeverityError, Kind: KindSyntax})
	panic(bailout{})
}

// failTok reports "<what>, found <tok>" at the current token.
func (p *parser) failTok(what string) {
	if p.tok.kind == tkBad {
		p.fail(p.tok.start, p.tok.end, p.tok.text)
	}
	p.fail(p.tok.start, p.tok.end, what+", found "+describe(p.tok))
}

func (p *parser) is(text string) bool {
	return (p.tok.kind == tkPunct || p.tok.kind == tkIdent) && p.tok.text == text
}

func (p *parser) isPunct(text string) bool { return p.tok.kind == tkPunct && p.tok.text == text }
func (p *parser) isWord(text string) bool  { return p.tok.kind == tkIdent && p.tok.text == text }

// accept consumes the current token if it is text.
func (p *parser) accept(text string) bool {
	if p.is(text) {
		p.next()
		return true
	}
	return false
}

// expect consumes text or fails with "expected 'text' <context>".
func (p *parser) expect(text, context string) token {
	if !p.is(text) {
		msg := "expected '" + text + "'"
		if context != "" {
			msg += " " + context
		}
		p.failTok(msg)
	}
	t := p.tok
	p.next()
	return t
}

// closeParen expects ')' closing something opened at open.
func (p *parser) closeParen(close string, what string, open int) token {
	if p.is(close) { // the message is built only when it is needed
		t := p.tok
		p.next()
		return t
	}
	return p.expect(close, fmt.Sprintf("to close %s opened at %d", what, open))
}

// closeParenFor is closeParen with what = fmt.Sprintf(whatFormat, arg),
// formatted only when the closing bracket is missing.
func (p *parser) closeParenFor(close, whatFormat, arg string, open int) token {
	if p.is(close) {
		t := p.tok
		p.next()
		return t
	}
	return p.closeParen(close, fmt.Sprintf(whatFormat, arg), open)
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.tok.start, p.tok.end, fmt.Sprintf("query is nested too deeply (more than %d levels)", MaxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

// parseStatements parses statements until EOF (or '}' when inBody).
func (p *parser) parseStatements(inBody bool) []Stmt {
	var out []Stmt
	for {
		for p.isPunct(";") {
			p.next()
		}
		if p.tok.kind == tkEOF || (inBody && p.isPunct("}")) {
			return out
		}
		var st Stmt
		ok := p.guard(func() { st = p.parseStatement() })
		if !ok {
			if inBody {
				panic(bailout{})
			}
			p.recoverToSemicolon()
			continue
		}
		out = append(out, st)
		if p.tok.kind == tkEOF || (inBody && p.isPunct("}")) {
			return out
		}
		if !p.isPunct(";") {
			if !p.guard(func() { p.failTok("expected ';' or '|' after the statement") }) && inBody {
				panic(bailout{})
			}
			p.recoverToSemicolon()
		}
	}
}

// recoverToSemicolon skips tokens up to the next top-level ';'.
func (p *parser) recoverToSemicolon() {
	depth := 0
	for p.tok.kind != tkEOF {
		if p.tok.kind == tkPunct {
			switch p.tok.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			case ";":
				if depth <= 0 {
					p.next()
					return
				}
			}
		}
		if p.tok.kind == tkBad && p.tok.end <= p.tok.start {
			return
		}
		p.next()
	}
}

func (p *parser) parseStatement() Stmt {
	start := p.tok.start
	switch {
	case p.isPunct("."):
		end := len(p.src)
		text := p.src[start:end]
		p.tok = token{kind: tkEOF, start: end, end: end}
		return &CommandStmt{Span: Span{start, end}, Text: text}
	case p.isWord("let") && p.peek().kind == tkIdent:
		p.next()
		name := p.parseIdent("after 'let'")
		p.expect("=", "after the name in 'let "+name.Name+"'")
		v := p.parseLetValue()
		return &LetStmt{Span: Span{start, p.prev.end}, Name: name, Value: v}
	case p.isWord("set") && p.peek().kind == tkIdent:
		p.next()
		name := p.parseDottedName()
		var v Expr
		if p.accept("=") {
			v = p.parseOptionValue()
		}
		return &SetStmt{Span: Span{start, p.prev.end}, Name: name, Value: v}
	}
	x := p.parsePipeExpr()
	return &ExprStmt{Span: Span{start, p.prev.end}, X: x}
}

// parseLetValue parses the right side of let: a function literal or an expression.
func (p *parser) parseLetValue() Expr {
	if p.isWord("view") && p.peek().kind == tkPunct && p.peek().text == "(" {
		start := p.tok.start
		p.next()
		f := p.parseFuncLit()
		f.View = true
		f.Start = start
		return f
	}
	if p.isFuncLitStart() {
		return p.parseFuncLit()
	}
	return p.parsePipeExpr()
}

// isFuncLitStart reports whether '(' starts a parameter list: "()" then '{',
// or "(name:" .
func (p *parser) isFuncLitStart() bool {
	if !p.isPunct("(") {
		return false
	}
	t1 := p.peek()
	t2 := scan(p.src, t1.end)
	if t1.kind == tkPunct && t1.text == ")" {
		return t2.kind == tkPunct && t2.text == "{"
	}
	return t1.kind == tkIdent && t2.kind == tkPunct && t2.text == ":"
}

// parseFuncLit parses `(params) { body }`.
func (p *parser) parseFuncLit() *FuncLit {
	start := p.tok.start
	open := p.expect("(", "to start the parameter list").start
	f := &FuncLit{}
	for !p.isPunct(")") {
		f.Params = append(f.Params, p.parseParam())
		if !p.accept(",") {
			break
		}
	}
	p.closeParen(")", "the parameter list", open)
	brace := p.expect("{", "to start the function body").start
	p.enter()
	f.Body = p.parseStatements(true)
	p.leave()
	p.closeParen("}", "the function body", brace)
	if len(f.Body) == 0 {
		p.fail(brace, p.prev.end, "function body is empty; it must end with an expression")
	}
	f.Span = Span{start, p.prev.end}
	return f
}

func (p *parser) parseParam() *Param {
	start := p.tok.start
	name := p.parseIdent("as a parameter name")
	p.expect(":", "and a type after parameter '"+name.Name+"'")
	prm := &Param{Name: name}
	if p.isPunct("(") {
		prm.Columns = p.parseColumnDecls("the tabular parameter schema", true)
		prm.Type = tabularTypeText(prm.Columns)
	} else {
		prm.Type = p.parseTypeName()
	}
	if p.accept("=") {
		prm.Default = p.parseExpr()
	}
	prm.Span = Span{start, p.prev.end}
	return prm
}

// scalarTypes are the type names accepted in declarations.
var scalarTypes = map[string]string{
	"string": "string", "long": "long", "int": "int", "real": "real", "double": "real",
	"bool": "bool", "boolean": "bool", "datetime": "datetime", "date": "datetime",
	"timespan": "timespan", "time": "timespan", "guid": "guid", "uuid": "guid",
	"uniqueid": "guid", "dynamic": "dynamic", "decimal": "decimal",
	"int64": "long", "int32": "int", "float": "real",
}

func (p *parser) parseTypeName() string {
	if p.tok.kind != tkIdent {
		p.failTok("expected a type name such as string, long or datetime")
	}
	t, ok := scalarTypes[p.tok.text]
	if !ok {
		p.fail(p.tok.start, p.tok.end, fmt.Sprintf("'%s' is not a type; use string, long, int, real, bool, datetime, timespan, guid, dynamic or decimal", p.tok.text))
	}
	p.next()
	return t
}

// parseColumnDecls parses `(Name:type, ...)`; with allowStar, `(*)` too.
func (p *parser) parseColumnDecls(what string, allowStar bool) []*ColumnDecl {
	open := p.expect("(", "to start "+what).start
	var cols []*ColumnDecl
	if allowStar && p.isPunct("*") {
		p.next()
		p.closeParen(")", what, open)
		return nil
	}
	for !p.isPunct(")") {
		start := p.tok.start
		name := p.parseIdent("as a column name in " + what)
		p.expect(":", "and a type after column '"+name.Name+"'")
		typ := p.parseTypeName()
		cols = append(cols, &ColumnDecl{Span: Span{start, p.prev.end}, Name: name, Type: typ})
		if !p.accept(",") {
			break
		}
	}
	if allowStar && p.isPunct(",") {
		p.next()
	}
	if allowStar && p.isPunct("*") {
		p.next()
	}
	p.closeParen(")", what, open)
	return cols
}

// parseIdent parses a plain or bracketed identifier.
func (p *parser) parseIdent(context string) *Ident {
	if id := p.tryIdent(); id != nil {
		return id
	}
	p.failTok("expected a name " + context)
	return nil
}

// tryIdent parses name, ['name'] or ["name"] when present.
func (p *parser) tryIdent() *Ident {
	switch {
	case p.tok.kind == tkIdent:
		id := &Ident{Span: Span{p.tok.start, p.tok.end}, Name: p.tok.text}
		p.next()
		return id
	case p.isPunct("[") && p.peek().kind == tkString:
		start := p.tok.start
		p.next()
		lit := p.parseStringLit()
		p.closeParen("]", "the bracketed name", start)
		return &Ident{Span: Span{start, p.prev.end}, Name: lit.Value.(string), Quoted: true}
	}
	return nil
}

// parseDottedName parses a.b.c as one identifier (option names).
func (p *parser) parseDottedName() *Ident {
	id := p.parseIdent("")
	for p.isPunct(".") && !p.prev.spaceAfter {
		p.next()
		part := p.parseIdent("after '.'")
		id.Name += "." + part.Name
		id.End = part.End
	}
	return id
}

// tabularTypeText spells a tabular parameter type: "(*)" or "(A:string, B:long)".
func tabularTypeText(cols []*ColumnDecl) string {
	if len(cols) == 0 {
		return "(*)"
	}
	var b strings.Builder
	b.WriteString("(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name.Name + ":" + c.Type)
	}
	b.WriteString(")")
	return b.String()
}
