package nl2kql

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cputime"
)

// Questions at the size or word limit, one per stage that grows with the input:
// each is answered (or refused) in bounded time and memory.
var hostileQuestions = map[string]string{
	"repeated phrase": strings.Repeat("processes launched by powershell.exe on CT-LT-1037 ", 160),
	"open quotes":     strings.Repeat(`"a`, 4000),
	"dashes":          strings.Repeat("-", 8000),
	"addresses":       strings.Repeat("10.1.2.3 a@b.com ", 8000/17),
	"time phrases":    strings.Repeat("in the last 5 days between 2024-01-01 and 2024-02-01 ", 99),
	"file names":      strings.Repeat("abcdefgh.exe ", 615),
	"one word":        strings.Repeat("x", 8000),
}

func TestHostileQuestionsBounded(t *testing.T) {
	s := New(Options{})
	for name, q := range hostileQuestions {
		t.Run(name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			start, cpu0 := time.Now(), cputime.Used()
			_, err := s.Generate(context.Background(), Request{Question: q})
			took, cpu := time.Since(start), cputime.Used()-cpu0
			runtime.ReadMemStats(&m1)
			if err != nil && !errors.Is(err, ErrNoTable) {
				t.Fatalf("Generate: %v", err)
			}
			// CPU time: a loaded machine stretches the clock, not the work.
			if cpu > 5*time.Second {
				t.Errorf("took %s of CPU time (%s on the clock)", cpu, took)
			}
			if grew := int64(m1.HeapAlloc) - int64(m0.HeapAlloc); grew > 256<<20 {
				t.Errorf("heap grew by %d MiB", grew>>20)
			}
			t.Logf("%d bytes: %s (%s CPU)", len(q), took.Round(time.Millisecond), cpu.Round(time.Millisecond))
		})
	}
}

func TestLimitsRefuseBeforeWork(t *testing.T) {
	s := New(Options{})
	for in, want := range map[*Request]string{
		{Question: strings.Repeat("sign-ins ", 2000)}:                      "too large: the question is 18000 bytes (limit 8192)",
		{Question: strings.Repeat("a ", 1500)}:                             "too large: the question has more than 1000 words (limit 1000)",
		{Question: "sign-ins", Tables: make([]string, 17)}:                 "too large: 17 table hints (limit 16)",
		{Question: "sign-ins", Tables: []string{strings.Repeat("T", 200)}}: "too large: a table hint of 200 bytes (limit 128)",
	} {
		start, cpu0 := time.Now(), cputime.Used()
		_, err := s.Generate(context.Background(), *in)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
		// CPU time: on a loaded machine the clock can pass 50 ms while the
		// process waits for a core, however little it does.
		if cpu := cputime.Used() - cpu0; cpu > 50*time.Millisecond {
			t.Errorf("refusal took %s of CPU time (%s on the clock)", cpu, time.Since(start))
		}
	}
	small := New(Options{Limits: Limits{QuestionBytes: 10}})
	if _, err := small.Generate(context.Background(), Request{Question: "failed sign-ins by user"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Limits.QuestionBytes not applied: %v", err)
	}
}

func TestDeadlineStopsPlanning(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Options{}).Generate(ctx, Request{Question: "failed sign-ins by user in the last 24 hours"})
	if !errors.Is(err, ErrTooSlow) || !strings.Contains(err.Error(), "too slow: ") {
		t.Fatalf("error %v, want too slow", err)
	}
}

func TestModelQueryBounded(t *testing.T) {
	s := New(Options{})
	huge := "```kql\nSigninLogs | where " + strings.Repeat("UserPrincipalName == 'a' or ", 5000) + "true\n```"
	mg := &ModelGenerator{Label: "test", Fallback: s.DefaultGenerator(), Checker: s.Checker(),
		Complete: func(context.Context, string, string) (string, error) { return huge, nil }}
	res, err := s.GenerateWith(context.Background(), Request{Question: "failed sign-ins by user"}, mg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mg.Used, "over the 65536-byte limit") || len(res.Query) > DefaultQueryBytes {
		t.Fatalf("used %q, query %d bytes", mg.Used, len(res.Query))
	}
}
