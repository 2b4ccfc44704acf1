package plugins

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// sentinel is the identifier a code placeholder stands as while the
// template is parsed to classify it.
func sentinel(i int) string { return "__secmcp_p" + strconv.Itoa(i) + "__" }

// classifyCode decides the kind of every placeholder left unclassified by
// the text scan, from its place in the parsed template: the parser sees each
// as an identifier and the tree says what it is used as.
func classifyCode(src string, ps []Placeholder) error {
	var b strings.Builder
	last := 0
	idx := map[string]int{}
	for i, p := range ps {
		b.WriteString(src[last:p.Start])
		switch p.Kind {
		case 0:
			b.WriteString(sentinel(i))
			idx[sentinel(i)] = i
		default:
			b.WriteString(sample(p.Kind))
		}
		last = p.End
	}
	b.WriteString(src[last:])
	if len(idx) == 0 {
		return nil
	}
	script, diags := syntax.Parse(b.String())
	if syntax.HasErrors(diags) {
		return diagError(b.String(), diags)
	}
	lets := map[string]*syntax.LetStmt{}
	syntax.Inspect(script, func(n syntax.Node) bool {
		if l, ok := n.(*syntax.LetStmt); ok {
			lets[l.Name.Name] = l
		}
		return true
	})
	c := &classifier{root: script, lets: lets}
	for name, i := range idx {
		ps[i].Kind = c.kindOf(name, 0)
	}
	return nil
}

type classifier struct {
	root syntax.Node
	lets map[string]*syntax.LetStmt
}

// kindOf classifies the first use of the identifier name.
func (c *classifier) kindOf(name string, depth int) Kind {
	path := findIdent(c.root, name, nil)
	if len(path) < 2 || depth > 4 {
		return KindScalar
	}
	self, parent := path[len(path)-1], path[len(path)-2]
	for i := len(path) - 2; i > 0; i-- {
		if _, ok := path[i].(*syntax.Paren); !ok {
			parent = path[i]
			break
		}
	}
	switch p := parent.(type) {
	case *syntax.Call:
		fn := strings.ToLower(p.Name.Name)
		if fn == "ago" || (fn == "bin" || fn == "floor") && len(p.Args) == 2 && p.Args[1] == self {
			return KindTimespan
		}
	case *syntax.TakeOp, *syntax.TopOp, *syntax.SampleOp, *syntax.TopNestedClause:
		return KindNumber
	case *syntax.InExpr:
		if len(p.List) == 1 && p.List[0] == self {
			return KindList
		}
	case *syntax.Pipeline:
		if p.Source == self {
			return KindIdent
		}
	case *syntax.LetStmt:
		if p.Value == self {
			return c.letKind(p.Name.Name, depth)
		}
	case *syntax.SortKey, *syntax.ProjectOp, *syntax.ProjectAwayOp, *syntax.ProjectKeepOp,
		*syntax.SummarizeOp, *syntax.DistinctOp, *syntax.UnionOp:
		return KindIdent
	}
	return KindScalar
}

// letKind classifies `let x = {{p}}` by how x is used.
func (c *classifier) letKind(name string, depth int) Kind {
	decl := c.lets[name]
	var use *syntax.Ident
	syntax.Inspect(c.root, func(n syntax.Node) bool {
		if id, ok := n.(*syntax.Ident); ok && id.Name == name && (decl == nil || id != decl.Name) {
			use = id
		}
		return use == nil
	})
	if use == nil {
		return KindScalar
	}
	return c.kindOfNode(use, depth+1)
}

// kindOfNode classifies a specific identifier node (a let variable's use).
func (c *classifier) kindOfNode(id *syntax.Ident, depth int) Kind {
	const marker = "\x00use"
	saved := id.Name
	id.Name = marker
	defer func() { id.Name = saved }()
	return c.kindOf(marker, depth)
}

// findIdent returns the path from root to the first *Ident named name.
func findIdent(n syntax.Node, name string, path []syntax.Node) []syntax.Node {
	path = append(path, n)
	if id, ok := n.(*syntax.Ident); ok && id.Name == name {
		return path
	}
	for _, ch := range syntax.Children(n) {
		if p := findIdent(ch, name, path); p != nil {
			return p
		}
	}
	return nil
}

// sample is a value of each kind, as KQL text, used to parse the template's
// shape.
func sample(k Kind) string {
	switch k {
	case KindString, KindComment:
		return ""
	case KindNumber, KindScalar, KindTimespanCount:
		return "1"
	case KindTimespan:
		return "1d"
	case KindTimespanUnit:
		return "d"
	case KindDatetime:
		return "2000-01-01"
	case KindIdent:
		return "['x']"
	case KindList:
		return `"x"`
	}
	return ""
}

// diagError turns the first syntax error into "line L, column C: message".
func diagError(src string, diags []syntax.Diagnostic) error {
	for _, d := range diags {
		if d.Severity != syntax.SeverityError {
			continue
		}
		line, col := lineCol(src, d.Start)
		return &PosError{Line: line, Col: col, Msg: strings.TrimRight(d.Message, ".")}
	}
	return fmt.Errorf("does not parse")
}

// PosError is a problem at a line and column of a template (1-based).
type PosError struct {
	Line, Col int
	Msg       string
}

func (e *PosError) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg) }

func lineCol(src string, off int) (int, int) {
	off = min(max(off, 0), len(src))
	line := 1 + strings.Count(src[:off], "\n")
	return line, off - strings.LastIndexByte(src[:off], '\n')
}
