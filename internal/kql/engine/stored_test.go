package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
)

// funcCatalog is a MapCatalog with stored functions.
type funcCatalog struct {
	MapCatalog
	fns map[string]*Function
}

func (c funcCatalog) Function(name string) (*Function, bool) {
	f, ok := c.fns[name]
	return f, ok
}

func storedCatalog(t *testing.T) funcCatalog {
	t.Helper()
	tab, err := FromRows("Items", []Column{{"Alias", "string"}, {"Key", "string"}, {"At", "datetime"}, {"Size", "long"}}, [][]any{
		{"vip", "ann", goldenClock.Add(-2 * time.Hour), int64(10)},
		{"vip", "bob", goldenClock.Add(-30 * time.Hour), int64(20)},
		{"other", "cid", goldenClock.Add(-1 * time.Hour), int64(30)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]string{
		"_GetItems": `(alias:string) { Items | where Alias == alias | project Key, Size }`,
		"_Recent": `(starttime:datetime=datetime(null), keys:dynamic=dynamic([]), big:bool=false, minsize:real=0.0) {
			Items
			| where isnull(starttime) or At >= starttime
			| where array_length(keys) == 0 or Key in (keys)
			| where not(big) or Size >= minsize
			| project Key }`,
		"_Huge": `() { range x from 1 to 100000000000 step 1 }`,
	}
	c := funcCatalog{MapCatalog: MapCatalog{"Items": tab}, fns: map[string]*Function{}}
	for name, def := range defs {
		f, err := ParseFunction(name, def)
		if err != nil {
			t.Fatal(err)
		}
		c.fns[name] = f
	}
	return c
}

// TestStoredFunctions: a catalog's stored functions run by name with
// positional and named arguments and defaults, read the catalog's tables
// (not the caller's lets), and refuse arguments of the wrong type.
func TestStoredFunctions(t *testing.T) {
	cat := storedCatalog(t)
	cases := map[string]string{
		`_GetItems('vip') | order by Key asc | project Key`:                                         "ann,bob",
		`_GetItems(alias='other') | project Key`:                                                    "cid",
		`_GetItems('nobody') | count`:                                                               "0",
		`let Items = datatable(Key:string)["mine"]; _GetItems('vip') | count`:                       "2",
		`_Recent(starttime=ago(3h)) | order by Key asc`:                                             "ann,cid",
		`_Recent(keys=dynamic(["bob"]))`:                                                            "bob",
		`_Recent(big=true, minsize=25)`:                                                             "cid",
		`_Recent(big=true, minsize=25) | join kind=inner (_GetItems('other')) on Key | project Key`: "cid",
		`print n = toscalar(_GetItems('vip') | count)`:                                              "2",
		`_Recent(ago(3h), minsize=15, big=true)`:                                                    "cid",
		`Items | where Key in (_GetItems('vip') | project Key) | count`:                             "2",
	}
	for q, want := range cases {
		res, err := Query(context.Background(), q, cat, fixedOpts())
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		var got []string
		for _, row := range res.Rows() {
			got = append(got, fmt.Sprint(row[0]))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s = %v, want %s", q, got, want)
		}
	}
}

// TestStoredFunctionErrors: wrong argument types, unknown parameter names
// and unknown functions fail with errors that name what to fix; a stored
// function's work counts against the query's budget.
func TestStoredFunctionErrors(t *testing.T) {
	cat := storedCatalog(t)
	cases := map[string]string{
		`_Recent(starttime='yesterday')`:   "the argument for parameter 'starttime' must have the type datetime, but it has the type string",
		`_Recent(keys='bob')`:              "parameter 'keys' must have the type dynamic, but it has the type string",
		`_Recent(big=1)`:                   "parameter 'big' must have the type bool",
		`_Recent(minsize=25)`:              "", // int widens to real
		`_Recent(since=ago(1d))`:           "no parameter named 'since' (parameters: starttime, keys, big, minsize)",
		`_Recent(big=true, big=false)`:     "parameter 'big' given twice",
		`_Recent(big=true, ago(1d))`:       "a positional argument follows a named one",
		`_GetItems('a', 'b')`:              "too many arguments",
		`_GetItems()`:                      "missing argument alias",
		`_Missing(1) | take 1`:             "unknown function _Missing()",
		`Items | join (_Missing()) on Key`: "unknown function _Missing()",
	}
	for q, want := range cases {
		_, err := Query(context.Background(), q, cat, fixedOpts())
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", q, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want an error containing %q", q, err, want)
		}
	}
	_, err := Query(context.Background(), `_Missing()`, cat, fixedOpts())
	if !errors.Is(err, ErrUnknownTable) {
		t.Errorf("unknown function: %v, want ErrUnknownTable", err)
	}
	// Without stored functions the old wording stays.
	_, err = Query(context.Background(), `_Missing()`, MapCatalog{}, fixedOpts())
	if err == nil || !strings.Contains(err.Error(), "is not a tabular function") {
		t.Errorf("no function catalog: %v", err)
	}
	opts := fixedOpts()
	opts.Budget = smallBudget
	_, err = Query(context.Background(), `_Huge() | count`, cat, opts)
	if !errors.Is(err, ErrLimit) {
		t.Errorf("a stored function's rows escape the budget: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	opts.Budget = Budget{}
	start, cpu0 := time.Now(), cputime.Used()
	_, err = Query(ctx, `_Huge() | summarize count() by x % 7`, cat, opts)
	// CPU time, not the clock, which a loaded machine stretches (see
	// TestDeadlineStopsLongWork).
	if cpu, d := cputime.Used()-cpu0, time.Since(start); !errors.Is(err, context.DeadlineExceeded) || cpu > time.Second || d > 30*time.Second {
		t.Errorf("deadline inside a stored function: %v after %v of CPU time, %v on the clock", err, cpu, d)
	}
}

// TestParseFunctionErrors: a definition that does not parse is refused.
func TestParseFunctionErrors(t *testing.T) {
	for _, def := range []string{`(x:string) { Items | where }`, `Items | take 1`, `(x:string`} {
		if _, err := ParseFunction("_F", def); err == nil {
			t.Errorf("%q parsed", def)
		}
	}
}

// TestUnicodeCodepoints: unicode_codepoints_to_string and its reverse.
func TestUnicodeCodepoints(t *testing.T) {
	cases := map[string]string{
		`print s = unicode_codepoints_to_string(75, 117, 115, 116, 111)`:                    "Kusto",
		`print s = unicode_codepoints_to_string(dynamic([49, 46, 50]))`:                     "1.2",
		`print s = unicode_codepoints_to_string(dynamic([75, 117]), 115)`:                   "Kus",
		`print s = unicode_codepoints_to_string(-1)`:                                        "",
		`print s = unicode_codepoints_to_string(unicode_codepoints_from_string("héllo ✓"))`: "héllo ✓",
		`print s = tostring(unicode_codepoints_from_string("Ab"))`:                          "[65,98]",
	}
	for q, want := range cases {
		res, err := Query(context.Background(), q, MapCatalog{}, fixedOpts())
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if got := fmt.Sprint(res.Rows()[0][0]); got != want {
			t.Errorf("%s = %q, want %q", q, got, want)
		}
	}
}

// TestHasIPv4: the has_*ipv4* functions find delimited addresses and
// prefixes as documented.
func TestHasIPv4(t *testing.T) {
	cases := map[string]bool{
		`has_ipv4('from 10.1.2.3, then', '10.1.2.3')`:                   true,
		`has_ipv4('from 110.1.2.34 then', '10.1.2.3')`:                  false,
		`has_ipv4('id10.1.2.3', '10.1.2.3')`:                            false,
		`has_ipv4_prefix('10.1.2.3', '10.1.')`:                          true,
		`has_ipv4_prefix('10.1.2.3', '10.1')`:                           false,
		`has_ipv4_prefix('10.12.2.3', '10.1.')`:                         false,
		`has_any_ipv4_prefix('10.1.2.3', dynamic(['192.168.', '10.']))`: true,
		`has_any_ipv4_prefix('10.1.2.3', '192.168.', '10.1.2.3')`:       true,
		`has_any_ipv4_prefix('10.1.2.3', dynamic([]))`:                  false,
		`has_any_ipv4('a 8.8.8.8 b', dynamic(['1.1.1.1', '8.8.8.8']))`:  true,
		`has_any_ipv4('a 8.8.8.8 b', dynamic(['8.8.8.']))`:              false,
	}
	for expr, want := range cases {
		res, err := Query(context.Background(), "print r = "+expr, MapCatalog{}, fixedOpts())
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if got := res.Rows()[0][0]; got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
}
