package syntax

import "fmt"

// Severity and kind values used in Diagnostic.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"

	KindSyntax = "syntax"
	KindSchema = "schema"
	KindGuard  = "guard"
)

// Diagnostic is a problem found in a query: a message a person can act on
// and the byte range [Start, Start+Length) it refers to. Severity is
// "error" or "warning"; Kind is "syntax", "schema" or "guard".
type Diagnostic struct {
	Message  string `json:"message"`
	Start    int    `json:"start"`
	Length   int    `json:"length"`
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Fix      *Fix   `json:"fix,omitempty"`
}

// Fix is a suggested edit: replace [Start, Start+Length) with Replacement.
type Fix struct {
	Title       string `json:"title"`
	Start       int    `json:"start"`
	Length      int    `json:"length"`
	Replacement string `json:"replacement"`
}

// String renders the diagnostic as "severity at offset: message".
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s %s at %d: %s", d.Kind, d.Severity, d.Start, d.Message)
}

// HasErrors reports whether any diagnostic has severity "error".
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}
