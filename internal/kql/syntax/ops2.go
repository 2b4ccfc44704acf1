package syntax

// Parsers for join/union/expansion/parsing/series and source operators.

func (p *parser) parseJoinRight() Expr {
	if p.isPunct("(") {
		return p.parseParenExpr()
	}
	return p.parsePostfix()
}

func (p *parser) parseOnList() []Expr {
	p.expect("on", "and the join condition (for example: on DeviceId, or on $left.A == $right.B)")
	return p.parseExprList()
}

func parseJoin(p *parser, start int) Operator {
	op := &JoinOp{Params: p.parseOpParams("kind", "withsource")}
	op.Kind = paramValue(op.Params, "kind")
	op.Right = p.parseJoinRight()
	if p.isWord("on") {
		op.On = p.parseOnList()
	} else if !p.atOpEnd() {
		p.failTok("expected 'on' and the join condition after the right side of 'join'")
	}
	op.Span = p.span(start)
	return op
}

func parseLookup(p *parser, start int) Operator {
	op := &LookupOp{Params: p.parseOpParams("kind")}
	op.Kind = paramValue(op.Params, "kind")
	op.Right = p.parseJoinRight()
	op.On = p.parseOnList()
	op.Span = p.span(start)
	return op
}

// parseTableRef parses a union/search/find table: (subquery), a wildcard
// name, a function call or a qualified reference.
func (p *parser) parseTableRef() Expr {
	switch {
	case p.isPunct("("):
		return p.parseParenExpr()
	case p.isPunct("*"):
		return p.parseNamePattern("")
	case p.tok.kind == tkIdent:
		nt := p.peek()
		if nt.kind == tkPunct && nt.text == "*" && nt.start == p.tok.end {
			return p.parseNamePattern("")
		}
	}
	return p.parsePostfix()
}

func parseUnion(p *parser, start int) Operator {
	op := &UnionOp{Params: p.parseOpParams("kind", "withsource", "isfuzzy", "with_source")}
	for {
		op.Tables = append(op.Tables, p.parseTableRef())
		if !p.accept(",") {
			break
		}
	}
	op.Span = p.span(start)
	return op
}

func (p *parser) parseMvItems() []*MvExpandItem {
	var items []*MvExpandItem
	for {
		s := p.tok.start
		it := &MvExpandItem{X: p.parseNamedItem()}
		if p.accept("to") {
			p.expect("typeof", "after 'to'")
			open := p.expect("(", "after 'typeof'").start
			it.Type = p.parseTypeName()
			p.closeParen(")", "typeof(...)", open)
		}
		it.Span = p.span(s)
		items = append(items, it)
		if !p.accept(",") {
			return items
		}
	}
}

func parseMvExpand(p *parser, start int) Operator {
	kw := p.prev.text
	op := &MvExpandOp{Keyword: kw, Params: p.parseOpParams("kind", "bagexpansion", "with_itemindex")}
	op.Items = p.parseMvItems()
	if p.accept("limit") {
		op.Limit = p.parseExpr()
	}
	op.Span = p.span(start)
	return op
}

func parseMvApply(p *parser, start int) Operator {
	op := &MvApplyOp{Params: p.parseOpParams("kind", "bagexpansion", "with_itemindex")}
	op.Items = p.parseMvItems()
	if p.accept("limit") {
		op.Limit = p.parseExpr()
	}
	p.expect("on", "and a sub-query in parentheses after the mv-apply columns")
	op.On = p.parseSubPipeline("the mv-apply sub-query")
	op.Span = p.span(start)
	return op
}

func parseParse(p *parser, start int) Operator {
	kw := p.prev.text
	op := &ParseOp{Keyword: kw, Params: p.parseOpParams("kind", "flags")}
	op.Source = p.parseExpr()
	p.expect("with", "and a pattern after the column to parse")
	for !p.atOpEnd() {
		switch {
		case p.tok.kind == tkString:
			op.Pattern = append(op.Pattern, p.parseStringLit())
		case p.isPunct("*"):
			op.Pattern = append(op.Pattern, &Ident{Span: Span{p.tok.start, p.tok.end}, Name: "*"})
			p.next()
		case p.tok.kind == tkIdent || p.isPunct("["):
			s := p.tok.start
			cd := &ColumnDecl{Name: p.parseIdent("")}
			if p.accept(":") {
				cd.Type = p.parseTypeName()
			}
			cd.Span = p.span(s)
			op.Pattern = append(op.Pattern, cd)
		default:
			p.failTok("expected a string, a column name or '*' in the parse pattern")
		}
	}
	if len(op.Pattern) == 0 {
		p.failTok("expected a pattern after 'with'")
	}
	op.Span = p.span(start)
	return op
}

