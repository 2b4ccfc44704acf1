package psdeob

import (
	"strings"

	"github.com/secmcp/secmcp/internal/psdeob/pstoken"
)

const maxParseDepth = 300

type parser struct {
	src     string
	toks    []pstoken.Token
	i       int
	depth   int
	noComma bool
}

// parseScript parses src into statements. It never fails.
func parseScript(src string) []stmt {
	p := &parser{src: src, toks: pstoken.Tokenize(src)}
	return p.statements(pstoken.EOF)
}

func (p *parser) tok() pstoken.Token { return p.toks[p.i] }
func (p *parser) peekTok(n int) pstoken.Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) nextTok() pstoken.Token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}
func (p *parser) at(k pstoken.Kind) bool { return p.toks[p.i].Kind == k }
func (p *parser) lastEnd() int {
	if p.i == 0 {
		return 0
	}
	return p.toks[p.i-1].End
}
func (p *parser) isWord(w string) bool {
	t := p.tok()
	return t.Kind == pstoken.Word && strings.EqualFold(t.Text, w)
}

func (p *parser) skipNewlines() {
	for p.at(pstoken.Newline) || p.at(pstoken.Semi) {
		p.nextTok()
	}
}

// statements parses until the closing kind (consumed) or EOF.
func (p *parser) statements(until pstoken.Kind) []stmt {
	var out []stmt
	saved := p.noComma
	p.noComma = false
	defer func() { p.noComma = saved }()
	for {
		p.skipNewlines()
		t := p.tok()
		if t.Kind == pstoken.EOF {
			return out
		}
		if t.Kind == until {
			p.nextTok()
			return out
		}
		if t.Kind == pstoken.RParen || t.Kind == pstoken.RBrace || t.Kind == pstoken.RBracket || t.Kind == pstoken.AndAnd || t.Kind == pstoken.OrOr || t.Kind == pstoken.Pipe {
			// stray closer or chain operator: skip it to guarantee progress
			p.nextTok()
			continue
		}
		before := p.i
		s := p.statement()
		if s != nil {
			out = append(out, s)
		}
		if p.i == before {
			p.nextTok()
		}
	}
}

func (p *parser) block() []stmt {
	p.skipNewlines()
	if !p.at(pstoken.LBrace) {
		return nil
	}
	p.nextTok()
	return p.statements(pstoken.RBrace)
}

func (p *parser) parenStmt() stmt {
	p.skipNewlines()
	if !p.at(pstoken.LParen) {
		return nil
	}
	p.nextTok()
	body := p.statements(pstoken.RParen)
	if len(body) == 0 {
		return nil
	}
	return body[len(body)-1]
}

func (p *parser) statement() stmt {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		t := p.nextTok()
		return &pipeline{pos: pos{t.Start, t.End}}
	}
	t := p.tok()
	if t.Kind == pstoken.Word {
		if s := p.keyword(strings.ToLower(t.Text)); s != nil {
			return s
		}
	}
	start := t.Start
	pl := p.pipeline()
	if p.at(pstoken.Assign) && len(pl.elems) == 1 {
		op := p.nextTok().Text
		p.skipNewlinesOnly()
		val := p.statement()
		return &assignStmt{pos: pos{start, p.lastEnd()}, op: op, target: pl.elems[0], value: val}
	}
	return pl
}

func (p *parser) skipNewlinesOnly() {
	for p.at(pstoken.Newline) {
		p.nextTok()
	}
}

func (p *parser) pipeline() *pipeline {
	start := p.tok().Start
	pl := &pipeline{}
	first := true
	for {
		var el node
		t := p.tok()
		switch {
		case !first || t.Kind == pstoken.Word || t.Kind == pstoken.Amp || t.Kind == pstoken.Dot:
			el = p.command()
		default:
			el = p.expr()
		}
		pl.elems = append(pl.elems, el)
		first = false
		for p.at(pstoken.Redirect) {
			p.nextTok()
			if !p.at(pstoken.Newline) && !p.at(pstoken.Semi) && !p.at(pstoken.EOF) && !p.at(pstoken.Pipe) {
				p.nextTok()
			}
		}
		if !p.at(pstoken.Pipe) {
			break
		}
		p.nextTok()
		p.skipNewlinesOnly()
	}
	pl.pos = pos{start, p.lastEnd()}
	return pl
}

func argEnd(k pstoken.Kind) bool {
	switch k {
	case pstoken.Pipe, pstoken.Newline, pstoken.Semi, pstoken.RParen, pstoken.RBrace, pstoken.EOF, pstoken.AndAnd, pstoken.OrOr, pstoken.RBracket, pstoken.Assign:
		return true
	}
	return false
}

func (p *parser) command() node {
	start := p.tok().Start
	c := &command{}
	t := p.tok()
	switch t.Kind {
	case pstoken.Amp, pstoken.Dot:
		p.nextTok()
		c.call = t.Text
		if t.Kind == pstoken.Dot && p.at(pstoken.Word) && !p.tok().SpaceBefore {
			c.name = p.wordArg()
		} else {
			c.name = p.postfix(p.primary())
		}
	case pstoken.Word:
		c.name = p.wordArg()
	default:
		c.name = p.postfix(p.primary())
	}
	for !argEnd(p.tok().Kind) {
		before := p.i
		if p.at(pstoken.Redirect) {
			p.nextTok()
			if !argEnd(p.tok().Kind) {
				p.nextTok()
			}
			continue
		}
		if p.at(pstoken.DashOp) {
			d := p.nextTok()
			c.args = append(c.args, &paramTok{pos: pos{d.Start, d.End}, name: d.Text})
			continue
		}
		c.args = append(c.args, p.argList())
		if p.i == before {
			p.nextTok()
		}
	}
	c.pos = pos{start, p.lastEnd()}
	return c
}

// wordArg reads a bareword, gluing tokens that follow without whitespace
// (e.g. C:\path\file.exe split by the lexer's member rule).
func (p *parser) wordArg() node {
	t := p.nextTok()
	var b strings.Builder
	b.WriteString(t.Text)
	end := t.End
	for {
		n := p.tok()
		if n.SpaceBefore || (n.Kind != pstoken.Word && n.Kind != pstoken.Dot && n.Kind != pstoken.Number && n.Kind != pstoken.ColonColon) {
			break
		}
		b.WriteString(n.Text)
		end = n.End
		p.nextTok()
	}
	return &wordLit{pos: pos{t.Start, end}, text: b.String()}
}

func (p *parser) argElem() node {
	t := p.tok()
	switch t.Kind {
	case pstoken.Word:
		return p.wordArg()
	case pstoken.Op:
		if t.Text == "-" && p.peekTok(1).Kind == pstoken.Number && !p.peekTok(1).SpaceBefore {
			p.nextTok()
			n := p.nextTok()
			return &numLit{pos: pos{t.Start, n.End}, text: "-" + n.Text}
		}
	}
	return p.postfix(p.primary())
}

func (p *parser) argList() node {
	start := p.tok().Start
	first := p.argElem()
	if !p.at(pstoken.Comma) {
		return first
	}
	elems := []node{first}
	for p.at(pstoken.Comma) {
		p.nextTok()
		p.skipNewlinesOnly()
		if argEnd(p.tok().Kind) {
			break
		}
		elems = append(elems, p.argElem())
	}
	return &arrayLit{pos: pos{start, p.lastEnd()}, elems: elems}
}
