package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// sanitizeCase is a result shaped like the tools' (nested structs, lists,
// a map with attacker-controlled keys, HTML characters, numbers).
type sanitizeCase struct {
	Title    string            `json:"title"`
	Count    int               `json:"count"`
	Score    float64           `json:"score"`
	Tags     []string          `json:"tags"`
	Labels   map[string]string `json:"labels,omitempty"`
	Raw      json.RawMessage   `json:"raw,omitempty"`
	Children []sanitizeCase    `json:"children,omitempty"`
}

// TestSanitizeJSONMatchesDecodeAndReencode: the one-pass sanitizer gives the
// same document as the decode-walk-encode reference, on values and keys,
// escaped and literal hidden characters, HTML characters and raw JSON.
func TestSanitizeJSONMatchesDecodeAndReencode(t *testing.T) {
	texts := []string{"plain", "a<b>&c", "power\u200bshell", "x\u202Ey", "tab\tnew\nline",
		"bell\u0007", "back\bspace\fform", "line\u2028sep", "👩\u200d💻", "no\u00a0break", "€ 12", `quote " and \ backslash`, ""}
	for i, a := range texts {
		for j, c := range texts {
			v := sanitizeCase{Title: a, Count: i, Score: float64(j) / 3, Tags: []string{c, a},
				Children: []sanitizeCase{{Title: c, Tags: []string{}}}}
			if i%3 == 0 {
				v.Labels = map[string]string{"k<" + c: a} // keys that change take the slow path
			}
			if j%4 == 0 {
				v.Raw = json.RawMessage(`{"escaped":"zero\u200bwidth","n":1.50}`)
			}
			doc, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := SanitizeJSON(doc)
			if err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			want, err := sanitizeDecoded(doc)
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil || !reflect.DeepEqual(g, w) {
				t.Errorf("SanitizeJSON(%s)\n = %s\nwant %s", doc, got, want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid output %s", got)
			}
		}
	}
}

// TestSanitizeJSONLeavesCleanResultsAlone: HTML escapes alone change
// nothing and cost no copy; only the string that changes is rewritten, and
// the key order the encoder chose stays.
func TestSanitizeJSONLeavesCleanResultsAlone(t *testing.T) {
	doc := []byte(`{"z":"a \u003cb\u003e \u0026 c","a":[1,2.50,"x"],"m":"€"}`)
	got, err := SanitizeJSON(doc)
	if err != nil || &got[0] != &doc[0] {
		t.Errorf("clean document copied or changed: %s, %v", got, err)
	}
	doc = []byte(`{"z":"keep \u003c","a":"zero\u200bwidth","b":"in\u2029side","n":1.50}`)
	got, err = SanitizeJSON(doc)
	want := `{"z":"keep \u003c","a":"zerowidth","b":"inside","n":1.50}`
	if err != nil || string(got) != want {
		t.Errorf("SanitizeJSON = %s, %v; want %s", got, err, want)
	}
	if _, err := SanitizeJSON([]byte(`{"a":"unterminated\u200b`)); err == nil || !strings.Contains(err.Error(), "sanitize result") {
		t.Errorf("broken document: %v", err)
	}
}

// BenchmarkSanitizeJSON compares the one-pass sanitizer with the
// decode-walk-encode it replaced, on a result holding HTML characters
// (which the encoder escapes) and one hidden character.
func BenchmarkSanitizeJSON(b *testing.B) {
	var rows []sanitizeCase
	for i := range 50 {
		rows = append(rows, sanitizeCase{Title: fmt.Sprintf("Alert %d: <script> & more", i), Count: i, Score: 0.5,
			Tags: []string{"T1059", "powershell -enc AAAA"}})
	}
	rows[7].Title = "power\u200bshell"
	doc, _ := json.Marshal(map[string]any{"items": rows})
	for _, c := range []struct {
		name string
		fn   func([]byte) ([]byte, error)
	}{{"onepass", SanitizeJSON}, {"decode-reencode", sanitizeDecoded}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out, err := c.fn(doc); err != nil || bytes.Contains(out, []byte("\u200b")) {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzSanitizeJSON: on encoder output of any strings, the one-pass
// sanitizer (and its plain-ASCII shortcut) agrees with decode-walk-encode.
//
//	go test -run XXX -fuzz SanitizeJSON ./tools/
func FuzzSanitizeJSON(f *testing.F) {
	for _, s := range []string{"plain", "a<b>&c", "power\u200bshell", `q"\`, "bell\u0007", "\u2028", "é"} {
		f.Add(s, "k")
	}
	f.Fuzz(func(t *testing.T, a, k string) {
		doc, err := json.Marshal(map[string]any{"x": a, "k" + k: []string{a, k}})
		if err != nil {
			return
		}
		got, err1 := SanitizeJSON(doc)
		want, err2 := sanitizeDecoded(doc)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v / %v", doc, err1, err2)
		}
		var g, w any
		if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil || !reflect.DeepEqual(g, w) {
			t.Errorf("SanitizeJSON(%s)\n = %s\nwant %s", doc, got, want)
		}
	})
}
