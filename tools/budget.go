package tools

// The output budget every tool result keeps, so a result fits what MCP
// clients hand to a model (clients commonly cap a tool result at about 25k
// tokens). Beyond it a tool pages (cursor) or summarises (detail levels).
const (
	// TextBudgetBytes bounds a result's text content: about 20k tokens at
	// the ~4 bytes per token of English and JSON-like text.
	TextBudgetBytes = 80_000
	// StructuredBudgetBytes bounds a result's structured content, as JSON.
	StructuredBudgetBytes = 80_000
)
