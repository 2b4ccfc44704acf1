package psdeob

import (
	"strings"

	"github.com/secmcp/secmcp/internal/psdeob/pstoken"
)

// keyword parses control-flow statements; nil means "not a keyword here".
func (p *parser) keyword(w string) stmt {
	start := p.tok().Start
	next := p.peekTok(1)
	switch w {
	case "if":
		if next.Kind != pstoken.LParen && !(next.Kind == pstoken.Newline) {
			return nil
		}
		p.nextTok()
		s := &ifStmt{}
		s.conds = append(s.conds, p.parenStmt())
		s.blocks = append(s.blocks, p.block())
		for {
			save := p.i
			p.skipNewlinesOnly()
			switch {
			case p.isWord("elseif"):
				p.nextTok()
				s.conds = append(s.conds, p.parenStmt())
				s.blocks = append(s.blocks, p.block())
				continue
			case p.isWord("else"):
				p.nextTok()
				s.els = p.block()
			default:
				p.i = save
			}
			break
		}
		s.pos = pos{start, p.lastEnd()}
		return s
	case "foreach", "for", "while", "switch":
		if next.Kind != pstoken.LParen && !(w == "switch" && next.Kind == pstoken.DashOp) {
			return nil
		}
		p.nextTok()
		for p.at(pstoken.DashOp) {
			p.nextTok()
		}
		return p.loopHead(w, start)
	case "do":
		if next.Kind != pstoken.LBrace {
			return nil
		}
		p.nextTok()
		l := &loopStmt{kind: "do", body: p.block()}
		p.skipNewlinesOnly()
		if p.isWord("while") || p.isWord("until") {
			l.until = p.isWord("until")
			p.nextTok()
			l.cond = p.parenStmt()
		}
		l.pos = pos{start, p.lastEnd()}
		return l
	case "function", "filter", "workflow":
		if next.Kind != pstoken.Word {
			return nil
		}
		p.nextTok()
		name := strings.ToLower(p.nextTok().Text)
		f := &funcDef{name: name}
		if p.at(pstoken.LParen) {
			f.params = p.paramList()
		}
		f.body = p.block()
		f.pos = pos{start, p.lastEnd()}
		return f
	case "param":
		if next.Kind != pstoken.LParen {
			return nil
		}
		p.nextTok()
		params := p.paramList()
		return &funcDef{pos: pos{start, p.lastEnd()}, name: "", params: params}
	case "try":
		if next.Kind != pstoken.LBrace && next.Kind != pstoken.Newline {
			return nil
		}
		p.nextTok()
		t := &tryStmt{body: p.block()}
		for {
			save := p.i
			p.skipNewlinesOnly()
			if p.isWord("catch") {
				p.nextTok()
				for p.at(pstoken.TypeLit) || p.at(pstoken.Comma) {
					p.nextTok()
				}
				t.catch = append(t.catch, p.block()...)
				continue
			}
			if p.isWord("finally") {
				p.nextTok()
				t.finally = p.block()
				continue
			}
			p.i = save
			break
		}
		t.pos = pos{start, p.lastEnd()}
		return t
	case "trap", "begin", "process", "end", "dynamicparam":
		if next.Kind != pstoken.LBrace && !(w == "trap" && next.Kind == pstoken.TypeLit) {
			return nil
		}
		p.nextTok()
		if p.at(pstoken.TypeLit) {
			p.nextTok()
		}
		body := p.block()
		return &tryStmt{pos: pos{start, p.lastEnd()}, body: body}
	case "return", "throw", "exit", "break", "continue":
		p.nextTok()
		f := &flowStmt{kind: w}
		if !argEnd(p.tok().Kind) {
			f.value = p.statement()
		}
		f.pos = pos{start, p.lastEnd()}
		return f
	}
	return nil
}

func (p *parser) loopHead(kind string, start int) stmt {
	l := &loopStmt{kind: kind}
	if kind == "for" && p.at(pstoken.LParen) {
		p.forHead(l)
	} else if p.at(pstoken.LParen) {
		p.nextTok()
		if kind == "foreach" && p.at(pstoken.Variable) && p.peekTok(1).Kind == pstoken.Word && strings.EqualFold(p.peekTok(1).Text, "in") {
			l.vr = p.nextTok().Text
			p.nextTok()
		}
		body := p.statements(pstoken.RParen)
		if len(body) > 0 {
			l.coll = body[0]
		}
		if kind == "while" {
			l.cond = l.coll
		}
	}
	l.body = append(l.body, p.block()...)
	l.pos = pos{start, p.lastEnd()}
	return l
}

// forHead reads "(init; cond; iter)"; any part may be empty.
func (p *parser) forHead(l *loopStmt) {
	p.nextTok() // (
	var parts [3]stmt
	for i := range parts {
		p.skipNewlinesOnly()
		if !p.at(pstoken.Semi) && !p.at(pstoken.RParen) && !p.at(pstoken.EOF) {
			before := p.i
			parts[i] = p.statement()
			if p.i == before {
				p.nextTok()
			}
		}
		p.skipNewlinesOnly()
		if !p.at(pstoken.Semi) {
			break
		}
		p.nextTok()
	}
	for depth := 0; !p.at(pstoken.EOF); {
		t := p.nextTok()
		if t.Kind == pstoken.LParen || t.Kind == pstoken.SubExpr || t.Kind == pstoken.ArrayExpr {
			depth++
		} else if t.Kind == pstoken.RParen {
			if depth == 0 {
				break
			}
			depth--
		}
	}
	l.init, l.cond, l.iter = parts[0], parts[1], parts[2]
}

// paramList reads "( [type]$a = default, $b )" and returns the variable names.
func (p *parser) paramList() []string {
	p.nextTok() // (
	var names []string
	depth := 1
	for depth > 0 && !p.at(pstoken.EOF) {
		t := p.nextTok()
		switch t.Kind {
		case pstoken.LParen, pstoken.SubExpr, pstoken.ArrayExpr:
			depth++
		case pstoken.RParen:
			depth--
		case pstoken.Variable:
			if depth == 1 {
				names = append(names, t.Text)
			}
		}
	}
	return names
}
