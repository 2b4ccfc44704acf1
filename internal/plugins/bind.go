package plugins

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secmcp/secmcp/internal/kql/guard"
	"github.com/secmcp/secmcp/internal/kql/syntax"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// Bounds on templates and values. Classifying a placeholder walks the
// parsed template, so the work grows with placeholders × template size;
// the bounds keep the load of one skill within milliseconds. Published
// skills use a handful of placeholders.
const (
	// MaxValueBytes is the longest value one input may carry.
	MaxValueBytes = 8 << 10
	// MaxTemplateBytes is the longest template, the guard's query limit.
	MaxTemplateBytes = guard.DefaultMaxQueryBytes
	// MaxPlaceholders is the most {{placeholders}} one template may hold.
	MaxPlaceholders = 100
)

// errTemplateBounds is a template over MaxTemplateBytes or MaxPlaceholders.
var errTemplateBounds = errors.New("the template is too large")

// Template is a KQL skill's template, parsed and classified once at load.
type Template struct {
	Src          string
	Placeholders []Placeholder
	// Sample is the template bound with a sample value of each kind (the
	// text checked against the schema and the guard at load).
	Sample string
	// HasQuery is false when the template ends with a let or set (or is a
	// command), so it returns no rows.
	HasQuery bool
	shape    string
	script   *syntax.Script // Sample, parsed
}

// ParseTemplate scans and classifies the template's placeholders, binds
// sample values and parses the result: a template that does not parse, or
// whose placeholders stand where no literal can, is refused here.
func ParseTemplate(src string) (*Template, error) {
	if len(src) > MaxTemplateBytes {
		return nil, fmt.Errorf("%w: it is %d bytes; the limit is %d (the longest query the guard lets through)", errTemplateBounds, len(src), MaxTemplateBytes)
	}
	ps, err := scanTemplate(src)
	if err != nil {
		return nil, posFromOffset(src, err)
	}
	if len(ps) > MaxPlaceholders {
		return nil, fmt.Errorf("%w: it has %d placeholders; the limit is %d", errTemplateBounds, len(ps), MaxPlaceholders)
	}
	if err := classifyCode(src, ps); err != nil {
		return nil, err
	}
	t := &Template{Src: src, Placeholders: ps}
	samples := map[string]string{}
	for _, p := range ps {
		samples[p.Name] = sampleValue(p.Kind)
	}
	t.Sample, err = t.splice(samples)
	if err != nil {
		return nil, err
	}
	script, diags := syntax.Parse(t.Sample)
	if syntax.HasErrors(diags) {
		return nil, diagError(t.Sample, diags)
	}
	n := len(script.Stmts)
	t.HasQuery = n > 0 && isQuery(script.Stmts[n-1])
	t.shape, t.script = Shape(script), script
	return t, nil
}

// Names returns the placeholders' names, each once, in order.
func (t *Template) Names() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range t.Placeholders {
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	}
	return out
}

// Bind returns the query with every placeholder bound to its value as a
// literal of the placeholder's kind. It checks that the bound query parses
// to the template's shape, so no value can change what the query does.
func (t *Template) Bind(values map[string]string) (string, error) {
	q, err := t.splice(values)
	if err != nil {
		return "", err
	}
	if len(q) > MaxTemplateBytes {
		return "", fmt.Errorf("the query with these inputs is %d bytes; the limit is %d: shorten the inputs", len(q), MaxTemplateBytes)
	}
	script, diags := syntax.Parse(q)
	if syntax.HasErrors(diags) || Shape(script) != t.shape {
		return "", fmt.Errorf("the bound query does not have the template's shape; refused")
	}
	return q, nil
}

