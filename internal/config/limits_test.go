package config

import (
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	c, err := Parse(strings.NewReader(valid + "limits: {kqlBytes: 67108864, kqlCells: 4000000, kqlRows: 2000000}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.KQLBytes != 64<<20 || c.Limits.KQLCells != 4_000_000 || c.Limits.KQLRows != 2_000_000 {
		t.Fatalf("%+v", c.Limits)
	}
	for doc, want := range map[string]string{
		"limits: {kqlBytes: 100}":         "limits.kqlBytes: 100 is outside 1048576..",
		"limits: {kqlRows: -1}":           "limits.kqlRows: -1 is outside",
		"limits: {kqlCells: 99999999999}": "limits.kqlCells: 99999999999 is outside 1000..1073741824",
		"limits: {kqlCellz: 5000}":        "field kqlCellz not found",
	} {
		if _, err := Parse(strings.NewReader(valid + doc + "\n")); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", doc, err, want)
		}
	}
}
