package intune

import "github.com/secmcp/secmcp/internal/cite"

// answer is the cited answer under construction (see cite.Answer).
type answer = cite.Answer

// CitationCheck is the outcome of checking the answer's lines against the
// resources they cite; failing lines are removed from the answer.
type CitationCheck = cite.Summary
