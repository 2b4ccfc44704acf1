package syntax

import (
	"fmt"
	"sort"
	"strings"
)

type opParser func(p *parser, start int) Operator

// operators maps operator keywords to their parsers; filled in init to
// avoid an initialisation cycle (sub-queries recurse into parseOperator).
var operators map[string]opParser

func init() {
	operators = map[string]opParser{
		"where": parseWhere, "filter": parseWhere,
		"project": parseProject, "project-away": parseProjectAway,
		"project-keep": parseProjectKeep, "project-rename": parseProjectRename,
		"project-reorder": parseProjectReorder, "extend": parseExtend,
		"summarize": parseSummarize, "count": parseCount,
		"take": parseTake, "limit": parseTake,
		"sort": parseSort, "order": parseSort, "top": parseTop,
		"top-nested": parseTopNested, "distinct": parseDistinct,
		"join": parseJoin, "lookup": parseLookup, "union": parseUnion,
		"mv-expand": parseMvExpand, "mvexpand": parseMvExpand, "mv-apply": parseMvApply,
		"parse": parseParse, "parse-where": parseParse, "parse-kv": parseParseKv,
		"make-series": parseMakeSeries, "evaluate": parseEvaluate, "render": parseRender,
		"serialize": parseSerialize, "as": parseAs, "invoke": parseInvoke,
		"range": parseRange, "datatable": parseDataTable, "print": parsePrint,
		"search": parseSearch, "find": parseFind, "externaldata": parseExternalData,
		"external_data": parseExternalData, "getschema": parseGetSchema,
		"sample": parseSample, "sample-distinct": parseSampleDistinct,
		"facet": parseFacet, "fork": parseFork, "partition": parsePartition,
		"consume": parseConsume,
	}
}

