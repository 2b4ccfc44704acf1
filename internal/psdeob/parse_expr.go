package psdeob

import (
	"github.com/secmcp/secmcp/internal/psdeob/pstoken"
)

var (
	logicalOps = map[string]bool{"and": true, "or": true, "xor": true}
	compareOps = map[string]bool{
		"join": true, "split": true, "csplit": true, "isplit": true, "replace": true, "creplace": true, "ireplace": true,
		"bxor": true, "band": true, "bor": true, "shl": true, "shr": true,
		"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true, "ieq": true, "ceq": true, "ine": true, "cne": true,
		"like": true, "notlike": true, "ilike": true, "clike": true, "match": true, "notmatch": true, "imatch": true, "cmatch": true,
		"contains": true, "notcontains": true, "in": true, "notin": true, "is": true, "isnot": true, "as": true,
	}
	unaryDashOps = map[string]bool{"not": true, "bnot": true, "join": true, "split": true}
)

func (p *parser) expr() node { return p.logical() }

func (p *parser) binaryLoop(next func() node, accept func(pstoken.Token) (string, bool)) node {
	start := p.tok().Start
	l := next()
	for {
		op, ok := accept(p.tok())
		if !ok {
			return l
		}
		p.nextTok()
		p.skipNewlinesOnly()
		r := next()
		l = &binaryExpr{pos: pos{start, p.lastEnd()}, op: op, l: l, r: r}
	}
}

func (p *parser) logical() node {
	return p.binaryLoop(p.comparison, func(t pstoken.Token) (string, bool) {
		return t.Text, t.Kind == pstoken.DashOp && logicalOps[t.Text]
	})
}

func (p *parser) comparison() node {
	return p.binaryLoop(p.additive, func(t pstoken.Token) (string, bool) {
		return t.Text, t.Kind == pstoken.DashOp && compareOps[t.Text]
	})
}

func (p *parser) additive() node {
	return p.binaryLoop(p.multiplicative, func(t pstoken.Token) (string, bool) {
		return t.Text, t.Kind == pstoken.Op && (t.Text == "+" || t.Text == "-")
	})
}

func (p *parser) multiplicative() node {
	return p.binaryLoop(p.format, func(t pstoken.Token) (string, bool) {
		return t.Text, t.Kind == pstoken.Op && (t.Text == "*" || t.Text == "/" || t.Text == "%")
	})
}

func (p *parser) format() node {
	return p.binaryLoop(p.rangeExpr, func(t pstoken.Token) (string, bool) {
		return "f", t.Kind == pstoken.DashOp && t.Text == "f"
	})
}

func (p *parser) rangeExpr() node {
	return p.binaryLoop(p.commaExpr, func(t pstoken.Token) (string, bool) {
		return "..", t.Kind == pstoken.DotDot
	})
}

func (p *parser) commaExpr() node {
	start := p.tok().Start
	first := p.unary()
	if p.noComma || !p.at(pstoken.Comma) {
		return first
	}
	elems := []node{first}
	for p.at(pstoken.Comma) {
		p.nextTok()
		p.skipNewlinesOnly()
		elems = append(elems, p.unary())
	}
	return &arrayLit{pos: pos{start, p.lastEnd()}, elems: elems}
}

func startsOperand(t pstoken.Token) bool {
	switch t.Kind {
	case pstoken.Number, pstoken.String, pstoken.ExpString, pstoken.Variable, pstoken.LParen, pstoken.SubExpr,
		pstoken.ArrayExpr, pstoken.TypeLit, pstoken.HashStart, pstoken.LBrace:
		return true
	case pstoken.Op:
		return t.Text == "-" || t.Text == "+" || t.Text == "!" || t.Text == "++" || t.Text == "--"
	case pstoken.DashOp:
		return unaryDashOps[t.Text]
	case pstoken.Comma:
		return true
	}
	return false
}

func (p *parser) unary() node {
	p.depth++
	defer func() { p.depth-- }()
	t := p.tok()
	if p.depth > maxParseDepth {
		p.nextTok()
		return &opaque{pos{t.Start, t.End}}
	}
	switch {
	case t.Kind == pstoken.Op && (t.Text == "-" || t.Text == "+" || t.Text == "!"):
		p.nextTok()
		x := p.unary()
		return &unaryExpr{pos: pos{t.Start, p.lastEnd()}, op: t.Text, x: x}
	case t.Kind == pstoken.Op && (t.Text == "++" || t.Text == "--"):
		p.nextTok()
		x := p.unary()
		return &incDec{pos: pos{t.Start, p.lastEnd()}, op: t.Text, x: x}
	case t.Kind == pstoken.DashOp && unaryDashOps[t.Text]:
		p.nextTok()
		x := p.unary()
		return &unaryExpr{pos: pos{t.Start, p.lastEnd()}, op: t.Text, x: x}
	case t.Kind == pstoken.Comma:
		p.nextTok()
		x := p.unary()
		return &arrayLit{pos: pos{t.Start, p.lastEnd()}, elems: []node{x}}
	case t.Kind == pstoken.TypeLit:
		n := p.peekTok(1)
		if n.Kind != pstoken.ColonColon && n.Kind != pstoken.Dot && n.Kind != pstoken.LBracket && startsOperand(n) {
			p.nextTok()
			x := p.unary()
			return &castExpr{pos: pos{t.Start, p.lastEnd()}, typ: t.Text, x: x}
		}
	}
	return p.postfix(p.primary())
}