func parseParseKv(p *parser, start int) Operator {
	op := &ParseKvOp{Source: p.parseExpr()}
	p.expect("as", "and the column list after the parse-kv source")
	op.Columns = p.parseColumnDecls("the parse-kv column list", false)
	if p.accept("with") {
		op.With = p.parsePropList("parse-kv options")
	}
	op.Span = p.span(start)
	return op
}

// parsePropList parses `(name = value, ...)`.
func (p *parser) parsePropList(what string) []*NamedExpr {
	open := p.expect("(", "to start "+what).start
	var out []*NamedExpr
	for !p.isPunct(")") {
		s := p.tok.start
		name := p.parseIdent("in " + what)
		p.expect("=", "after '"+name.Name+"'")
		v := p.parseExpr()
		out = append(out, &NamedExpr{Span: p.span(s), Names: []*Ident{name}, Value: v})
		if !p.accept(",") {
			break
		}
	}
	p.closeParen(")", what, open)
	return out
}

func parseMakeSeries(p *parser, start int) Operator {
	op := &MakeSeriesOp{Params: p.parseOpParams("kind")}
	for {
		op.Aggs = append(op.Aggs, p.parseNamedItem())
		var def Expr
		if p.isWord("default") && p.peek().text == "=" {
			p.next()
			p.next()
			def = p.parseExpr()
		}
		op.Defaults = append(op.Defaults, def)
		if !p.accept(",") {
			break
		}
	}
	p.expect("on", "and the axis column after the make-series aggregations")
	op.On = p.parseAdd()
	if p.isWord("in") {
		p.next()
		p.expect("range", "after 'in'")
		open := p.expect("(", "after 'range'").start
		op.From = p.parseExpr()
		p.expect(",", "between range arguments")
		op.To = p.parseExpr()
		p.expect(",", "between range arguments")
		op.Step = p.parseExpr()
		p.closeParen(")", "range(...)", open)
	} else {
		if p.accept("from") {
			op.From = p.parseExpr()
		}
		if p.accept("to") {
			op.To = p.parseExpr()
		}
		p.expect("step", "and the bin size of the series")
		op.Step = p.parseExpr()
	}
	if p.accept("by") {
		op.By = p.parseItems("make-series by")
	}
	op.Span = p.span(start)
	return op
}

func parseEvaluate(p *parser, start int) Operator {
	op := &EvaluateOp{Params: p.parseOpParams()}
	s := p.tok.start
	name := p.parseIdent("of the plugin to evaluate, such as bag_unpack or pivot")
	args := p.parseArgs(name.Name)
	op.Plugin = &Call{Span: p.span(s), Name: name, Args: args}
	op.Span = p.span(start)
	return op
}

func parseRender(p *parser, start int) Operator {
	op := &RenderOp{}
	op.Chart = p.parseIdent("of the chart, such as timechart or barchart").Name
	if p.isWord("with") {
		p.next()
		op.With = p.parsePropList("the render properties")
	} else {
		for p.tok.kind == tkIdent && p.peek().text == "=" {
			s := p.tok.start
			name := p.parseIdent("")
			p.next()
			op.With = append(op.With, &NamedExpr{Span: p.span(s), Names: []*Ident{name}, Value: p.parseOptionValue()})
		}
	}
	op.Span = p.span(start)
	return op
}

func parseSerialize(p *parser, start int) Operator {
	op := &SerializeOp{}
	if !p.atOpEnd() {
		op.Items = p.parseItems("serialize")
	}
	op.Span = p.span(start)
	return op
}

func parseAs(p *parser, start int) Operator {
	op := &AsOp{Params: p.parseOpParams()}
	op.As = p.parseIdent("after 'as'")
	op.Span = p.span(start)
	return op
}

func parseInvoke(p *parser, start int) Operator {
	s := p.tok.start
	name := p.parseIdent("of the function to invoke")
	args := p.parseArgs(name.Name)
	return &InvokeOp{Call: &Call{Span: p.span(s), Name: name, Args: args}, Span: p.span(start)}
}

func parseRange(p *parser, start int) Operator {
	op := &RangeOp{Col: p.parseIdent("of the range column")}
	p.expect("from", "after the range column")
	op.From = p.parseExpr()
	p.expect("to", "after the range start")
	op.To = p.parseExpr()
	p.expect("step", "after the range end")
	op.Step = p.parseExpr()
	op.Span = p.span(start)
	return op
}

