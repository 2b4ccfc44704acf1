package syntax

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// dump renders a tree without positions, for structural comparison.
func dump(v any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v))
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem())
	case reflect.Struct:
		t := v.Type()
		b.WriteString(t.Name() + "{")
		for i := 0; i < t.NumField(); i++ {
			switch t.Field(i).Name {
			case "Span", "OpPos", "Quoted":
				continue
			}
			b.WriteString(t.Field(i).Name + ":")
			dumpValue(b, v.Field(i))
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			dumpValue(b, v.Index(i))
			b.WriteString(",")
		}
		b.WriteString("]")
	case reflect.Float64:
		if math.IsNaN(v.Float()) {
			b.WriteString("NaN")
			return
		}
		fmt.Fprint(b, v.Interface())
	default:
		fmt.Fprintf(b, "%#v", v.Interface())
	}
}

func TestFormatRoundTripCorpus(t *testing.T) {
	qs := loadCorpus(t)
	for _, q := range qs {
		s1, d1 := Parse(q.Query)
		if HasErrors(d1) {
			continue
		}
		text := Format(s1)
		s2, d2 := Parse(text)
		if HasErrors(d2) {
			t.Errorf("%s: formatted query does not parse: %v\n%s", q.ID, d2[0], text)
			continue
		}
		if a, b := dump(s1), dump(s2); a != b {
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			t.Errorf("%s: round trip changed the tree at\n%s\n%s", q.ID, a[max(0, i-200):min(len(a), i+100)], b[max(0, i-200):min(len(b), i+100)])
		}
	}
}

func TestFormatRoundTripSnippets(t *testing.T) {
	for _, q := range []string{
		`T | where a == 1 and (b > 2 or c < 3) | project x = a + b * c, y = -a`,
		`let f = (a:string, b:long = 3) { T | where x == a | take b }; f("x")`,
		`let v = view () { print x = 1 }; v`,
		`datatable(a:string, b:long) ["x", 1, "y", 2] | summarize count() by a`,
		`T | join kind=leftouter (U | where z) on $left.A == $right.B, C`,
		`union withsource=Src isfuzzy=true Device*, (T | take 1)`,
		`T | mv-apply x = arr to typeof(long) on (summarize s = sum(x))`,
		`T | make-series c = count() default = 0 on Timestamp in range(ago(1d), now(), 1h) by D`,
		`T | parse kind=regex Msg with * "user=" User:string " " Rest`,
		`T | top-nested 3 of A by c = count() desc, top-nested 2 of B by sum(x)`,
		`T | where a in~ ("x", "y") and b !between (1 .. 10) and c matches regex @"\d+"`,
		`T | extend d = dynamic({"a": [1, 2.5, "s", null], "b": {"c": true}})`,
		`T | extend t = datetime(2024-01-01 10:00), s = timespan(1.02:03:04), g = guid(00000000-0000-0000-0000-000000000000), n = long(null)`,
		`T | extend ['a b'] = 1 | project-rename ['c d'] = ['a b']`,
		`range x from 1 to 10 step 1 | partition by x (top 1 by x)`,
		`T | fork (where a) (take 2)`,
		`T | evaluate bag_unpack(d) | render timechart with (title="t")`,
		`search in (T, U) "err"`,
	} {
		s1, d1 := Parse(q)
		if HasErrors(d1) {
			t.Errorf("%q: %v", q, d1)
			continue
		}
		text := Format(s1)
		s2, d2 := Parse(text)
		if HasErrors(d2) {
			t.Errorf("%q: formatted %q does not parse: %v", q, text, d2)
			continue
		}
		if dump(s1) != dump(s2) {
			t.Errorf("%q: round trip changed the tree: %q", q, text)
		}
	}
}

func TestFormatAddsNeededParens(t *testing.T) {
	// a tree built by hand: (a or b) and c
	x := &Binary{Op: "and",
		Left:  &Binary{Op: "or", Left: &Ident{Name: "a"}, Right: &Ident{Name: "b"}},
		Right: &Ident{Name: "c"}}
	if got, want := Format(x), "(a or b) and c"; got != want {
		t.Fatalf("Format = %q, want %q", got, want)
	}
	lit := &Literal{Kind: LitTimespan, Value: int64(7 * 864000000000)}
	if got := Format(lit); got != "7d" {
		t.Fatalf("timespan literal = %q", got)
	}
}

func TestInspectVisitsEveryIdent(t *testing.T) {
	s, _ := Parse(`let x = 1; T | where A > x | join kind=inner (U | project B) on B | summarize c = count() by bin(Ts, 1h)`)
	var names []string
	Inspect(s, func(n Node) bool {
		if id, ok := n.(*Ident); ok {
			names = append(names, id.Name)
		}
		return true
	})
	got := strings.Join(names, ",")
	want := "x,T,A,x,inner,U,B,B,c,count,bin,Ts"
	if got != want {
		t.Fatalf("idents = %s, want %s", got, want)
	}
}
