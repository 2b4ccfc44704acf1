package psdeob

import (
	"context"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"iex ('a'+'b')", "powershell -enc SQBFAFgA", `"{1}{0}" -f 'a','b' | iex`, "${+ }=+$();${x}=${+ }",
		"[char[]](72,105) -join ''", "cmd /c \"set x=1&&echo %x%\"", "@'\nhere\n'@", "$a[-1..-5]", "'x' -replace '(', ''",
		"[Convert]::FromBase64String('!!!')", "& { param($a) iex $a } 'q'", "`", "\"$(\"", "0x", "-join",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		a, err := Analyze(ctx, s, Options{Timeout: time.Second})
		if err != nil {
			if !errors.Is(err, ErrInputTooLarge) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if len(a.Layers) == 0 || utf8.ValidString(s) && len(s) < 256<<10 && a.Layers[0].Text != s {
			t.Fatalf("layer 0 must be the input")
		}
	})
}
