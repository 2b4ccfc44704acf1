package analyze

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Step is one sentence of an explanation: what a statement or pipeline
// operator does. Operator is the operator keyword ("where", "let", ...);
// Start/End locate it in the source.
type Step struct {
	Operator string `json:"operator"`
	Text     string `json:"text"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
}

// Explain describes what a query does, one plain-English sentence per let
// statement, table read and pipeline operator, in execution order.
func Explain(script *syntax.Script) []Step {
	var e explainer
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *syntax.LetStmt:
			e.add("let", st, fmt.Sprintf("Define %s as %s.", st.Name.Name, e.letText(st.Value)))
		case *syntax.SetStmt:
			e.add("set", st, fmt.Sprintf("Set the query option %s.", st.Name.Name))
		case *syntax.ExprStmt:
			e.tabular(st.X)
		case *syntax.CommandStmt:
			e.add("command", st, "Run a control command (not a query).")
		}
	}
	return e.steps
}

type explainer struct{ steps []Step }

func (e *explainer) add(op string, n syntax.Node, text string) {
	sp := n.Pos()
	e.steps = append(e.steps, Step{Operator: op, Text: text, Start: sp.Start, End: sp.End})
}

func (e *explainer) letText(v syntax.Expr) string {
	switch v := v.(type) {
	case *syntax.FuncLit:
		return fmt.Sprintf("a function of %d parameter(s)", len(v.Params))
	case *syntax.Pipeline:
		if v.Source != nil {
			return "a query over " + short(v.Source)
		}
		return "a query starting with " + v.Ops[0].Name()
	case *syntax.Call:
		if v.Name.Name == "materialize" {
			return "a cached (materialized) query result"
		}
	}
	return "the value " + short(v)
}

func (e *explainer) tabular(x syntax.Expr) {
	pl, ok := x.(*syntax.Pipeline)
	if !ok {
		e.add("read", x, fmt.Sprintf("Read all rows of %s.", short(x)))
		return
	}
	if pl.Source != nil {
		e.add("read", pl.Source, fmt.Sprintf("Read rows from %s.", short(pl.Source)))
	}
	for _, op := range pl.Ops {
		e.add(op.Name(), op, opSentence(op))
	}
}

// short renders an expression compactly (one line, bounded length).
func short(x syntax.Node) string {
	s := strings.Join(strings.Fields(syntax.Format(x)), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func list(xs []syntax.Expr) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = short(x)
	}
	return strings.Join(parts, ", ")
}
