package syntax

import (
	"fmt"
	"strings"
	"testing"
)

const walkQuery = `let w = 7d;
DeviceProcessEvents
| where Timestamp > ago(w) and FileName in~ ("a.exe", "b.exe")
| summarize Runs = count(), Devices = dcount(DeviceName) by AccountName, bin(Timestamp, 1h)
| join kind=inner (DeviceLogonEvents | project AccountName, LogonType) on AccountName
| top 10 by Runs desc`

// walkOrderGolden is the pre-order walk of walkQuery recorded with the
// slice-building Children that EachChild replaced.
const walkOrderGolden = "*syntax.Script *syntax.LetStmt *syntax.Ident *syntax.Literal *syntax.ExprStmt " +
	"*syntax.Pipeline *syntax.Ident *syntax.WhereOp *syntax.Binary *syntax.Binary " +
	"*syntax.Ident *syntax.Call *syntax.Ident *syntax.Ident *syntax.InExpr " +
	"*syntax.Ident *syntax.Literal *syntax.Literal *syntax.SummarizeOp " +
	"*syntax.NamedExpr *syntax.Ident *syntax.Call *syntax.Ident *syntax.NamedExpr " +
	"*syntax.Ident *syntax.Call *syntax.Ident *syntax.Ident *syntax.Ident " +
	"*syntax.Call *syntax.Ident *syntax.Ident *syntax.Literal *syntax.JoinOp " +
	"*syntax.OpParam *syntax.Ident *syntax.Paren *syntax.Pipeline *syntax.Ident " +
	"*syntax.ProjectOp *syntax.Ident *syntax.Ident *syntax.Ident *syntax.TopOp " +
	"*syntax.Literal *syntax.SortKey *syntax.Ident "

// TestInspectOrder: Inspect (now on EachChild) visits the same nodes in the
// same order as before, and Children agrees with EachChild.
func TestInspectOrder(t *testing.T) {
	script, diags := Parse(walkQuery)
	if len(diags) != 0 {
		t.Fatalf("parse: %v", diags)
	}
	var b strings.Builder
	Inspect(script, func(n Node) bool {
		fmt.Fprintf(&b, "%T ", n)
		var each []Node
		EachChild(n, func(c Node) { each = append(each, c) })
		if kids := Children(n); fmt.Sprint(kids) != fmt.Sprint(each) {
			t.Errorf("%T: Children %v, EachChild %v", n, kids, each)
		}
		return true
	})
	if got := b.String(); got != walkOrderGolden {
		t.Fatalf("walk order changed:\n got %s\nwant %s", got, walkOrderGolden)
	}
}

// TestInspectDoesNotAllocate: walking a parsed tree costs no allocations
// (it runs on every kql_validate call).
func TestInspectDoesNotAllocate(t *testing.T) {
	script, _ := Parse(walkQuery)
	count := 0
	f := func(Node) bool { count++; return true }
	if a := testing.AllocsPerRun(20, func() { Inspect(script, f) }); a != 0 {
		t.Fatalf("Inspect allocated %.0f times per walk, want 0", a)
	}
}
