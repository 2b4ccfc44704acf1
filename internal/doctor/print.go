package doctor

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Print writes the report as one table — endpoint, permission needed,
// result and what to do — then a numbered note per failed row with the
// service's own answer, the full advice and the tools affected.
func (r Report) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tENDPOINT\tPERMISSION NEEDED\tRESULT\tWHAT TO DO")
	var notes []string
	for _, row := range r.Rows {
		result, action := string(row.Status), "-"
		if row.Status == StatusMissingPermission {
			result = "missing permission " + row.Permission
		}
		if row.Status == StatusSkipped && row.Detail != "" {
			result += " (" + row.Detail + ")"
		}
		if row.Status.Failed() {
			notes = append(notes, fmt.Sprintf("[%d] %s %s: %s.\n    %s.", len(notes)+1, row.Tenant, row.Endpoint, answered(row), row.Todo))
			result += fmt.Sprintf(" [%d]", len(notes))
			action = shortTodo(row)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Tenant, row.Endpoint, row.Permission, oneLine(result), action)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(notes, "\n"))
	}
	failed := len(notes)
	var err error
	if failed == 0 {
		_, err = fmt.Fprintf(w, "\nall %d checks passed: every enabled tool can reach what it needs\n", len(r.Rows))
	} else {
		_, err = fmt.Fprintf(w, "\n%d of %d checks failed: the tools named in the notes cannot work until they are fixed\n", failed, len(r.Rows))
	}
	return err
}

// answered is the note's account of what the service said.
func answered(row Row) string {
	if row.Detail == "" {
		return string(row.Status)
	}
	if row.Status == StatusUnreachable || row.Status == StatusNoToken {
		return "no answer (" + row.Detail + ")"
	}
	return "the service answered " + strings.TrimRight(row.Detail, ".")
}

// shortTodo is the table's "what to do" cell; the note has the full advice.
func shortTodo(row Row) string {
	switch row.Status {
	case StatusMissingPermission:
		if row.Permission == needsOf("logAnalytics.query").Permission {
			return "assign Log Analytics Reader on the workspace"
		}
		return "grant " + row.Permission + " + admin consent"
	case StatusNotLicensed:
		return "license it, or --exclude-tools the tools"
	case StatusUnreachable:
		return "check the network path / endpoints:"
	case StatusThrottled:
		return "run doctor again later"
	case StatusNotFound:
		return "check the endpoint settings"
	case StatusNoToken:
		return "fix the credential"
	}
	return "see the note"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
