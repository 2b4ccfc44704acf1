package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBudgetStoreFlag: --budget-store defaults to memory, comes from
// SECMCP_BUDGET_STORE, and a bad URL is refused naming the flag without
// repeating the password.
func TestBudgetStoreFlag(t *testing.T) {
	none := func(string) string { return "" }
	if o, err := parseFlags(nil, none, &bytes.Buffer{}); err != nil || o.budgetStore != "memory" {
		t.Fatalf("default: %q %v", o.budgetStore, err)
	}
	env := map[string]string{"SECMCP_BUDGET_STORE": "redis://:pw@10.0.0.5:6379/2?replicas=3"}
	if o, err := parseFlags(nil, func(k string) string { return env[k] }, &bytes.Buffer{}); err != nil || o.budgetStore != env["SECMCP_BUDGET_STORE"] {
		t.Fatalf("env: %q %v", o.budgetStore, err)
	}
	for _, bad := range []string{"mysql://:hunter22@db/0", "redis://:hunter22@host:6379/zero", "redis://:hunter22@host/0?replicas=-1", "hunter22"} {
		_, err := parseFlags([]string{"--budget-store", bad}, none, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "--budget-store") || strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%s: %v (want an error naming --budget-store, without the password)", bad, err)
		}
	}
}
