package catalog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// columnSpec is one table's union column list: space-separated "Name"
// (string) or "Name:t" tokens where t is d datetime, l long, i int, r real,
// y dynamic, b bool, g guid.
type columnSpec struct{ name, cols string }

var typeCodes = map[string]string{"": "string", "d": "datetime", "l": "long", "i": "int", "r": "real",
	"y": "dynamic", "b": "bool", "g": "guid"}

// products a table is in (formSpec.in).
const (
	inDefender = 1 << iota
	inSentinel
	inBoth = inDefender | inSentinel
)

// formSpec says which products have a table and how their forms differ
// from the union: the columns only Advanced Hunting has, the columns only
// Log Analytics has, and "Column:defenderType:sentinelType" type conflicts.
type formSpec struct {
	name         string
	in           int
	defenderOnly string
	sentinelOnly string
	conflicts    string
	about        string
}

func load() {
	tables = map[string]*Table{}
	union := map[string][]schema.Column{}
	for _, part := range [][]columnSpec{unionPart1, unionPart2, unionLogAnalytics} {
		for _, s := range part {
			cols, err := parseColumns(s)
			if err != nil {
				loadErr = errors.Join(loadErr, err)
				continue
			}
			union[s.name] = cols
		}
	}
	for _, f := range append(append([]formSpec(nil), forms...), formsLogAnalytics...) {
		cols, ok := union[f.name]
		if !ok {
			loadErr = errors.Join(loadErr, fmt.Errorf("catalog: %s has a form but no columns", f.name))
			continue
		}
		t := &Table{Name: f.name, About: f.about, Union: cols}
		if d, ok := deprecations[f.name]; ok {
			t.Deprecated = &d
		}
		if f.in&inDefender != 0 {
			t.Defender = buildForm(Defender, f, cols)
		}
		if f.in&inSentinel != 0 {
			t.Sentinel = buildForm(Sentinel, f, cols)
		}
		tables[f.name] = t
	}
	for name := range union {
		if _, ok := tables[name]; !ok {
			loadErr = errors.Join(loadErr, fmt.Errorf("catalog: %s has columns but no form", name))
		}
	}
	for name, d := range deprecations {
		if _, ok := tables[name]; !ok {
			loadErr = errors.Join(loadErr, fmt.Errorf("catalog: deprecation of unknown table %s", name))
		}
		if _, ok := tables[d.ReplacedBy]; !ok {
			loadErr = errors.Join(loadErr, fmt.Errorf("catalog: %s is replaced by unknown table %s", name, d.ReplacedBy))
		}
	}
	schemas = map[Product]*schema.Schema{}
	for _, p := range []Product{"", Defender, Sentinel} {
		s, err := buildSchema(p)
		loadErr = errors.Join(loadErr, err)
		schemas[p] = s
	}
}

func parseColumns(s columnSpec) ([]schema.Column, error) {
	var cols []schema.Column
	for _, tok := range strings.Fields(s.cols) {
		name, code, _ := strings.Cut(tok, ":")
		typ, ok := typeCodes[code]
		if !ok {
			return nil, fmt.Errorf("catalog: table %s column %s: bad type code %q", s.name, name, code)
		}
		cols = append(cols, schema.Column{Name: name, Type: typ})
	}
	return cols, nil
}

// buildForm derives product p's form from the union columns.
func buildForm(p Product, f formSpec, union []schema.Column) *Form {
	other := f.sentinelOnly
	if p == Sentinel {
		other = f.defenderOnly
	}
	drop := map[string]bool{}
	for _, c := range strings.Fields(other) {
		drop[c] = true
	}
	types := map[string]string{}
	for _, c := range strings.Fields(f.conflicts) {
		parts := strings.Split(c, ":")
		if len(parts) == 3 {
			types[parts[0]] = parts[1]
			if p == Sentinel {
				types[parts[0]] = parts[2]
			}
		}
	}
	fm := &Form{Product: p, Doc: docURL(p, f.name)}
	for _, c := range union {
		if drop[c.Name] {
			continue
		}
		if t, ok := types[c.Name]; ok {
			c.Type = t
		}
		fm.Columns = append(fm.Columns, c)
	}
	want := "Timestamp"
	if p == Sentinel {
		want = "TimeGenerated"
	}
	for _, c := range fm.Columns {
		if c.Name == want && c.Type == "datetime" {
			fm.TimeColumn = want
		}
	}
	return fm
}

func buildSchema(p Product) (*schema.Schema, error) {
	s := schema.New()
	var errs error
	for name, t := range tables {
		f := t.Form(p)
		if f == nil {
			continue
		}
		cols := f.Columns
		if p == "" {
			cols = t.Union
		}
		if err := s.AddTable(name, cols); err != nil {
			errs = errors.Join(errs, err)
			continue
		}
		errs = errors.Join(errs, s.SetTimeColumn(name, f.TimeColumn))
	}
	if p != Defender {
		for _, fn := range workspaceFunctions {
			params, err := fn.paramNames()
			errs = errors.Join(errs, err)
			s.AddFunction(fn.Name, params)
		}
	}
	return s, errs
}
