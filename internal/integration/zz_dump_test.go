package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// TestZZDump prints tool output for DUMP='tenant tool {json}' lines (local only).
func TestZZDump(t *testing.T) {
	spec := os.Getenv("DUMP")
	if spec == "" {
		t.Skip("DUMP unset")
	}
	var calls [][3]string
	if err := json.Unmarshal([]byte(spec), &calls); err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		var args map[string]any
		_ = json.Unmarshal([]byte(c[2]), &args)
		x := h(t)
		if c[1] == "investigate" {
			x = sh(t)
		}
		js, text, err := x.call(t, c[0], c[1], args)
		fmt.Printf("===== %s %s %s\nERR: %v\n%s\n", c[0], c[1], c[2], err, text)
		if os.Getenv("DUMPJSON") != "" {
			fmt.Printf("--- json\n%s\n", js)
		}
	}
}
