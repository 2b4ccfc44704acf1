package psdeob

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
)

// hostileScripts are short scripts that build huge values or take long, one
// or more per class of the bug they pin (a few hundred bytes that grew to
// gigabytes and ran past the deadline). Each must be refused or answered
// within its deadline, under its byte budget.
var hostileScripts = map[string]string{
	"string repeat":           `$s = 'a' * 1e9`,
	"string repeat chain":     `$s = ('ab' * 1e6) * 1e3`,
	"replace doubling":        `$s = 'ab'; 1..40 | % { $s = $s -replace 'a','aa' }`,
	"replace group doubling":  `$s = 'ab'; foreach ($i in 1..40) { $s = $s -replace '(a)','$1$1' }`,
	"Replace method doubling": `$s = 'ab'; 1..40 | % { $s = $s.Replace('a','aa') }`,
	"+= string doubling":      `$s = 'x'; for ($i = 0; $i -lt 60; $i++) { $s += $s }`,
	"+ string doubling":       `$s = 'x'; for ($i = 0; $i -lt 60; $i++) { $s = $s + $s }`,
	"range huge":              `$x = 1..1e9`,
	"range in loop":           `for ($i = 0; $i -lt 1000; $i++) { $x = 1..1e6 }`,
	"array doubling *":        `$a = @(1); for ($i = 0; $i -lt 60; $i++) { $a = $a * 2 }`,
	"array doubling +=":       `$a = @(1,2); for ($i = 0; $i -lt 60; $i++) { $a += $a }`,
	"array repeat":            `$a = @(1,2,3) * 1e9`,
	"join chain":              `$s = 'abc'; 1..40 | % { $s = ($s, $s) -join $s }`,
	"join of range":           `$s = (1..2e6) -join ('x' * 1000)`,
	"unary join":              `$s = -join (1..3e6)`,
	"String.new":              `$s = [string]::new('a', 1e9)`,
	"New-Object String":       `$s = New-Object String('a', 1e9)`,
	"PadLeft":                 `$s = 'a'.PadLeft(1e9)`,
	"PadLeft in loop":         `for ($i = 0; $i -lt 100000; $i++) { $s = 'a'.PadLeft(65536) }`,
	"nested loops":            `$s = ''; foreach ($i in 1..4000) { foreach ($j in 1..4000) { $s += 'xxxxxxxxxx' } }`,
	"nested while":            `$i = 0; while ($true) { $j = 0; while ($j -lt 1e9) { $j++ }; $i++ }`,
	"char array":              `$c = ('a' * 6e7).ToCharArray(); $d = [char[]]('b' * 6e7)`,
	"split everything":        `$p = ('a' * 6e7) -split ''`,
	"format":                  `$s = '{0}{0}{0}{0}' -f ('a' * 3e7)`,
	"expansion":               `$a = 'a' * 3e7; $s = "$a$a$a$a"`,
	"subexpression range":     `$s = "$(1..1e8)"`,
	"byte buffer":             `$b = [byte[]]::new(1e10); $c = New-Object byte[] 1e10`,
	"base64 of buffer":        `$s = [Convert]::ToBase64String([byte[]]::new(6e7))`,
	"iex layer bomb":          `iex ('#' * 6e7)`,
	"iex doubling":            `$c = 'write-host 1;'; for ($i = 0; $i -lt 40; $i++) { $c += $c }; iex $c`,
	"hashtable growth":        `$h = @{}; for ($i = 0; $i -lt 1e9; $i++) { $h["key$i"] = 'v' * 100 }`,
	"regex matches":           `$m = [regex]::Matches(('a' * 6e7), 'a')`,
	"regex split":             `$m = [regex]::Split(('a' * 6e7), '')`,
	"match loop":              `$s = 'a' * 2e5; while ($true) { $null = $s -match 'a*a*b' }`,
	"match huge":              `$s = 'a' * 1e7; $null = $s -match 'a*a*b'`,
	"index range":             `$s = 'a' * 1e6; $t = $s[0..1e9]`,
	"index loop":              `$s = 'é' * 1e6; for ($i = 0; $i -lt 1e9; $i++) { $c = $s[$i] }`,
	"recursion":               `function f($x) { f ($x + $x) }; f 'ab'`,
	"scriptblock create":      `$c = 'a' * 3e7; $b = [scriptblock]::Create($c)`,
	"hashtable doubling":      `$h = @{a = 1}; for ($i = 0; $i -lt 60; $i++) { $h = $h + $h }`,
	"cmd set doubling":        `cmd /c "set a=xxxxxxxx` + strings.Repeat(`&set a=%a%%a%`, 40) + `&echo %a%"`,
	"env expansion doubling":  `$env:a = 'x' * 1e6; $s = [Environment]::ExpandEnvironmentVariables('%a%' * 100)`,
}

