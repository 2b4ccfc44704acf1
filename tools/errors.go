package tools

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
)

// ToolError is an error the caller (usually a model) can act on: it is
// returned as a tool result with isError set and its message verbatim.
type ToolError struct {
	Msg string
	// RetryAfter is set for rate-limit refusals.
	RetryAfter time.Duration
	// Kind classifies the outcome for the audit log: invalid_argument,
	// not_found, refused, rate_limited, upstream.
	Kind string
}

func (e *ToolError) Error() string { return e.Msg }

// Errorf returns a *ToolError with an invalid_argument kind.
func Errorf(format string, args ...any) error {
	return &ToolError{Msg: fmt.Sprintf(format, args...), Kind: "invalid_argument"}
}

// NotFound returns a *ToolError saying the object does not exist in the
// current tenant. It is worded the same whether the ID exists in another
// tenant or nowhere, so it reveals nothing about other tenants.
func NotFound(kind, id, tenantAlias string) error {
	return &ToolError{
		Msg:  fmt.Sprintf("%s %q was not found in tenant %q; check the ID (list them with the matching list tool)", kind, id, tenantAlias),
		Kind: "not_found",
	}
}

// FromSource maps errors of the source layer to tool errors where the caller
// can act (not found, throttled); other errors pass through unchanged.
func FromSource(err error, kind, id, tenantAlias string) error {
	var te *source.ThrottledError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, source.ErrNotFound):
		return NotFound(kind, id, tenantAlias)
	case errors.Is(err, source.ErrInvalid):
		return &ToolError{Msg: strings.TrimPrefix(err.Error(), "graph: "), Kind: "invalid_argument"}
	case errors.As(err, &te):
		return &ToolError{
			Msg:        fmt.Sprintf("%s is throttling tenant %q; retry after %s", te.Service, tenantAlias, ratelimit.RetryText(te.RetryAfter)),
			RetryAfter: te.RetryAfter, Kind: "rate_limited",
		}
	}
	return err
}