// operatorNames lists the known operator keywords (for suggestions).
func operatorNames() []string {
	names := make([]string, 0, len(operators))
	for k := range operators {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// parseOperator parses one tabular operator at the current token.
func (p *parser) parseOperator() Operator {
	p.enter()
	defer p.leave()
	t := p.tok
	if t.kind != tkIdent {
		p.failTok("expected a tabular operator such as where, project, extend or summarize after '|'")
	}
	f, ok := operators[t.text]
	if !ok {
		msg := fmt.Sprintf("'%s' is not a tabular operator", t.text)
		if s := closest(t.text, operatorNames()); s != "" {
			msg += fmt.Sprintf("; did you mean '%s'?", s)
		}
		p.fail(t.start, t.end, msg)
	}
	p.next()
	return f(p, t.start)
}

// span is the span from start to the end of the previous token.
func (p *parser) span(start int) Span { return Span{start, p.prev.end} }

// atOpEnd reports whether the current token ends an operator.
func (p *parser) atOpEnd() bool {
	if p.tok.kind == tkEOF {
		return true
	}
	return p.tok.kind == tkPunct && (p.tok.text == "|" || p.tok.text == ";" || p.tok.text == ")" || p.tok.text == "}")
}

// parseOpParams parses leading Name=Value options whose names are allowed
// (hint.* is always allowed).
func (p *parser) parseOpParams(allowed ...string) []*OpParam {
	var out []*OpParam
	for p.tok.kind == tkIdent {
		name := p.tok.text
		isHint := strings.HasPrefix(name, "hint") && p.peek().text == "."
		ok := isHint
		for _, a := range allowed {
			if a == name {
				ok = true
			}
		}
		if !ok {
			return out
		}
		if !isHint && !(p.peek().kind == tkPunct && p.peek().text == "=") {
			return out
		}
		start := p.tok.start
		id := p.parseDottedName()
		p.expect("=", "after option '"+id.Name+"'")
		out = append(out, &OpParam{Span: Span{start, 0}, Name: id.Name, Value: p.parseOptionValue()})
		out[len(out)-1].End = p.prev.end
	}
	return out
}

// parseOptionValue parses an option value: a word, literal or number.
func (p *parser) parseOptionValue() Expr {
	if p.tok.kind == tkIdent && !(typedLiteralKinds[p.tok.text] && p.peek().text == "(") {
		return p.parseIdent("")
	}
	return p.parseUnary()
}

// paramValue returns the lower-case word value of option name, if set.
func paramValue(ps []*OpParam, name string) string {
	for _, o := range ps {
		if o.Name == name {
			switch v := o.Value.(type) {
			case *Ident:
				return strings.ToLower(v.Name)
			case *Literal:
				return strings.ToLower(v.Raw)
			}
		}
	}
	return ""
}

// parseNamedItem parses `Name = Expr`, `(A, B) = Expr` or `Expr`.
func (p *parser) parseNamedItem() Expr {
	start := p.tok.start
	if names := p.tryAssignTargets(); names != nil {
		v := p.parseExpr()
		return &NamedExpr{Span: Span{start, p.prev.end}, Names: names, Value: v}
	}
	return p.parseExpr()
}

// tryAssignTargets consumes `Name =` or `(A, B) =` when present.
func (p *parser) tryAssignTargets() []*Ident {
	isEq := func(t token) bool { return t.kind == tkPunct && t.text == "=" }
	switch {
	case p.tok.kind == tkIdent && isEq(p.peek()):
		id := p.parseIdent("")
		p.next()
		return []*Ident{id}
	case p.isPunct("[") && p.peek().kind == tkString:
		save := *p
		id := p.tryIdent()
		if id != nil && p.isPunct("=") {
			p.next()
			return []*Ident{id}
		}
		*p = save
	case p.isPunct("(") && p.peek().kind == tkIdent:
		save := *p
		saveDiags := len(p.diags)
		var names []*Ident
		ok := p.guard(func() {
			p.next()
			for {
				names = append(names, p.parseIdent(""))
				if !p.accept(",") {
					break
				}
			}
			p.expect(")", "")
			p.expect("=", "")
		})
		if ok {
			return names
		}
		*p = save
		p.diags = p.diags[:saveDiags]
	}
	return nil
}

// parseItems parses a comma list of named items.
func (p *parser) parseItems(what string) []Expr {
	var items []Expr
	if p.atOpEnd() {
		return nil // Kusto's parser accepts an empty list (e.g. a bare "| project")
	}
	for {
		items = append(items, p.parseNamedItem())
		if !p.accept(",") {
			return items
		}
	}
}

// parseExprList parses a comma list of scalar expressions.
func (p *parser) parseExprList() []Expr {
	var items []Expr
	for {
		items = append(items, p.parseExpr())
		if !p.accept(",") {
			return items
		}
	}
}

// parseNamePattern parses a column or table name that may contain
// wildcards (Device*, *Events, *).
func (p *parser) parseNamePattern(context string) *Ident {
	start := p.tok.start
	if p.isPunct("[") {
		return p.parseIdent(context)
	}
	var b strings.Builder
	for {
		if p.tok.kind == tkIdent || p.isPunct("*") {
			if b.Len() > 0 && p.tok.start != p.prev.end {
				break
			}
			b.WriteString(p.tok.text)
			p.next()
			continue
		}
		break
	}
	if b.Len() == 0 {
		p.failTok("expected a name " + context)
	}
	return &Ident{Span: Span{start, p.prev.end}, Name: b.String()}
}

// parseSortKey parses Expr [asc|desc] [nulls first|last].
func (p *parser) parseSortKey() *SortKey { return p.parseSortKeyWith(p.parseExpr) }

func (p *parser) parseSortKeyWith(item func() Expr) *SortKey {
	start := p.tok.start
	k := &SortKey{X: item()}
	if p.isWord("asc") || p.isWord("desc") {
		k.Order = p.tok.text
		p.next()
	}
	if p.isWord("nulls") {
		p.next()
		if !p.isWord("first") && !p.isWord("last") {
			p.failTok("expected 'first' or 'last' after 'nulls'")
		}
		k.Nulls = p.tok.text
		p.next()
	}
	k.Span = p.span(start)
	return k
}

// parseSubPipeline parses `( [|] op | op ... )` with an implicit input.
func (p *parser) parseSubPipeline(what string) *Pipeline {
	open := p.expect("(", "to start "+what).start
	pl := &Pipeline{}
	p.accept("|")
	for {
		if p.tok.kind == tkIdent && operators[p.tok.text] != nil {
			pl.Ops = append(pl.Ops, p.parseOperator())
		} else {
			p.failTok("expected a tabular operator in " + what)
		}
		if !p.accept("|") {
			break
		}
	}
	p.closeParen(")", what, open)
	pl.Span = p.span(open)
	return pl
}

func parseWhere(p *parser, start int) Operator {
	kw := p.prev.text
	pred := p.parseExpr()
	return &WhereOp{Span: p.span(start), Keyword: kw, Pred: pred}
}

func parseProject(p *parser, start int) Operator {
	return &ProjectOp{Items: p.parseItems("project"), Span: p.span(start)}
}

func (p *parser) parsePatternList(what string) []Expr {
	var cols []Expr
	for {
		cols = append(cols, p.parseNamePattern("of a column to "+what))
		if !p.accept(",") {
			return cols
		}
	}
}

func parseProjectAway(p *parser, start int) Operator {
	return &ProjectAwayOp{Cols: p.parsePatternList("remove"), Span: p.span(start)}
}

func parseProjectKeep(p *parser, start int) Operator {
	return &ProjectKeepOp{Cols: p.parsePatternList("keep"), Span: p.span(start)}
}

func parseProjectRename(p *parser, start int) Operator {
	op := &ProjectRenameOp{}
	for {
		s := p.tok.start
		names := p.tryAssignTargets()
		if len(names) != 1 {
			p.failTok("expected 'NewName = OldName' in project-rename")
		}
		old := p.parseIdent("of the column to rename")
		op.Items = append(op.Items, &NamedExpr{Span: p.span(s), Names: names, Value: old})
		if !p.accept(",") {
			break
		}
	}
	op.Span = p.span(start)
	return op
}

func parseProjectReorder(p *parser, start int) Operator {
	op := &ProjectReorderOp{}
	for {
		s := p.tok.start
		k := &SortKey{X: p.parseNamePattern("of a column to reorder")}
		if p.isWord("asc") || p.isWord("desc") || p.isWord("granny-asc") || p.isWord("granny-desc") {
			k.Order = p.tok.text
			p.next()
		}
		k.Span = p.span(s)
		op.Cols = append(op.Cols, k)
		if !p.accept(",") {
			break
		}
	}
	op.Span = p.span(start)
	return op
}

func parseExtend(p *parser, start int) Operator {
	return &ExtendOp{Items: p.parseItems("extend"), Span: p.span(start)}
}

func parseSummarize(p *parser, start int) Operator {
	op := &SummarizeOp{Params: p.parseOpParams()}
	if !p.isWord("by") && !p.atOpEnd() {
		op.Aggs = p.parseItems("summarize")
	}
	if p.accept("by") {
		op.By = p.parseItems("summarize by")
	}
	op.Span = p.span(start)
	return op
}

func parseCount(p *parser, start int) Operator {
	op := &CountOp{}
	if p.accept("as") {
		op.As = p.parseIdent("after 'count as'")
	}
	op.Span = p.span(start)
	return op
}

func parseTake(p *parser, start int) Operator {
	kw := p.prev.text
	p.parseOpParams()
	n := p.parseExpr()
	return &TakeOp{Span: p.span(start), Keyword: kw, Count: n}
}

func parseSort(p *parser, start int) Operator {
	kw := p.prev.text
	op := &SortOp{Keyword: kw, Params: p.parseOpParams()}
	p.expect("by", "after '"+kw+"'")
	for {
		op.By = append(op.By, p.parseSortKey())
		if !p.accept(",") {
			break
		}
	}
	op.Span = p.span(start)
	return op
}

func parseTop(p *parser, start int) Operator {
	op := &TopOp{Count: p.parseExpr()}
	p.expect("by", "after the row count of 'top'")
	for {
		op.By = append(op.By, p.parseSortKey())
		if !p.accept(",") {
			break
		}
	}
	op.Span = p.span(start)
	return op
}

func parseDistinct(p *parser, start int) Operator {
	op := &DistinctOp{Params: p.parseOpParams()}
	if p.isPunct("*") {
		t := p.tok
		p.next()
		op.Cols = []Expr{&Ident{Span: Span{t.start, t.end}, Name: "*"}}
	} else {
		op.Cols = p.parseItems("distinct")
	}
	op.Span = p.span(start)
	return op
}

func parseTopNested(p *parser, start int) Operator {
	op := &TopNestedOp{}
	for {
		s := p.tok.start
		cl := &TopNestedClause{}
		if !p.isWord("of") {
			cl.Count = p.parseExpr()
		}
		p.expect("of", "in top-nested (top-nested [N] of Column by Aggregation)")
		cl.Of = p.parseNamedItem()
		if p.isWord("with") {
			p.next()
			p.expect("others", "after 'with'")
			p.expect("=", "after 'with others'")
			cl.Others = p.parseExpr()
		}
		p.expect("by", "and an aggregation in top-nested")
		cl.By = p.parseSortKeyWith(p.parseNamedItem)
		cl.Span = p.span(s)
		op.Clauses = append(op.Clauses, cl)
		if !p.accept(",") {
			break
		}
		p.expect("top-nested", "after ',' in top-nested")
	}
	op.Span = p.span(start)
	return op
}
