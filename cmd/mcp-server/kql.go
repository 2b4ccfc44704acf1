package main

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// validateKQL refuses a query with syntax errors before it is sent upstream,
// quoting the first error with its position.
func validateKQL(q string) error {
	_, diags := syntax.Parse(q)
	var errs []string
	for _, d := range diags {
		if d.Severity == syntax.SeverityError {
			errs = append(errs, fmt.Sprintf("at offset %d: %s", d.Start, d.Message))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("KQL syntax error %s (fix it, or check it with kql_validate)", strings.Join(errs[:min(3, len(errs))], "; "))
	}
	return nil
}
