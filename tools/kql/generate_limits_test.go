package kql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/nl2kql"
	"github.com/secmcp/secmcp/tools"
)

// The planner's budget refusals reach the caller as tool errors that name
// the limit, not as internal errors.
func TestGenerateErrorLimits(t *testing.T) {
	_, tooLarge := nl2kql.New(nl2kql.Options{Limits: nl2kql.Limits{QuestionBytes: 10}}).Plan(nl2kql.Request{Question: "failed sign-ins by user"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, tooSlow := nl2kql.New(nl2kql.Options{}).PlanContext(ctx, nl2kql.Request{Question: "failed sign-ins by user"})
	for want, err := range map[string]error{"too large: the question is 23 bytes (limit 10)": tooLarge, "too slow: ": tooSlow} {
		var te *tools.ToolError
		if got := generateError(err); !errors.As(got, &te) || !strings.HasPrefix(got.Error(), strings.SplitN(want, ":", 2)[0]) || !strings.Contains(got.Error(), want) {
			t.Errorf("generateError(%v) = %v, want a tool error with %q", err, got, want)
		}
	}
}
