package nl2kql

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDebugQuestions(t *testing.T) {
	if os.Getenv("NL2KQL_DEBUG") == "" {
		t.Skip("set NL2KQL_DEBUG=\"question;question\" (and optionally NL2KQL_TARGET=defender or sentinel) to print the plan and query for each question")
	}
	s := New(Options{})
	qs := strings.Split(os.Getenv("NL2KQL_DEBUG"), ";")
	for _, q := range qs {
		r, err := s.Generate(context.Background(), Request{Question: q, Target: os.Getenv("NL2KQL_TARGET")})
		if err != nil {
			fmt.Println("ERR", q, err)
			continue
		}
		fmt.Printf("Q: %s\nvalid=%v tables=%v intent=%+v concepts=%v ents=%v\n%s\nassume=%v repairs=%v\n", q, r.Valid, r.Tables, r.Plan.Intent, r.Plan.Concepts, r.Plan.Entities, r.Query, r.Assumptions, r.Repairs)
		for _, tc := range r.Plan.Tables {
			fmt.Printf("   %s %.1f %v\n", tc.Name, tc.Score, tc.Why)
		}
		for _, d := range r.Diagnostics {
			fmt.Println("   DIAG", d.Message)
		}
		fmt.Println()
	}
}
