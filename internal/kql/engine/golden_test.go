package engine

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Golden files (testdata/goldens/*.txt) hold cases written from Microsoft's
// documented KQL semantics. Format:
//
//	### name            a case: query lines, then "---", then the expected
//	query...            table: a header "col:type | ..." and one line per
//	---                 row, cells rendered by renderCell; or "error: text"
//	a:long | b:string   (the error must contain text).
//	1 | x
//
//	### prelude         lines prepended to every query of the file
//	### scalars         one case per line: "expr => type value", run as
//	                    print r = expr
//
// Lines starting with "#" (but not "###") outside a query are comments.
var goldenClock = time.Date(2024, 1, 15, 12, 30, 0, 0, time.UTC)

type goldenCase struct {
	file, name, query, want string
}

func renderCell(v value) string {
	if v.null && v.k != kString {
		return "null"
	}
	switch v.k {
	case kString:
		if v.s == "" {
			return `""`
		}
		return v.s
	case kDynamic:
		return dynJSON(v.d)
	}
	return toStringValue(v)
}

func renderTable(t *Table) string {
	var b strings.Builder
	for j, c := range t.cols {
		if j > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(c + ":" + t.data[j].k.String())
	}
	for i := 0; i < t.n; i++ {
		b.WriteByte('\n')
		for j, v := range t.data {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(renderCell(v.get(i)))
		}
	}
	return b.String()
}

func loadGoldens(t *testing.T) []goldenCase {
	files, err := filepath.Glob(filepath.Join("testdata", "goldens", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	var cases []goldenCase
	for _, f := range files {
		cases = append(cases, parseGoldenFile(t, f)...)
	}
	return cases
}

func parseGoldenFile(t *testing.T, path string) []goldenCase {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []goldenCase
	prelude := ""
	var name string
	var query, want []string
	inWant := false
	flush := func() {
		if name == "" {
			return
		}
		switch name {
		case "prelude":
			prelude = strings.Join(query, "\n") + "\n"
		case "scalars":
			for _, l := range query {
				expr, exp, ok := strings.Cut(l, "=>")
				if !ok {
					t.Fatalf("%s: bad scalar line %q", path, l)
				}
				typ, val, _ := strings.Cut(strings.TrimSpace(exp), " ")
				out = append(out, goldenCase{file: path, name: strings.TrimSpace(expr),
					query: "print r = " + strings.TrimSpace(expr), want: "r:" + typ + "\n" + val})
			}
		default:
			out = append(out, goldenCase{file: path, name: name, query: prelude + strings.Join(query, "\n"),
				want: strings.TrimSpace(strings.Join(want, "\n"))})
		}
		name, query, want, inWant = "", nil, nil, false
	}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t")
		switch {
		case strings.HasPrefix(line, "### "):
			flush()
			name = strings.TrimSpace(line[4:])
		case name == "" && (strings.HasPrefix(line, "#") || line == ""):
		case line == "---" && name != "scalars" && name != "prelude":
			inWant = true
		case inWant:
			want = append(want, line)
		case name == "scalars" && (line == "" || strings.HasPrefix(line, "#")):
		default:
			query = append(query, line)
		}
	}
	flush()
	return out
}

func TestGoldens(t *testing.T) {
	cases := loadGoldens(t)
	t.Logf("%d golden cases", len(cases))
	for _, c := range cases {
		c := c
		t.Run(filepath.Base(c.file)+"/"+c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := Query(ctx, c.query, nil, Options{Clock: func() time.Time { return goldenClock }})
			if strings.HasPrefix(c.want, "error:") {
				wantErr := strings.TrimSpace(strings.TrimPrefix(c.want, "error:"))
				if err == nil || !strings.Contains(err.Error(), wantErr) {
					t.Fatalf("query:\n%s\nwant error containing %q, got %v", c.query, wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("query:\n%s\nerror: %v", c.query, err)
			}
			if got := renderTable(res.Table); got != c.want {
				t.Fatalf("query:\n%s\ngot:\n%s\nwant:\n%s", c.query, got, c.want)
			}
		})
	}
}