// splice writes the template with each placeholder replaced by its bound
// text; string literals holding placeholders are rebuilt whole.
func (t *Template) splice(values map[string]string) (string, error) {
	var b strings.Builder
	last := 0
	for i := 0; i < len(t.Placeholders); i++ {
		p := t.Placeholders[i]
		if p.lit != nil {
			j := i
			for j+1 < len(t.Placeholders) && t.Placeholders[j+1].lit == p.lit {
				j++
			}
			s, err := rebuildString(t.Src, p.lit, t.Placeholders[i:j+1], values)
			if err != nil {
				return "", err
			}
			b.WriteString(t.Src[last:p.lit.start])
			b.WriteString(s)
			last, i = p.lit.end, j
			continue
		}
		v, err := bindValue(p, values[p.Name])
		if err != nil {
			return "", err
		}
		b.WriteString(t.Src[last:p.Start])
		b.WriteString(v)
		last = p.End
	}
	b.WriteString(t.Src[last:])
	return b.String(), nil
}

// rebuildString decodes a string literal's text around its placeholders,
// puts the values in and encodes the whole as one double-quoted literal.
func rebuildString(src string, l *strLit, ps []Placeholder, values map[string]string) (string, error) {
	var v strings.Builder
	pos := l.contentStart()
	for _, p := range ps {
		piece, err := decodePiece(l, src[pos:p.Start])
		if err != nil {
			return "", err
		}
		v.WriteString(piece)
		val := values[p.Name]
		if err := checkText(p.Name, val); err != nil {
			return "", err
		}
		v.WriteString(val)
		pos = p.End
	}
	piece, err := decodePiece(l, src[pos:l.contentStart()+len(l.content(src))])
	if err != nil {
		return "", err
	}
	v.WriteString(piece)
	return l.prefix + Quote(v.String()), nil
}

// decodePiece decodes literal text between placeholders.
func decodePiece(l *strLit, s string) (string, error) {
	switch {
	case l.fenced:
		return s, nil
	case l.verbatim:
		q := string(l.quote)
		return strings.ReplaceAll(s, q+q, q), nil
	}
	if strings.HasSuffix(s, `\`) && (len(s)-len(strings.TrimRight(s, `\`)))%2 == 1 {
		return "", fmt.Errorf("a backslash before a placeholder in a string literal escapes nothing; write \\\\")
	}
	expr, diags := syntax.ParseExpr(`"` + s + `"`)
	lit, ok := expr.(*syntax.Literal)
	if syntax.HasErrors(diags) || !ok {
		return "", fmt.Errorf("bad escape in string literal text %q", s)
	}
	return lit.Value.(string), nil
}

// Quote encodes s as a KQL double-quoted string literal: backslash, quotes
// and control characters escaped
// (learn.microsoft.com/kusto/query/scalar-data-types/string).
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\'':
			b.WriteString(`\'`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// checkText refuses values no literal should carry.
func checkText(name, v string) error {
	if len(v) > MaxValueBytes {
		return fmt.Errorf("input %q is %d bytes; the limit is %d", name, len(v), MaxValueBytes)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("input %q is not valid UTF-8", name)
	}
	return nil
}

var (
	numberRE   = lazyre.New(`^-?[0-9]{1,18}(\.[0-9]{1,15})?([eE][+-]?[0-9]{1,3})?$`)
	countRE    = lazyre.New(`^[0-9]{1,9}(\.[0-9]{1,7})?$`)
	timespanRE = lazyre.New(`^([0-9]{1,9}(?:\.[0-9]{1,7})?) ?([a-zA-Z]{1,12})$`)
	clockRE    = lazyre.New(`^([0-9]{1,7}\.)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?$`)
)

// datetimeLayouts are the datetime forms accepted for a datetime input.
var datetimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// bindValue returns the KQL text of a value outside string literals.
func bindValue(p Placeholder, v string) (string, error) {
	if err := checkText(p.Name, v); err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	bad := func(want string) (string, error) {
		return "", fmt.Errorf("input %q must be %s; got %q", p.Name, want, clip(v))
	}
	switch p.Kind {
	case KindComment:
		return "", nil
	case KindNumber:
		if !numberRE.MatchString(v) {
			return bad("a number such as 10 or 2.5")
		}
		return number(v), nil
	case KindTimespanCount:
		if !countRE.MatchString(v) {
			return bad("a non-negative number such as 7")
		}
		return v, nil
	case KindTimespanUnit:
		if !timeUnitWords[strings.ToLower(v)] {
			return bad("a timespan unit such as d, h, m or s")
		}
		return strings.ToLower(v), nil
	case KindTimespan:
		if m := timespanRE.FindStringSubmatch(v); m != nil && timeUnitWords[strings.ToLower(m[2])] {
			return m[1] + strings.ToLower(m[2]), nil
		}
		if clockRE.MatchString(v) {
			return "timespan(" + v + ")", nil
		}
		return bad("a timespan such as 7d, 24h, 30m or 01:30:00")
	case KindDatetime:
		for _, layout := range datetimeLayouts {
			if tm, err := time.Parse(layout, v); err == nil {
				return tm.UTC().Format(time.RFC3339Nano), nil
			}
		}
		return bad("a date or time such as 2024-01-31 or 2024-01-31T13:45:00Z")
	case KindIdent:
		if v == "" || len(v) > 256 || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 }) {
			return bad("a table or column name")
		}
		return "[" + Quote(v) + "]", nil
	case KindList:
		return bindList(p, v)
	case KindScalar:
		if numberRE.MatchString(v) {
			return number(v), nil
		}
		return Quote(v), nil
	}
	return "", fmt.Errorf("input %q: placeholder kind %d cannot be bound", p.Name, p.Kind)
}

