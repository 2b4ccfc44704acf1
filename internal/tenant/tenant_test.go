package tenant

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

func TestResolveAndSources(t *testing.T) {
	opens := 0
	a := New("alpha", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(ratelimit.Default), func(context.Context) (*Sources, error) {
		opens++
		if opens == 1 {
			return nil, errors.New("transient")
		}
		return &Sources{}, nil
	})
	b := New("beta", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, err := NewRegistry(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRegistry(a, New("ALPHA", "", "demo", true, nil, nil)); err == nil {
		t.Fatal("duplicate alias accepted")
	}
	if got, _ := reg.Resolve([]string{"beta", "alpha"}, ""); got != a {
		t.Fatal("default must be the first allowed tenant in registry order")
	}
	if got, _ := reg.Resolve([]string{"*"}, "22222222-2222-4222-8222-222222222222"); got != b {
		t.Fatal("resolve by tenant ID")
	}
	_, e1 := reg.Resolve([]string{"alpha"}, "beta")
	_, e2 := reg.Resolve([]string{"alpha"}, "gamma")
	if !errors.Is(e1, ErrNotAllowed) || strings.Replace(e1.Error(), "beta", "X", 1) != strings.Replace(e2.Error(), "gamma", "X", 1) {
		t.Fatalf("refusals must not reveal existence: %v / %v", e1, e2)
	}
	// The refusal says it once (not "tenant not available to this caller:
	// tenant "beta" is not available to this caller").
	if want := `tenant "beta" is not available to this caller; use one of: alpha`; e1.Error() != want {
		t.Fatalf("refusal = %q, want %q", e1, want)
	}
	if _, err := reg.Resolve(nil, ""); !errors.Is(err, ErrNotAllowed) || strings.Count(err.Error(), "not available") > 0 {
		t.Fatal("a caller with no tenants must be refused")
	}
	// A failed open is retried on the next use; a success is kept.
	if _, err := a.Sources(context.Background()); err == nil {
		t.Fatal("first open should fail")
	}
	for i := 0; i < 2; i++ {
		if _, err := a.Sources(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if opens != 2 {
		t.Fatalf("opened %d times, want 2", opens)
	}
	if _, err := b.Sources(context.Background()); err == nil {
		t.Fatal("a tenant without an opener must say so")
	}
}
