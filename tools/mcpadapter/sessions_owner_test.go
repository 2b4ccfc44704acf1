package mcpadapter

import (
	"testing"

	"github.com/secmcp/secmcp/tools"
)

// TestOwnerOf: a session's owner is the principal and its tenant set — the
// short paths for no or one tenant give what the general one does, the
// order of tenants does not matter, and another principal or tenant set is
// another owner.
func TestOwnerOf(t *testing.T) {
	c := func(p string, ts ...string) tools.Caller { return tools.Caller{Principal: p, Tenants: ts} }
	same := [][2]tools.Caller{
		{c("alice", "contoso", "fabrikam"), c("alice", "fabrikam", "contoso")},
		{c("alice", "contoso"), c("alice", "contoso")},
		{c("alice"), c("alice")},
	}
	for _, p := range same {
		if ownerOf(p[0]) != ownerOf(p[1]) {
			t.Errorf("%+v and %+v should be one owner", p[0], p[1])
		}
	}
	differ := [][2]tools.Caller{
		{c("alice", "contoso"), c("bob", "contoso")},
		{c("alice", "contoso"), c("alice", "fabrikam")},
		{c("alice", "contoso"), c("alice", "contoso", "fabrikam")},
		{c("alice"), c("alice", "contoso")},
		{c("alice", "contoso"), c("alice\x00contoso")},
	}
	for _, p := range differ {
		if ownerOf(p[0]) == ownerOf(p[1]) {
			t.Errorf("%+v and %+v must be different owners", p[0], p[1])
		}
	}
	// checkOwner, which the table uses on every request, agrees with
	// comparing ownerOf strings on every pair, both ways.
	for _, p := range append(same, differ...) {
		for _, q := range [][2]tools.Caller{p, {p[1], p[0]}, {p[0], p[0]}} {
			if got, want := checkOwner(q[0]).is(ownerOf(q[1])), ownerOf(q[0]) == ownerOf(q[1]); got != want {
				t.Errorf("checkOwner(%+v).is(ownerOf(%+v)) = %v, want %v", q[0], q[1], got, want)
			}
		}
	}
	if got, want := ownerOf(c("alice", "contoso")), owner("alice\x00contoso"); got != want {
		t.Errorf("one tenant: %q, want %q (as the general path writes it)", got, want)
	}
}
