// Command testsummary reads `go test -json` on stdin and prints what a
// person reading the log needs: one line per package (ok/FAIL), the full
// output of each failing test, and one line per skipped test with the reason
// it gave (for example the corpus tests, which skip when ../shared is absent).
// It exits 1 when any test or package failed.
//
// Usage: go test -json ./... | go run ./script/testsummary
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
	Elapsed    float64
}

func main() {
	out := map[string][]string{} // package/test -> output lines
	var skips []string
	failed := false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // not JSON: go's own message (e.g. a build failure)
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			fmt.Print(e.Output)
		case "output":
			out[key] = append(out[key], e.Output)
		case "skip":
			if e.Test != "" {
				skips = append(skips, fmt.Sprintf("SKIP %s %s: %s", e.Package, e.Test, skipReason(out[key])))
			}
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Printf("--- FAIL %s %s\n%s", e.Package, e.Test, strings.Join(out[key], ""))
			} else {
				fmt.Printf("FAIL\t%s\t%.1fs\n%s", e.Package, e.Elapsed, strings.Join(out[key], ""))
			}
		case "pass":
			if e.Test == "" {
				fmt.Printf("ok\t%s\t%.1fs\n", e.Package, e.Elapsed)
			}
		}
	}
	sort.Strings(skips)
	if len(skips) > 0 {
		fmt.Printf("%d test(s) skipped:\n%s\n", len(skips), strings.Join(skips, "\n"))
	}
	if failed {
		os.Exit(1)
	}
}

// skipReason is the message a skipped test gave: its output lines other
// than go test's own (=== RUN, --- SKIP, ...), without the file:line prefix.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		if i := strings.Index(t+" ", ": "); i > 0 && strings.Contains(t[:i], ".go:") {
			t = strings.TrimSpace(t[i+1:])
		}
		if t != "" {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}