// number writes a validated number as one literal (a negative one as
// long(-n) or real(-n), which is one literal, not a unary minus).
func number(v string) string {
	if !strings.HasPrefix(v, "-") {
		return v
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "long(" + v + ")"
	}
	return "real(" + v + ")"
}

// bindList binds a comma-separated list: numbers when every item is one,
// otherwise strings.
func bindList(p Placeholder, v string) (string, error) {
	items := strings.Split(v, ",")
	if len(items) > 1000 {
		return "", fmt.Errorf("input %q has %d items; the limit is 1000", p.Name, len(items))
	}
	nums := true
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
		nums = nums && numberRE.MatchString(items[i])
	}
	for i, it := range items {
		if nums {
			items[i] = number(it)
		} else {
			items[i] = Quote(it)
		}
	}
	return strings.Join(items, ", "), nil
}

func sampleValue(k Kind) string {
	switch k {
	case KindTimespan:
		return "1d"
	case KindTimespanUnit:
		return "d"
	case KindDatetime:
		return "2000-01-01"
	case KindString, KindIdent:
		return "x"
	}
	return "1"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Shape is the structure of a parsed query: node types, operators,
// function names, with literal values and identifier names left out, and
// a run of literals in an in (...) list counted once. Two queries with the
// same shape do the same thing to possibly different values.
func Shape(n syntax.Node) string {
	var b strings.Builder
	var walk func(n syntax.Node)
	walk = func(n syntax.Node) {
		b.WriteString("(")
		b.WriteString(reflect.TypeOf(n).Elem().Name())
		switch x := n.(type) {
		case *syntax.Binary:
			b.WriteString(" " + x.Op)
		case *syntax.Unary:
			b.WriteString(" " + x.Op)
		case *syntax.InExpr:
			b.WriteString(" " + x.Op)
		case *syntax.Call:
			b.WriteString(" " + strings.ToLower(x.Name.Name))
		case syntax.Operator:
			b.WriteString(" " + x.Name())
		}
		prevLit := false
		_, inList := n.(*syntax.InExpr)
		for _, c := range syntax.Children(n) {
			_, isLit := c.(*syntax.Literal)
			if inList && isLit && prevLit {
				continue
			}
			prevLit = isLit
			walk(c)
		}
		b.WriteString(")")
	}
	walk(n)
	return b.String()
}

// posFromOffset turns "offset N: msg" scan errors into line/column.
func posFromOffset(src string, err error) error {
	var off int
	var msg string
	if _, e := fmt.Sscanf(err.Error(), "offset %d:", &off); e == nil {
		msg = strings.TrimSpace(err.Error()[strings.IndexByte(err.Error(), ':')+1:])
		line, col := lineCol(src, off)
		return &PosError{Line: line, Col: col, Msg: msg}
	}
	return err
}

func isQuery(s syntax.Stmt) bool {
	_, ok := s.(*syntax.ExprStmt)
	return ok
}
