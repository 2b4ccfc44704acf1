package psdeob

import (
	"context"
	"os"
	"testing"
)

func TestDebugSnippet(t *testing.T) {
	src := os.Getenv("PSDEBUG")
	if src == "" {
		t.Skip("set PSDEBUG")
	}
	a, err := Analyze(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range a.Layers {
		t.Logf("layer %d [%s]: %s", l.Index, l.Method, l.Text)
	}
	t.Logf("ind=%v", a.Indicators)
}

func TestDebugEval(t *testing.T) {
	src := os.Getenv("PSEVAL")
	if src == "" {
		t.Skip("set PSEVAL")
	}
	e := newEvaluator(context.Background(), Limits{})
	e.layers = []Layer{{Text: src}}
	for _, s := range parseScript(src) {
		v, _ := e.runStmt(s)
		t.Logf("%T %#v", s, v)
	}
}

func TestDebugParse(t *testing.T) {
	src := os.Getenv("PSPARSE")
	if src == "" {
		t.Skip("set PSPARSE")
	}
	for _, tk := range pstokenTokenize(src) {
		t.Logf("tok %d %q sp=%v", tk.Kind, tk.Text, tk.SpaceBefore)
	}
	for _, s := range parseScript(src) {
		t.Logf("%s", dumpNode(s, 0))
	}
}
