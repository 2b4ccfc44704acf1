package syntax

import "fmt"

// comparison-level binary operators spelled as words or bang tokens.
var wordOps = map[string]bool{
	"has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true,
	"hassuffix": true, "hassuffix_cs": true, "contains": true, "contains_cs": true,
	"containscs": true, "notcontains": true, "notcontainscs": true,
	"startswith": true, "startswith_cs": true, "endswith": true, "endswith_cs": true,
	"like": true, "notlike": true, "likecs": true, "notlikecs": true,
	"!has": true, "!has_cs": true, "!hasprefix": true, "!hasprefix_cs": true,
	"!hassuffix": true, "!hassuffix_cs": true, "!contains": true, "!contains_cs": true,
	"!containscs": true, "!startswith": true, "!startswith_cs": true,
	"!endswith": true, "!endswith_cs": true,
}

// set operators taking a parenthesised list.
var setOps = map[string]bool{
	"in": true, "!in": true, "in~": true, "!in~": true,
	"has_any": true, "has_all": true,
}

var symOps = map[string]bool{
	"==": true, "!=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true,
	"=~": true, "!~": true, "=": true,
}

// parsePipeExpr parses an expression optionally followed by `| op ...`.
func (p *parser) parsePipeExpr() Expr {
	p.enter()
	defer p.leave()
	start := p.tok.start
	x := p.parseExpr()
	if !p.isPunct("|") {
		return x
	}
	pl, ok := x.(*Pipeline)
	if !ok || pl.Source != nil || len(pl.Ops) == 0 {
		pl = &Pipeline{Source: x}
	}
	for p.isPunct("|") {
		p.next()
		pl.Ops = append(pl.Ops, p.parseOperator())
	}
	pl.Span = Span{start, p.prev.end}
	return pl
}

// parseExpr parses a scalar expression (no pipes).
func (p *parser) parseExpr() Expr { return p.parseOr() }