func (p *parser) primary() node {
	t := p.tok()
	switch t.Kind {
	case pstoken.Number:
		p.nextTok()
		return &numLit{pos: pos{t.Start, t.End}, text: t.Text}
	case pstoken.String:
		p.nextTok()
		return &strLit{pos: pos{t.Start, t.End}, val: t.Text}
	case pstoken.ExpString:
		p.nextTok()
		return &expStr{pos: pos{t.Start, t.End}, raw: t.Text}
	case pstoken.Variable:
		p.nextTok()
		return &varRef{pos: pos{t.Start, t.End}, name: t.Text}
	case pstoken.Splat:
		p.nextTok()
		return &varRef{pos: pos{t.Start, t.End}, name: t.Text}
	case pstoken.TypeLit:
		p.nextTok()
		return &typeLit{pos: pos{t.Start, t.End}, name: t.Text}
	case pstoken.LParen, pstoken.SubExpr, pstoken.ArrayExpr:
		p.nextTok()
		body := p.statements(pstoken.RParen)
		return &subExpr{pos: pos{t.Start, p.lastEnd()}, body: body, array: t.Kind == pstoken.ArrayExpr}
	case pstoken.LBrace:
		p.nextTok()
		body := p.statements(pstoken.RBrace)
		end := p.lastEnd()
		text := ""
		if end-1 > t.End && end <= len(p.src) {
			text = p.src[t.End : end-1]
		}
		return &scriptBlock{pos: pos{t.Start, end}, body: body, text: text}
	case pstoken.HashStart:
		return p.hash()
	case pstoken.Word:
		return p.wordArg()
	case pstoken.LBracket:
		// attribute such as [Parameter(Position=0)]: skip it
		p.nextTok()
		depth := 1
		for depth > 0 && !p.at(pstoken.EOF) {
			switch p.nextTok().Kind {
			case pstoken.LBracket:
				depth++
			case pstoken.RBracket:
				depth--
			}
		}
		return &opaque{pos{t.Start, p.lastEnd()}}
	}
	if !argEnd(t.Kind) && t.Kind != pstoken.Comma {
		p.nextTok()
	}
	return &opaque{pos{t.Start, t.End}}
}

func (p *parser) hash() node {
	t := p.nextTok()
	h := &hashLit{}
	for {
		p.skipNewlines()
		if p.at(pstoken.RBrace) || p.at(pstoken.EOF) {
			p.nextTok()
			break
		}
		before := p.i
		k := p.unary()
		if p.at(pstoken.Assign) {
			p.nextTok()
			p.skipNewlinesOnly()
			v := p.statement()
			h.keys = append(h.keys, k)
			h.vals = append(h.vals, v)
		}
		if p.i == before {
			p.nextTok()
		}
	}
	h.pos = pos{t.Start, p.lastEnd()}
	return h
}

func (p *parser) postfix(x node) node {
	start, _ := x.span()
	for steps := 0; steps < 10000; steps++ {
		t := p.tok()
		switch {
		case (t.Kind == pstoken.Dot || t.Kind == pstoken.ColonColon) && !t.SpaceBefore:
			p.nextTok()
			m := &memberExpr{x: x, static: t.Kind == pstoken.ColonColon}
			m.name = p.memberName()
			m.pos = pos{start, p.lastEnd()}
			if p.at(pstoken.LParen) && !p.tok().SpaceBefore {
				args := p.callArgs()
				x = &invokeExpr{pos: pos{start, p.lastEnd()}, target: m, args: args}
				continue
			}
			x = m
		case t.Kind == pstoken.LBracket && !t.SpaceBefore:
			p.nextTok()
			body := p.statements(pstoken.RBracket)
			var idx node = &opaque{}
			if len(body) > 0 {
				idx = body[0]
			}
			x = &indexExpr{pos: pos{start, p.lastEnd()}, x: x, idx: idx}
		case t.Kind == pstoken.Op && (t.Text == "++" || t.Text == "--") && !t.SpaceBefore:
			p.nextTok()
			x = &incDec{pos: pos{start, p.lastEnd()}, op: t.Text, x: x}
		default:
			return x
		}
	}
	return x
}

func (p *parser) memberName() node {
	t := p.tok()
	switch t.Kind {
	case pstoken.Word:
		p.nextTok()
		return &strLit{pos: pos{t.Start, t.End}, val: t.Text}
	case pstoken.String, pstoken.ExpString, pstoken.Variable, pstoken.LParen, pstoken.SubExpr:
		return p.primary()
	}
	return &strLit{pos: pos{t.Start, t.Start}}
}

func (p *parser) callArgs() []node {
	p.nextTok() // (
	saved := p.noComma
	p.noComma = true
	defer func() { p.noComma = saved }()
	var args []node
	for {
		p.skipNewlinesOnly()
		if p.at(pstoken.RParen) || p.at(pstoken.EOF) {
			p.nextTok()
			return args
		}
		before := p.i
		if p.at(pstoken.Comma) {
			if len(args) == 0 {
				args = append(args, p.unary()) // (,$bytes) unary array
				continue
			}
			p.nextTok()
			continue
		}
		args = append(args, p.expr())
		if p.i == before {
			p.nextTok()
		}
	}
}
