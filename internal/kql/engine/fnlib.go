package engine

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// ErrNotSupported is wrapped by every error for a KQL feature the engine
// does not implement; the message ("not supported: <what>") names the feature.
var ErrNotSupported = errors.New("not supported")

func notSupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotSupported, fmt.Sprintf(format, args...))
}

// callCtx gives scalar functions the query-wide state they may need.
type callCtx struct {
	now    int64 // query start, ticks
	re     *regexCache
	rand   func() float64
	newID  func() string
	limits *Options
	m      *meter // the query's budget: functions refuse results it cannot hold
}

// scalarFn is one built-in scalar function.
type scalarFn struct {
	min, max int               // argument count bounds; max < 0 means variadic
	ret      func([]kind) kind // static result kind; kNull means "from the values"
	fn       func(*callCtx, []value) (value, error)
	strict   bool // a null argument gives a null result without calling fn
	volatile bool // must be evaluated per row even with constant arguments
	// outs names the columns of a function returning several (its value
	// is then a dynamic array of them, split by extend/project).
	outs []string
}

// scalarTable and aggTable are the built-in scalar and aggregation
// functions, filled by the register* functions of the fn_*.go files and
// agg.go on first use (issue 16: nothing at start-up that a session may not
// use); read them through scalarFns and aggSpecs.
var (
	scalarTable  = map[string]*scalarFn{}
	aggTable     = map[string]*aggSpec{}
	builtinsOnce sync.Once
)

// loadBuiltins registers the built-in functions once, in the order the
// files' init functions used to run (file name order): fn_time's
// start-of/end-of pairs read functions registered before them.
func loadBuiltins() {
	builtinsOnce.Do(func() {
		for _, reg := range []func(){registerAggs, registerDyn, registerIp, registerIpHas, registerMath, registerMisc, registerSeries, registerString, registerTime, registerUnicode} {
			reg()
		}
	})
}

// scalarFns returns the built-in scalar functions by name.
func scalarFns() map[string]*scalarFn {
	loadBuiltins()
	return scalarTable
}

// aggSpecs returns the built-in aggregation functions by name.
func aggSpecs() map[string]*aggSpec {
	loadBuiltins()
	return aggTable
}

func fixed(k kind) func([]kind) kind { return func([]kind) kind { return k } }

func argKind(i int) func([]kind) kind {
	return func(a []kind) kind {
		if i < len(a) {
			return a[i]
		}
		return kNull
	}
}

// register adds fn under each comma-separated name.
func register(names string, min, max int, ret func([]kind) kind, strict bool, fn func(*callCtx, []value) (value, error)) *scalarFn {
	s := &scalarFn{min: min, max: max, ret: ret, fn: fn, strict: strict}
	for _, n := range strings.Split(names, ",") {
		scalarTable[strings.TrimSpace(n)] = s
	}
	return s
}

// call runs a scalar function on one row's arguments.
func (s *scalarFn) call(c *callCtx, args []value) (value, error) {
	if s.strict {
		for _, a := range args {
			if a.null && a.k != kString {
				var kinds []kind
				for _, x := range args {
					kinds = append(kinds, x.k)
				}
				return nullOf(s.ret(kinds)), nil
			}
		}
	}
	return s.fn(c, args)
}

// regexCache compiles each pattern once per query, with a size cap.
type regexCache struct {
	m       map[string]*regexp.Regexp
	maxLen  int
	maxProg int
}

func newRegexCache(maxLen int) *regexCache {
	return &regexCache{m: map[string]*regexp.Regexp{}, maxLen: maxLen, maxProg: 20000}
}

// get compiles pattern (RE2 syntax) or returns the cached program.
func (rc *regexCache) get(pattern string) (*regexp.Regexp, error) {
	if re, ok := rc.m[pattern]; ok {
		return re, nil
	}
	if len(pattern) > rc.maxLen {
		return nil, fmt.Errorf("regex: pattern longer than %d bytes", rc.maxLen)
	}
	pattern2 := translateRegex(pattern)
	parsed, err := syntax.Parse(pattern2, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	if prog, err := syntax.Compile(parsed.Simplify()); err != nil || len(prog.Inst) > rc.maxProg {
		return nil, fmt.Errorf("regex %q: program too large", pattern)
	}
	re, err := regexp.Compile(pattern2)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	if len(rc.m) < 1000 {
		rc.m[pattern] = re
	}
	return re, nil
}

// translateRegex maps the .NET-isms common in hunting queries onto RE2:
// (?<name>...) named groups become (?P<name>...).
func translateRegex(p string) string {
	if !strings.Contains(p, "(?<") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if strings.HasPrefix(p[i:], "(?<") && i+3 < len(p) && p[i+3] != '=' && p[i+3] != '!' {
			if i == 0 || p[i-1] != '\\' {
				b.WriteString("(?P<")
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// Argument helpers for function bodies.

func sArg(v value) string { return toStringValue(unwrapDynStr(v)) }

func unwrapDynStr(v value) value {
	if v.k == kDynamic {
		if s, ok := v.d.(string); ok {
			return strV(s)
		}
	}
	return v
}

func iArg(v value) (int64, bool) {
	v = unwrapDyn(v)
	if v.null {
		return 0, false
	}
	switch v.k {
	case kInt, kLong, kBool:
		return v.i, true
	case kReal:
		return int64(v.f), true
	case kString:
		r := toLong(v)
		return r.i, !r.null
	}
	return 0, false
}

func fArg(v value) (float64, bool) {
	v = unwrapDyn(v)
	if v.k == kString {
		v = toReal(v)
	}
	return v.asFloat()
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
