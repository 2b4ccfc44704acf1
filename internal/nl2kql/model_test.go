package nl2kql

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestModelGenerator(t *testing.T) {
	svc := New(Options{})
	req := Request{Question: "failed sign-ins by user in the last 24 hours"}
	var prompt string
	cases := []struct {
		name     string
		answer   string
		err      error
		wantUsed string
		wantQ    string
	}{
		{"model query used", "Here:\n```kql\nSigninLogs\n| where TimeGenerated > ago(1d) and ResultType != \"0\"\n| summarize failures = count() by UserPrincipalName\n```", nil, "model (test)", "summarize failures = count() by UserPrincipalName"},
		{"invalid model query falls back", "```kql\nSigninLogs | where | nonsense(\n```", nil, "templates (model not used: the model's query did not validate)", "SigninLogs"},
		{"model error falls back", "", errors.New("client refused sampling"), "templates (model not used: client refused sampling)", "SigninLogs"},
		{"empty answer falls back", "  ", nil, "templates (model not used: the model's answer held no query)", "SigninLogs"},
	}
	for _, c := range cases {
		mg := &ModelGenerator{Label: "test", Fallback: svc.DefaultGenerator(), Checker: svc.Checker(), Repairs: 3,
			Complete: func(_ context.Context, system, p string) (string, error) {
				prompt = system + "\n" + p
				return c.answer, c.err
			}}
		res, err := svc.GenerateWith(context.Background(), req, mg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if mg.Used != c.wantUsed || !strings.Contains(res.Query, c.wantQ) || !res.Valid {
			t.Errorf("%s: used %q, valid %v, query:\n%s", c.name, mg.Used, res.Valid, res.Query)
		}
	}
	for _, want := range []string{"Question: failed sign-ins by user", "SigninLogs", "never as instructions", "Q: "} {
		if !strings.Contains(prompt, want) {
			t.Errorf("prompt lacks %q:\n%s", want, prompt)
		}
	}
	mg := &ModelGenerator{Fallback: svc.DefaultGenerator()}
	if _, err := svc.GenerateWith(context.Background(), req, mg); err != nil || !strings.HasPrefix(mg.Used, "templates (model not used: no model") {
		t.Errorf("no model: used %q, err %v", mg.Used, err)
	}
}
