package analyze

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func opSentence(op syntax.Operator) string {
	switch o := op.(type) {
	case *syntax.WhereOp:
		return "Keep rows where " + describe(o.Pred) + "."
	case *syntax.ProjectOp:
		return "Keep only the columns " + list(o.Items) + "."
	case *syntax.ProjectAwayOp:
		return "Remove the columns " + list(o.Cols) + "."
	case *syntax.ProjectKeepOp:
		return "Keep the columns " + list(o.Cols) + " and drop the rest."
	case *syntax.ProjectRenameOp:
		parts := make([]string, len(o.Items))
		for i, it := range o.Items {
			parts[i] = short(it.Value) + " to " + it.Names[0].Name
		}
		return "Rename " + strings.Join(parts, ", ") + "."
	case *syntax.ProjectReorderOp:
		return "Reorder the columns, putting " + fmt.Sprint(len(o.Cols)) + " named column(s) first."
	case *syntax.ExtendOp:
		return "Add computed column(s): " + list(o.Items) + "."
	case *syntax.SummarizeOp:
		s := "Aggregate " + list(o.Aggs)
		if len(o.Aggs) == 0 {
			s = "Find the distinct combinations"
		}
		if len(o.By) > 0 {
			s += " for each " + list(o.By)
		}
		return s + "."
	case *syntax.CountOp:
		return "Count the rows."
	case *syntax.TakeOp:
		return "Return at most " + short(o.Count) + " rows (in no particular order)."
	case *syntax.SortOp:
		return "Sort by " + sortKeys(o.By) + "."
	case *syntax.TopOp:
		return "Keep the top " + short(o.Count) + " rows by " + sortKeys(o.By) + "."
	case *syntax.DistinctOp:
		return "Keep distinct combinations of " + list(o.Cols) + "."
	case *syntax.JoinOp:
		kind := o.Kind
		if kind == "" {
			kind = "innerunique"
		}
		return fmt.Sprintf("Join (%s) with %s on %s.", kind, short(o.Right), list(o.On))
	case *syntax.LookupOp:
		return fmt.Sprintf("Look up columns from %s matching on %s.", short(o.Right), list(o.On))
	case *syntax.UnionOp:
		return "Combine rows with " + list(o.Tables) + "."
	case *syntax.MvExpandOp:
		return "Expand each element of the array/bag " + mvItems(o.Items) + " into its own row."
	case *syntax.MvApplyOp:
		return "For each row, expand " + mvItems(o.Items) + " and apply a sub-query to the elements."
	case *syntax.ParseOp:
		return "Extract new columns from " + short(o.Source) + " using a text pattern."
	case *syntax.MakeSeriesOp:
		return "Build time series of " + list(o.Aggs) + " over " + short(o.On) + " in steps of " + short(o.Step) + "."
	case *syntax.EvaluateOp:
		return "Run the " + o.Plugin.Name.Name + " plugin."
	case *syntax.RenderOp:
		return "Render the result as a " + o.Chart + "."
	}
	return genericSentence(op)
}

func genericSentence(op syntax.Operator) string {
	switch o := op.(type) {
	case *syntax.DataTableOp:
		return fmt.Sprintf("Start from an inline table with %d column(s).", len(o.Columns))
	case *syntax.RangeOp:
		return fmt.Sprintf("Generate a column %s from %s to %s in steps of %s.", o.Col.Name, short(o.From), short(o.To), short(o.Step))
	case *syntax.PrintOp:
		return "Output a single row with " + list(o.Items) + "."
	case *syntax.ExternalDataOp:
		return "Read data from external URLs (refused by the read-only guard)."
	case *syntax.AsOp:
		return "Name this intermediate result " + o.As.Name + "."
	case *syntax.InvokeOp:
		return "Apply the function " + o.Call.Name.Name + " to the rows."
	case *syntax.SerializeOp:
		return "Fix the row order so row-based functions can be used."
	case *syntax.SearchOp:
		return "Search for rows matching " + short(o.Pred) + "."
	}
	return "Apply the " + op.Name() + " operator."
}

func sortKeys(ks []*syntax.SortKey) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		order := "descending"
		if k.Order == "asc" {
			order = "ascending"
		}
		parts[i] = short(k.X) + " (" + order + ")"
	}
	return strings.Join(parts, ", ")
}

func mvItems(items []*syntax.MvExpandItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = short(it.X)
	}
	return strings.Join(parts, ", ")
}

var opWords = map[string]string{
	"==": "equals", "!=": "does not equal", "=~": "equals (ignoring case)", "!~": "does not equal (ignoring case)",
	"<": "is less than", "<=": "is at most", ">": "is greater than", ">=": "is at least",
	"has": "contains the term", "!has": "does not contain the term", "has_cs": "contains the term (case-sensitive)",
	"contains": "contains", "!contains": "does not contain", "contains_cs": "contains (case-sensitive)",
	"startswith": "starts with", "!startswith": "does not start with", "endswith": "ends with",
	"!endswith": "does not end with", "matches regex": "matches the regular expression",
	"hasprefix": "has a term starting with", "hassuffix": "has a term ending with",
	"in": "is one of", "!in": "is not one of", "in~": "is one of (ignoring case)",
	"!in~": "is not one of (ignoring case)", "has_any": "contains any of", "has_all": "contains all of",
}

// describe turns a predicate into words.
func describe(x syntax.Expr) string {
	switch x := x.(type) {
	case *syntax.Binary:
		switch x.Op {
		case "and", "or":
			return describe(x.Left) + " " + x.Op + " " + describe(x.Right)
		}
		if c, ok := x.Right.(*syntax.Call); ok && c.Name.Name == "ago" && len(c.Args) == 1 && (x.Op == ">" || x.Op == ">=") {
			return short(x.Left) + " is within the last " + humanSpan(c.Args[0])
		}
		if w, ok := opWords[x.Op]; ok {
			return short(x.Left) + " " + w + " " + short(x.Right)
		}
	case *syntax.InExpr:
		if w, ok := opWords[x.Op]; ok {
			return short(x.X) + " " + w + " (" + list(x.List) + ")"
		}
	case *syntax.BetweenExpr:
		w := "is between"
		if x.Not {
			w = "is not between"
		}
		return short(x.X) + " " + w + " " + short(x.Low) + " and " + short(x.High)
	case *syntax.Paren:
		return "(" + describe(x.X) + ")"
	}
	return short(x)
}

// humanSpan spells a timespan literal in words (7d → "7 days").
func humanSpan(x syntax.Expr) string {
	l, ok := x.(*syntax.Literal)
	if !ok || l.Kind != syntax.LitTimespan {
		return short(x)
	}
	ticks, _ := l.Value.(int64)
	units := []struct {
		name string
		n    int64
	}{{"day", 864000000000}, {"hour", 36000000000}, {"minute", 600000000}, {"second", 10000000}}
	for _, u := range units {
		if ticks%u.n == 0 && ticks != 0 {
			v := ticks / u.n
			if v == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %ss", v, u.name)
		}
	}
	return short(x)
}
