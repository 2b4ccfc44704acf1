package graph

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/source"
)

// TestForeignContinuationIsTheCallersError: a crafted cursor is refused as
// the caller's mistake (source.ErrInvalid, saying what to pass), not
// reported as a malformed response from Graph.
func TestForeignContinuationIsTheCallersError(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	c, ctx := ev.client["contoso"], context.Background()
	for _, link := range []string{"https://evil.example/v1.0/security/alerts_v2", "file:///etc/passwd"} {
		_, err := c.ListAlerts(ctx, source.AlertQuery{ListOptions: source.ListOptions{Continuation: link}})
		if !errors.Is(err, source.ErrInvalid) || strings.Contains(err.Error(), "malformed response") || !strings.Contains(err.Error(), "pass the cursor from the previous result unchanged") {
			t.Errorf("%s: %v", link, err)
		}
	}
}