func parseDataTable(p *parser, start int) Operator {
	op := &DataTableOp{}
	p.parseOpParams()
	op.Columns = p.parseColumnDecls("the datatable schema", false)
	open := p.expect("[", "to start the datatable values").start
	for !p.isPunct("]") {
		op.Values = append(op.Values, p.parseExpr())
		if !p.accept(",") {
			break
		}
	}
	p.closeParen("]", "the datatable values", open)
	op.Span = p.span(start)
	return op
}

func parsePrint(p *parser, start int) Operator {
	op := &PrintOp{}
	if !p.atOpEnd() {
		op.Items = p.parseItems("print")
	}
	op.Span = p.span(start)
	return op
}

// parseInTables parses an optional `in (T1, T2, ...)`.
func (p *parser) parseInTables() []Expr {
	if !p.isWord("in") || !(p.peek().text == "(") {
		return nil
	}
	p.next()
	open := p.expect("(", "").start
	var tables []Expr
	for {
		tables = append(tables, p.parseTableRef())
		if !p.accept(",") {
			break
		}
	}
	p.closeParen(")", "the table list", open)
	return tables
}

func parseSearch(p *parser, start int) Operator {
	op := &SearchOp{Params: p.parseOpParams("kind", "withsource", "with_source")}
	op.Tables = p.parseInTables()
	op.Pred = p.parseExpr()
	op.Span = p.span(start)
	return op
}

func parseFind(p *parser, start int) Operator {
	op := &FindOp{Params: p.parseOpParams("kind", "withsource", "with_source", "datascope", "database")}
	op.Tables = p.parseInTables()
	p.expect("where", "and a predicate after 'find'")
	op.Pred = p.parseExpr()
	if p.accept("project") || p.accept("project-smart") {
		if !p.atOpEnd() {
			op.Project = p.parseItems("find project")
		}
	}
	op.Span = p.span(start)
	return op
}

func parseExternalData(p *parser, start int) Operator {
	op := &ExternalDataOp{}
	op.Columns = p.parseColumnDecls("the externaldata schema", false)
	open := p.expect("[", "and the list of URLs after the externaldata schema").start
	for !p.isPunct("]") {
		op.URIs = append(op.URIs, p.parseExpr())
		if !p.accept(",") {
			break
		}
	}
	p.closeParen("]", "the URL list", open)
	if p.accept("with") {
		op.With = p.parsePropList("the externaldata properties")
	}
	op.Span = p.span(start)
	return op
}

func parseGetSchema(p *parser, start int) Operator { return &GetSchemaOp{Span: p.span(start)} }
func parseConsume(p *parser, start int) Operator   { return &ConsumeOp{Span: p.span(start)} }

func parseSample(p *parser, start int) Operator {
	return &SampleOp{Count: p.parseExpr(), Span: p.span(start)}
}

func parseSampleDistinct(p *parser, start int) Operator {
	op := &SampleDistinctOp{Count: p.parseExpr()}
	p.expect("of", "after the sample-distinct count")
	op.Of = p.parseExpr()
	op.Span = p.span(start)
	return op
}

func parseFacet(p *parser, start int) Operator {
	p.expect("by", "after 'facet'")
	op := &FacetOp{By: p.parsePatternList("facet by")}
	if p.accept("with") {
		op.With = p.parseSubPipeline("the facet sub-query")
	}
	op.Span = p.span(start)
	return op
}

func parseFork(p *parser, start int) Operator {
	op := &ForkOp{}
	for p.isPunct("(") || (p.tok.kind == tkIdent && p.peek().text == "=") {
		name := ""
		if p.tok.kind == tkIdent {
			name = p.tok.text
			p.next()
			p.next()
		}
		op.Branches = append(op.Branches, p.parseSubPipeline("the fork branch"))
		op.Names = append(op.Names, name)
	}
	if len(op.Branches) == 0 {
		p.failTok("expected '(' and a sub-query after 'fork'")
	}
	op.Span = p.span(start)
	return op
}

func parsePartition(p *parser, start int) Operator {
	op := &PartitionOp{Params: p.parseOpParams()}
	p.expect("by", "after 'partition'")
	op.By = p.parseIdent("of the partition column")
	switch {
	case p.isPunct("("):
		if scan(p.src, p.tok.end).kind == tkIdent && operators[scan(p.src, p.tok.end).text] != nil {
			op.Body = p.parseSubPipeline("the partition sub-query")
		} else {
			op.Body = p.parseParenExpr()
		}
	case p.isPunct("{"):
		open := p.tok.start
		p.next()
		x := p.parsePipeExpr()
		p.closeParen("}", "the partition sub-query", open)
		op.Body = x
	default:
		p.failTok("expected '(' and a sub-query after the partition column")
	}
	op.Span = p.span(start)
	return op
}
