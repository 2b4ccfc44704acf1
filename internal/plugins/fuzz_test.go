package plugins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// FuzzLoadManifest feeds arbitrary bytes to the manifest loader (parse,
// then every builder): it must not panic, and a manifest it refuses must
// say why. `go test` runs only the seeds (testdata/fuzz and the sample
// manifests below); `go test -fuzz FuzzLoadManifest ./internal/plugins/`
// explores.
func FuzzLoadManifest(f *testing.F) {
	f.Add([]byte(goodManifest))
	for _, seed := range hostileManifests {
		f.Add([]byte(seed.body))
	}
	if paths, _ := filepath.Glob("../../../shared/plugins-dev/*.y*ml"); len(paths) > 0 {
		for _, p := range paths[:min(len(paths), 6)] {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep := loadBytes(&Env{}, "fuzz.yaml", data)
		if rep.Error == "" && rep.Plugin == "" {
			t.Fatalf("accepted without a plugin name: %+v", rep)
		}
		for _, s := range rep.Skills {
			if s.Status != Loaded && s.Reason == "" {
				t.Errorf("skill %q %s without a reason", s.Skill, s.Status)
			}
			if s.Status == Loaded && (s.Spec == nil || !strings.HasPrefix(s.Tool, "plugin_") || len(s.Tool) > maxToolName) {
				t.Errorf("loaded skill %q has tool %q", s.Skill, s.Tool)
			}
		}
	})
}

// FuzzBind binds arbitrary values into templates (arbitrary too, seeded
// with one of every placeholder kind): a template that parses must bind a
// value or refuse it with an error, never panic, and a bound query must
// parse to the template's shape; a value bound alone inside a string
// literal must come back from the parser as that literal's text.
func FuzzBind(f *testing.F) {
	for _, src := range kindTemplates {
		for _, v := range hostile[:12] {
			f.Add(src, v)
		}
	}
	f.Add("T | where a in ({{v}}) and b == '{{v}}{{v}}'", "x")
	f.Add("let x = {{v}};\nlet y = x;\nT | where t > ago(y)", "1d")
	f.Fuzz(func(t *testing.T, src, v string) {
		if len(src) > 4<<10 {
			return
		}
		tpl, err := ParseTemplate(src)
		if err != nil {
			return
		}
		values := map[string]string{}
		for _, n := range tpl.Names() {
			values[n] = v
		}
		q, err := tpl.splice(values)
		if err != nil {
			return
		}
		script, diags := syntax.Parse(q)
		if syntax.HasErrors(diags) || Shape(script) != tpl.shape {
			// Bind must refuse what changes the shape.
			if _, err := tpl.Bind(values); err == nil {
				t.Fatalf("Bind sent a query of another shape:\n%s\n%s", src, q)
			}
			return
		}
		lone := len(tpl.Placeholders) == 1 && tpl.Placeholders[0].Kind == KindString
		if lone && utf8.ValidString(v) && !strings.ContainsRune(v, 0) {
			lit, p := tpl.Placeholders[0].lit, tpl.Placeholders[0]
			before, after := src[lit.contentStart():p.Start], src[p.End:lit.contentStart()+len(lit.content(src))]
			want := before + v + after
			// Only where the template's own tree has the literal (a line
			// starting with # is a client directive the parser skips).
			inTree := literalIs(tpl.script, before+sampleValue(KindString)+after)
			if inTree && !strings.ContainsAny(before+after, "\\'\"`") && !literalIs(script, want) {
				t.Fatalf("no string literal is %q:\n%s", want, q)
			}
		}
	})
}

func literalIs(script *syntax.Script, v string) bool {
	found := false
	syntax.Inspect(script, func(n syntax.Node) bool {
		if l, ok := n.(*syntax.Literal); ok && l.Kind == syntax.LitString && l.Value.(string) == v {
			found = true
		}
		return !found
	})
	return found
}