func (p *parser) binary(op string, opPos int, l, r Expr) *Binary {
	return &Binary{Span: Span{l.Pos().Start, r.Pos().End}, Op: op, OpPos: opPos, Left: l, Right: r}
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.isWord("or") {
		pos := p.tok.start
		p.next()
		x = p.binary("or", pos, x, p.parseAnd())
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseCmp()
	for p.isWord("and") {
		pos := p.tok.start
		p.next()
		x = p.binary("and", pos, x, p.parseCmp())
	}
	return x
}

func (p *parser) parseCmp() Expr {
	p.enter()
	defer p.leave()
	x := p.parseAdd()
	for {
		t := p.tok
		switch {
		case t.kind == tkPunct && symOps[t.text]:
			p.next()
			op := t.text
			if op == "=" {
				op = "=="
			}
			if op == "<>" {
				op = "!="
			}
			x = p.binary(op, t.start, x, p.parseAdd())
		case (t.kind == tkIdent || t.kind == tkPunct) && wordOps[t.text]:
			p.next()
			x = p.binary(t.text, t.start, x, p.parseAdd())
		case t.kind == tkIdent && t.text == "matches" && p.peek().kind == tkIdent && p.peek().text == "regex":
			p.next()
			p.next()
			x = p.binary("matches regex", t.start, x, p.parseAdd())
		case (t.kind == tkIdent || t.kind == tkPunct) && setOps[t.text]:
			x = p.parseSetOp(x)
		case (t.kind == tkIdent && t.text == "between") || (t.kind == tkPunct && t.text == "!between"):
			x = p.parseBetween(x)
		default:
			return x
		}
	}
}

func (p *parser) parseSetOp(x Expr) Expr {
	op := p.tok
	p.next()
	open := p.tok.start
	if !p.isPunct("(") {
		p.failTok(fmt.Sprintf("expected '(' and a list after '%s'", op.text))
	}
	p.next()
	var list []Expr
	for !p.isPunct(")") {
		list = append(list, p.parsePipeExpr())
		if !p.accept(",") {
			break
		}
	}
	p.closeParenFor(")", "the list of '%s'", op.text, open)
	if len(list) == 0 {
		p.fail(open, p.prev.end, fmt.Sprintf("the list after '%s' is empty", op.text))
	}
	return &InExpr{Span: Span{x.Pos().Start, p.prev.end}, Op: op.text, X: x, List: list}
}

func (p *parser) parseBetween(x Expr) Expr {
	not := p.tok.text == "!between"
	p.next()
	open := p.expect("(", "after 'between'").start
	lo := p.parseExpr()
	p.expect("..", "between the bounds of 'between'")
	hi := p.parseExpr()
	p.closeParen(")", "the range of 'between'", open)
	return &BetweenExpr{Span: Span{x.Pos().Start, p.prev.end}, Not: not, X: x, Low: lo, High: hi}
}

func (p *parser) parseAdd() Expr {
	x := p.parseMul()
	for p.isPunct("+") || p.isPunct("-") {
		t := p.tok
		p.next()
		x = p.binary(t.text, t.start, x, p.parseMul())
	}
	return x
}

func (p *parser) parseMul() Expr {
	x := p.parseUnary()
	for p.isPunct("*") || p.isPunct("/") || p.isPunct("%") {
		t := p.tok
		p.next()
		x = p.binary(t.text, t.start, x, p.parseUnary())
	}
	return x
}

func (p *parser) parseUnary() Expr {
	if p.isPunct("-") || p.isPunct("+") {
		t := p.tok
		p.next()
		p.enter()
		x := p.parseUnary()
		p.leave()
		return &Unary{Span: Span{t.start, x.Pos().End}, Op: t.text, X: x}
	}
	return p.parsePostfix()
}

// parsePostfix parses a primary followed by .name, .name(args) and [index].
func (p *parser) parsePostfix() Expr {
	x := p.parsePrimary()
	for {
		switch {
		case p.isPunct(".") && p.peek().kind == tkIdent:
			p.next()
			name := p.parseIdent("after '.'")
			if p.isPunct("(") {
				args := p.parseArgs(name.Name)
				x = &Call{Span: Span{x.Pos().Start, p.prev.end}, Recv: x, Name: name, Args: args}
				continue
			}
			x = &Member{Span: Span{x.Pos().Start, name.End}, X: x, Name: name}
		case p.isPunct(".") && p.peek().kind == tkPunct && p.peek().text == "[":
			p.next()
		case p.isPunct("["):
			open := p.tok.start
			p.next()
			idx := p.parseExpr()
			p.closeParen("]", "the index", open)
			x = &Index{Span: Span{x.Pos().Start, p.prev.end}, X: x, Index: idx}
		default:
			return x
		}
	}
}

// parseArgs parses `(args)` of a call to name.
func (p *parser) parseArgs(name string) []Expr {
	open := p.expect("(", "").start
	var args []Expr
	p.enter()
	for !p.isPunct(")") {
		args = append(args, p.parseArg())
		if !p.accept(",") {
			break
		}
	}
	p.leave()
	p.closeParenFor(")", "the call to %s", name, open)
	return args
}

func (p *parser) parseArg() Expr {
	if p.isPunct("*") {
		t := p.tok
		nt := p.peek()
		if nt.kind == tkPunct && (nt.text == "," || nt.text == ")") {
			p.next()
			return &Ident{Span: Span{t.start, t.end}, Name: "*"}
		}
	}
	if p.tok.kind == tkIdent && p.peek().kind == tkPunct && p.peek().text == "=" {
		start := p.tok.start
		name := p.parseIdent("")
		p.next()
		v := p.parsePipeExpr()
		return &NamedExpr{Span: Span{start, p.prev.end}, Names: []*Ident{name}, Value: v}
	}
	return p.parsePipeExpr()
}

// sourceOps are operators that can start a tabular expression.
var sourceOps = map[string]bool{
	"union": true, "datatable": true, "externaldata": true, "external_data": true,
	"print": true, "evaluate": true, "search": true, "find": true, "range": true,
}

func (p *parser) parsePrimary() Expr {
	t := p.tok
	switch t.kind {
	case tkString:
		return p.parseStringLit()
	case tkLong, tkReal, tkTimespan:
		return p.parseNumberLit()
	case tkBad:
		p.fail(t.start, t.end, t.text)
	case tkEOF:
		p.failTok("expected an expression")
	case tkIdent:
		return p.parseIdentPrimary()
	case tkPunct:
		switch t.text {
		case "(":
			return p.parseParenExpr()
		case "[":
			if p.peek().kind == tkString {
				return p.parseIdent("")
			}
		case "*":
			p.next()
			return &Ident{Span: Span{t.start, t.end}, Name: "*"}
		}
	}
	p.failTok("expected an expression")
	return nil
}

func (p *parser) parseIdentPrimary() Expr {
	t := p.tok
	nt := p.peek()
	nextParen := nt.kind == tkPunct && nt.text == "("
	switch {
	case t.text == "true" || t.text == "false":
		p.next()
		return &Literal{Span: Span{t.start, t.end}, Kind: LitBool, Raw: t.text, Value: t.text == "true"}
	case nextParen && t.text == "dynamic":
		return p.parseDynamic()
	case nextParen && typedLiteralKinds[t.text]:
		return p.parseTypedLiteral()
	case sourceOps[t.text] && p.isSourceOpStart(t, nt):
		op := p.parseOperator()
		return &Pipeline{Span: op.Pos(), Ops: []Operator{op}}
	case nextParen:
		name := p.parseIdent("")
		args := p.parseArgs(name.Name)
		return &Call{Span: Span{t.start, p.prev.end}, Name: name, Args: args}
	}
	return p.parseIdent("")
}

// isSourceOpStart tells operator uses of union/range/find/... from names.
func (p *parser) isSourceOpStart(t, nt token) bool {
	switch t.text {
	case "range":
		return nt.kind == tkIdent && scan(p.src, nt.end).text == "from"
	case "find", "search":
		return !(nt.kind == tkPunct && (nt.text == "(" || nt.text == ")" || nt.text == "," || nt.text == "|" ||
			nt.text == "==" || nt.text == "!=" || nt.text == "." || nt.text == "=")) && nt.kind != tkEOF
	case "print":
		return !(nt.kind == tkPunct && (nt.text == "=" || nt.text == "," || nt.text == ")" || nt.text == "=="))
	}
	return true
}

// parseParenExpr parses (x), (T | ...), a tuple (a, b) or a function literal.
func (p *parser) parseParenExpr() Expr {
	if p.isFuncLitStart() {
		return p.parseFuncLit()
	}
	open := p.tok.start
	p.next()
	p.enter()
	x := p.parsePipeExpr()
	if p.isPunct(",") {
		elems := []Expr{x}
		for p.accept(",") {
			elems = append(elems, p.parsePipeExpr())
		}
		p.leave()
		p.closeParen(")", "the parenthesised list", open)
		return &ListExpr{Span: Span{open, p.prev.end}, Elems: elems}
	}
	p.leave()
	p.closeParen(")", "the parenthesis", open)
	return &Paren{Span: Span{open, p.prev.end}, X: x}
}
