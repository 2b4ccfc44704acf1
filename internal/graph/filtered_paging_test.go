package graph

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/source"
)

// TestFilteredAlertsFillPages: a listing filtered by evidence (user or
// device) keeps reading Graph's pages until its page is full, never returns
// an empty page that claims more, and followed to the end returns exactly
// the alerts an unpaged scan finds, each once (emulator page size 3).
func TestFilteredAlertsFillPages(t *testing.T) {
	ten, err := fixtures.Load("contoso", time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ev := newEnv(t, []*fixtures.Tenant{ten}, func(o *fixtures.EmulatorOptions) { o.PageSize = 3 })
	c := ev.client["contoso"]
	ctx := context.Background()
	var all source.Page[source.Alert]
	for q := (source.AlertQuery{}); ; {
		p, err := c.ListAlerts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		all.Items = append(all.Items, p.Items...)
		if p.Next == "" {
			break
		}
		advance(&q.ListOptions, p.Next)
	}
	// The device and the user named in the most alerts' evidence.
	devices, users := map[string]int{}, map[string]int{}
	for _, a := range all.Items {
		seenHere := map[string]bool{}
		for _, e := range a.Evidence {
			if e.DeviceName != "" && !seenHere["d"+e.DeviceName] {
				seenHere["d"+e.DeviceName] = true
				devices[e.DeviceName]++
			}
			if e.UserPrincipalName != "" && !seenHere["u"+e.UserPrincipalName] {
				seenHere["u"+e.UserPrincipalName] = true
				users[e.UserPrincipalName]++
			}
		}
	}
	for _, q := range []source.AlertQuery{{Device: busiest(devices)}, {User: busiest(users)}} {
		want := map[string]bool{}
		for _, a := range all.Items {
			if evidenceMatches(a.Evidence, q.User, q.Device) {
				want[a.ID] = true
			}
		}
		if len(want) < 3 {
			t.Fatalf("%+v: only %d matching alerts in the demo data; pick a busier entity", q, len(want))
		}
		seen := map[string]bool{}
		q.Top = 2
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatalf("%+v: cursor chain did not end after %d pages", q, pages)
			}
			p, err := c.ListAlerts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) == 0 && p.Next != "" {
				t.Fatalf("%+v: empty page claims more (next %q)", q, p.Next)
			}
			if p.Next != "" && len(p.Items) < q.Top {
				t.Errorf("%+v: page of %d (< %d) claims more", q, len(p.Items), q.Top)
			}
			for _, a := range p.Items {
				if seen[a.ID] {
					t.Errorf("%+v: alert %s repeated", q, a.ID)
				}
				seen[a.ID] = true
			}
			if p.Next == "" {
				break
			}
			advance(&q.ListOptions, p.Next)
		}
		if len(seen) != len(want) {
			t.Errorf("%+v: paged %d alerts, an unpaged scan finds %d", q, len(seen), len(want))
		}
	}
}

// advance sets the options to resume at next: a $skip offset, or the
// upstream nextLink itself (followed as an opaque continuation).
func advance(o *source.ListOptions, next string) {
	if n, err := strconv.Atoi(next); err == nil {
		o.Skip, o.Continuation = n, ""
		return
	}
	o.Skip, o.Continuation = 0, next
}

func busiest(m map[string]int) string {
	best, n := "", 0
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}
