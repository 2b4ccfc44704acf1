package psdeob

import (
	"runtime"
	"strings"
	"testing"
)

// TestParseCostFactor checks parseBytesPerByte against the memory a parsed
// script really keeps, for dense, token-heavy text (the worst case for the
// ratio of syntax tree to source).
func TestParseCostFactor(t *testing.T) {
	for _, line := range []string{
		"$a=1;$b=2;$c=$a+$b;",
		"iex ((('{0}{1}' -f 'a','b') -replace 'x','y') + [char]65);",
		"$x = @(1,2,3,4,5,6,7,8,9,0);",
		"a b c d e f g h i j k l m n o p;",
		"(((((((((1)))))))));",
	} {
		src := strings.Repeat(line+"\n", 20000)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		body := parseScript(src)
		runtime.ReadMemStats(&m1)
		var m2 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m2)
		runtime.KeepAlive(body)
		ratio := float64(m2.HeapAlloc-m0.HeapAlloc) / float64(len(src))
		t.Logf("%-60q %5.1f bytes kept, %5.1f allocated per source byte", line, ratio, float64(m1.TotalAlloc-m0.TotalAlloc)/float64(len(src)))
		if ratio > 2*parseBytesPerByte {
			t.Errorf("%q: a parsed script keeps %.1f bytes per source byte; parseBytesPerByte (%d) is too low", line, ratio, parseBytesPerByte)
		}
	}
}