// hostileLimits is a budget smaller than the defaults, so the tests are fast.
// hostileMayFinish are the classes the evaluator's fixed loop bounds end
// before any budget is reached (the loop's result is then unknown).
var hostileMayFinish = map[string]bool{"nested while": true}

var hostileLimits = Limits{Bytes: 16 << 20, Steps: 1_000_000}

const hostileTimeout = 2 * time.Second

// heapPeak samples the heap in use while f runs and returns how far it grew
// above where it was before f began, and the bytes f's goroutine (and any
// other) allocated in all.
func heapPeak(f func()) (peak, allocs uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	read := func() (uint64, uint64) {
		metrics.Read(s)
		return s[0].Value.Uint64(), s[1].Value.Uint64()
	}
	runtime.GC()
	base, alloc0 := read()
	var top atomic.Uint64
	top.Store(base)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if h, _ := read(); h > top.Load() {
					top.Store(h)
				}
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	h, alloc1 := read()
	if h > top.Load() {
		top.Store(h)
	}
	return top.Load() - base, alloc1 - alloc0
}

// heapBound is the most a budgeted analysis may grow the heap: the values it
// is allowed to build, the garbage a collection cycle may leave beside them
// (GOGC=100 lets the heap double), the syntax tree of the input, and a fixed
// allowance for the findings and the runtime.
func heapBound(l Limits, input int) uint64 {
	return uint64(3*l.Bytes) + uint64(input)*400 + 48<<20
}

func TestHostileScriptsStayInBudget(t *testing.T) {
	for name, script := range hostileScripts {
		t.Run(name, func(t *testing.T) {
			var a *Analysis
			var err error
			start, cpu0 := time.Now(), cputime.Used()
			peak, _ := heapPeak(func() {
				a, err = Analyze(context.Background(), script, Options{Timeout: hostileTimeout, Limits: hostileLimits})
			})
			took, cpu := time.Since(start), cputime.Used()-cpu0
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			// CPU time, as in FuzzAnalyzeBudget: the clock of a loaded
			// machine says little about when the work stopped.
			if cpu > 2*(hostileTimeout+fuzzSlack) || took > hostileTimeout+15*time.Second {
				t.Errorf("took %s of CPU, %s on the clock; the deadline was %s", cpu, took, hostileTimeout)
			}
			if a.Used.Bytes > hostileLimits.Bytes {
				t.Errorf("built %d bytes of values; the budget is %d", a.Used.Bytes, hostileLimits.Bytes)
			}
			if b := heapBound(hostileLimits, len(script)); peak > b {
				t.Errorf("heap grew by %d MiB; the bound is %d MiB", peak>>20, b>>20)
			}
			if a.Limit == nil && hostileMayFinish[name] {
				return
			}
			if a.Limit == nil || a.Incomplete == "" {
				t.Fatalf("no limit reported (used %+v, %s)", a.Used, took)
			}
			msg := a.Incomplete
			switch {
			case errors.Is(a.Limit, ErrTooLarge):
				if !strings.HasPrefix(msg, "too large: ") || !strings.Contains(msg, "(limit ") {
					t.Errorf("message does not name the limit: %s", msg)
				}
			case errors.Is(a.Limit, ErrTooSlow):
				if !strings.HasPrefix(msg, "too slow: ") {
					t.Errorf("message does not say too slow: %s", msg)
				}
			default:
				t.Errorf("limit is neither too large nor too slow: %v", a.Limit)
			}
			if a.Verdict == VerdictBenign {
				t.Errorf("a script cut by the budget is called %s; it was not analysed to the end", a.Verdict)
			}
			if !strings.Contains(a.Explanation, a.Incomplete) {
				t.Errorf("the walk-through does not say the analysis was cut: %s", a.Explanation)
			}
			t.Logf("%s (CPU %s), heap +%d MiB, used %+v: %.90s", took.Round(time.Millisecond), cpu.Round(time.Millisecond), peak>>20, a.Used, msg)
		})
	}
}

func TestLiteralOf(t *testing.T) {
	for p, want := range map[string]bool{"(?i)!": true, "(?i)a": false, "a": true, "a+": false, `(?i)\.`: true, "(?i)12": true, "": false} {
		if _, ok := literalOf(regexp.MustCompile(p)); ok != want {
			t.Errorf("literalOf(%q) = %v, want %v", p, ok, want)
		}
	}
}

// A literal -replace over a payload larger than maxRegexSubject still
// decodes: literal patterns do not go through the regexp engine.
func TestLiteralReplaceOverRegexCap(t *testing.T) {
	script := `$s = ('!' * 400000) + 'Write-Host done'; iex ($s -replace '!','')`
	a, err := Analyze(context.Background(), script, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Layers) != 2 || a.Layers[1].Text != "Write-Host done" || a.Incomplete != "" {
		t.Fatalf("layers %d, incomplete %q", len(a.Layers), a.Incomplete)
	}
}
