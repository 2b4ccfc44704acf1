package plugins

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// hostile are values that would change a spliced query's shape.
var hostile = []string{
	`'`, `"`, `\`, `\'`, `|`, "\n", "\r\n", `;`, `//`, `/*`, `*/`, "‘’“”", `' | take 1 //`,
	`") | union SecurityAlert //`, `x'); DeviceEvents | take 1; print('`, "a\n| project secret", "\u2028| take 1",
	"\x00", "{{x}}", `]`, `)`, `1d) | take 1 //`, `1 or 1==1`, `@'`, "```", `h'`, `['x'] | take 1`,
	strings.Repeat(`'|"`, 2000), "7d", "10", "-5", "d", "2024-01-31", "a,b", "1,2,3", `a", "b`,
	"🙂", "\t", `$left`, "let x = 1;",
}

// kindTemplates put one placeholder of every kind in a template.
var kindTemplates = map[string]string{
	"string '":    `DeviceProcessEvents | where FileName =~ '{{v}}' | take 5`,
	"string \"":   `DeviceProcessEvents | where FileName == "pre-{{v}}-post" | take 5`,
	"verbatim":    `DeviceProcessEvents | where FolderPath startswith @'C:\{{v}}' | take 5`,
	"obfuscated":  `DeviceProcessEvents | where FileName has h'{{v}}' | take 5`,
	"fenced":      "print x = ```{{v}}```",
	"number":      `DeviceProcessEvents | take {{v}}`,
	"timespan":    `DeviceProcessEvents | where Timestamp > ago({{v}})`,
	"count":       `DeviceProcessEvents | where Timestamp > ago({{v}}d)`,
	"unit":        `DeviceProcessEvents | where Timestamp > ago(7{{v}})`,
	"datetime":    `DeviceProcessEvents | where Timestamp > datetime({{v}})`,
	"datetime ''": `DeviceProcessEvents | where Timestamp > datetime('{{v}}')`,
	"identifier":  `DeviceProcessEvents | project {{v}} | take 5`,
	"list":        `DeviceProcessEvents | where FileName in ({{v}}) | take 5`,
	"scalar":      `DeviceProcessEvents | where ProcessId == {{v}} | take 5`,
	"let":         "let lookback = {{v}};\nDeviceProcessEvents | where Timestamp > ago(lookback)",
	"let scalar":  "let cutoff = {{v}};\nDeviceProcessEvents | where ProcessId > cutoff",
	"comment":     "DeviceProcessEvents // {{v}}\n| take 5",
	"two strings": `DeviceProcessEvents | where FileName == '{{v}}' or FolderPath == "{{v}}" | take 5`,
}

// TestInjectionSuite binds every hostile value into every placeholder
// kind: each is either refused by the kind's validation or bound with the
// template's parse-tree shape, and a value bound inside a string comes
// back from the parser as exactly the literal's text.
func TestInjectionSuite(t *testing.T) {
	bound, refused, changed := 0, 0, 0
	for name, src := range kindTemplates {
		tpl, err := ParseTemplate(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range hostile {
			q, err := tpl.splice(map[string]string{"v": v})
			if err != nil {
				refused++
				continue
			}
			script, diags := syntax.Parse(q)
			if syntax.HasErrors(diags) || Shape(script) != tpl.shape {
				changed++
				t.Errorf("%s: value %q changed the query's shape:\n%s", name, clip(v), q)
				continue
			}
			if _, err := tpl.Bind(map[string]string{"v": v}); err != nil {
				t.Errorf("%s: Bind refused what splice bound: %v", name, err)
			}
			if tpl.Placeholders[0].Kind == KindString && !strings.HasPrefix(name, "two") {
				if !literalHolds(script, v) {
					t.Errorf("%s: no string literal holds %q exactly:\n%s", name, clip(v), q)
				}
			}
			bound++
		}
	}
	t.Logf("injection suite: %d kinds × %d values: %d bound, %d refused by validation, %d shape changes", len(kindTemplates), len(hostile), bound, refused, changed)
}

func literalHolds(script *syntax.Script, v string) bool {
	found := false
	syntax.Inspect(script, func(n syntax.Node) bool {
		if l, ok := n.(*syntax.Literal); ok && l.Kind == syntax.LitString && strings.Contains(l.Value.(string), v) {
			found = true
		}
		return !found
	})
	return found
}

func TestPlaceholderKinds(t *testing.T) {
	want := map[string]Kind{"string '": KindString, "verbatim": KindString, "fenced": KindString, "number": KindNumber,
		"timespan": KindTimespan, "count": KindTimespanCount, "datetime": KindDatetime, "datetime ''": KindDatetime,
		"identifier": KindIdent, "list": KindList, "scalar": KindScalar, "let": KindTimespan, "let scalar": KindScalar, "comment": KindComment}
	for name, k := range want {
		tpl, err := ParseTemplate(kindTemplates[name])
		if err != nil {
			t.Fatal(err)
		}
		if got := tpl.Placeholders[0].Kind; got != k {
			t.Errorf("%s: kind %s, want %s", name, got, k)
		}
	}
	tpl, _ := ParseTemplate(`T | where t > ago({{n}}{{u}})`)
	if tpl.Placeholders[0].Kind != KindTimespanCount || tpl.Placeholders[1].Kind != KindTimespanUnit {
		t.Errorf("{{n}}{{u}}: %s %s", tpl.Placeholders[0].Kind, tpl.Placeholders[1].Kind)
	}
}

func TestBoundValues(t *testing.T) {
	cases := []struct{ src, v, want string }{
		{`T | where a == '{{v}}'`, `it's`, `T | where a == "it\'s"`},
		{`T | where a == @'C:\{{v}}'`, `x"y`, `T | where a == "C:\\x\"y"`},
		{`T | take {{v}}`, `-5`, `T | take long(-5)`},
		{`T | where t > ago({{v}})`, `24 h`, `T | where t > ago(24h)`},
		{`T | where t > ago({{v}})`, `01:30:00`, `T | where t > ago(timespan(01:30:00))`},
		{`T | where t > datetime({{v}})`, `2024-01-31`, `T | where t > datetime(2024-01-31T00:00:00Z)`},
		{`T | project {{v}}`, `Col']`, `T | project ["Col\']"]`},
		{`T | where a in ({{v}})`, `a, b"`, `T | where a in ("a", "b\"")`},
		{`T | where a in ({{v}})`, `1,2`, `T | where a in (1, 2)`},
	}
	for _, c := range cases {
		tpl, err := ParseTemplate(c.src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpl.Bind(map[string]string{"v": c.v})
		if err != nil || got != c.want {
			t.Errorf("%s with %q = %q, %v; want %q", c.src, c.v, got, err, c.want)
		}
	}
	refusals := map[string]string{`T | take {{v}}`: "1 | take 2", `T | where t > ago({{v}})`: "1d)", `T | where t > ago({{v}}d)`: "7d",
		`T | where t > datetime({{v}})`: "tomorrow", `T | where t > ago(1{{v}})`: "fortnight"}
	for src, v := range refusals {
		tpl, _ := ParseTemplate(src)
		if _, err := tpl.Bind(map[string]string{"v": v}); err == nil || !strings.Contains(err.Error(), `input "v" must be`) {
			t.Errorf("%s with %q: %v, want a refusal naming the input", src, v, err)
		}
	}
}
