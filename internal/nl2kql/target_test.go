package nl2kql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kqlcheck"
)

// TestTargetGetsOnlyItsTables: a Defender target never gets a table only
// Sentinel has, a Sentinel target never one only Advanced Hunting has, and
// every query validates in its target's own schema.
func TestTargetGetsOnlyItsTables(t *testing.T) {
	svc := New(Options{})
	questions := []string{
		"failed sign-ins in the last 24 hours",
		"alerts raised in the last 7 days by severity",
		"Azure subscription role assignments in the last 30 days",
		"inbox rules created in the last week",
		"users with risky sign-ins and their alerts",
		"devices missing the patch for CVE-2024-38063",
		"software installed on devices that is end of support",
		"which users had a password spray alert in the last seven days",
	}
	for _, target := range []string{PlatformDefender, PlatformSentinel} {
		for _, q := range questions {
			res, err := svc.Generate(context.Background(), Request{Question: q, Target: target})
			if errors.Is(err, ErrNoTable) && target == PlatformDefender && strings.Contains(q, "Azure subscription") {
				continue // Advanced Hunting has no Azure control-plane table
			}
			if err != nil {
				t.Errorf("%s / %q: %v", target, q, err)
				continue
			}
			for _, tb := range res.Tables {
				ct, ok := catalog.Lookup(tb)
				if !ok || !ct.In(catalog.Product(target)) {
					t.Errorf("%s / %q reads %s, which %s lacks:\n%s", target, q, tb, target, res.Query)
				}
			}
			rep, _ := kqlcheck.Default().ValidateTarget(res.Query, target)
			if !rep.Valid || rep.Errors > 0 || !res.Valid || res.Product != target {
				t.Errorf("%s / %q: not valid in its target (%+v):\n%s", target, q, rep.Diagnostics, res.Query)
			}
		}
	}
}

// TestSnapshotTablesHaveNoTimeFilter: the DeviceTvm* tables have no time
// column in Advanced Hunting, so a query over them has no time filter.
func TestSnapshotTablesHaveNoTimeFilter(t *testing.T) {
	svc := New(Options{})
	for _, target := range []string{"", PlatformDefender} {
		res, err := svc.Generate(context.Background(), Request{Question: "devices exposed to CVE-2024-38063", Target: target})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Tables) == 0 || !strings.HasPrefix(res.Tables[0], "DeviceTvm") {
			t.Fatalf("target %q: tables %v", target, res.Tables)
		}
		if strings.Contains(res.Query, "TimeGenerated") || strings.Contains(res.Query, "Timestamp") || strings.Contains(res.Query, "ago(") {
			t.Errorf("target %q: snapshot table filtered by time:\n%s", target, res.Query)
		}
	}
}

// TestDevSetValidInEachTarget asks every dev-set question of each product:
// the query is valid in that product's own tables and columns (from the
// table catalogue), or no table of that product matches.
func TestDevSetValidInEachTarget(t *testing.T) {
	rows := loadDev(t)
	svc := New(Options{})
	for _, target := range []string{PlatformDefender, PlatformSentinel} {
		for _, r := range rows {
			res, err := svc.Generate(context.Background(), Request{Question: r.Question, Target: target})
			if errors.Is(err, ErrNoTable) {
				continue
			}
			if err != nil {
				t.Fatalf("%s %s: %v", target, r.ID, err)
			}
			rep, _ := kqlcheck.Default().ValidateTarget(res.Query, target)
			if !rep.Valid || rep.Errors > 0 {
				t.Errorf("%s %s: not valid in its target: %s", target, r.ID, rep.Diagnostics[0].Message)
			}
		}
	}
}
