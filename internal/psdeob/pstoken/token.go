// Package pstoken is a small, forgiving PowerShell tokenizer used by the
// static deobfuscator in internal/psdeob. It never fails: malformed input
// produces best-effort tokens (an unterminated string runs to the end of the
// text), because the input is hostile text and partial results are still
// useful to an analyst.
//
// PowerShell tokenization is context sensitive (expression mode versus
// argument mode). The tokenizer resolves the few ambiguities it must
// (member access after an expression, '%' and '?' after a pipe, type literals
// versus indexing) from the previous token and the whitespace before the
// current one, and leaves the rest to the parser through the SpaceBefore flag.
package pstoken

import "strings"

// Kind classifies a token.
type Kind int

// Token kinds.
const (
	EOF        Kind = iota
	Newline         // end of line
	Semi            // ;
	Pipe            // |
	Amp             // &
	AndAnd          // &&
	OrOr            // ||
	LParen          // (
	RParen          // )
	LBrace          // {
	RBrace          // }
	LBracket        // [ (indexing)
	RBracket        // ]
	SubExpr         // $(
	ArrayExpr       // @(
	HashStart       // @{
	Comma           // ,
	Dot             // . (member access or dot-source)
	ColonColon      // ::
	DotDot          // ..
	Assign          // = += -= *= /= %=
	Op              // + - * / % ! ++ --
	DashOp          // -word: an operator in expression mode or a parameter in argument mode
	Redirect        // > >> 2> 2>&1 ...
	Number          // numeric literal
	String          // single-quoted (verbatim) string; Text is the value
	ExpString       // double-quoted string; Text is the raw body, expanded at evaluation
	Variable        // $name; Text is the name (scope prefix kept for env:)
	Splat           // @name
	Word            // bareword / generic token (command names, arguments, member names)
	TypeLit         // [type.name]; Text is the type name without brackets
)

// Token is one lexical unit. Start and End are byte offsets into the source.
type Token struct {
	Kind        Kind
	Text        string
	Start, End  int
	SpaceBefore bool
}

// IsExprEnd reports whether a token can end an operand, so that a following
// '.', '[' or '-' binds to it (member access, indexing, binary operator).
func (t Token) IsExprEnd() bool {
	switch t.Kind {
	case RParen, RBracket, RBrace, Number, String, ExpString, Variable, TypeLit:
		return true
	case Word:
		return true
	}
	return false
}

func isSingleQuote(r rune) bool {
	return r == '\'' || r == '‘' || r == '’' || r == '‚' || r == '‛'
}
func isDoubleQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }
func isDash(r rune) bool        { return r == '-' || r == '–' || r == '—' || r == '―' }
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\f' || r == '\v' || r == 0xa0 || r == 0x85 || r == 0xfeff
}
func isIdent(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && !isSingleQuote(r) && !isDoubleQuote(r) && !isDash(r) && !isSpace(r)
}

// wordStop lists characters that end a bareword.
func wordStop(r rune) bool {
	switch r {
	case '(', ')', '{', '}', ',', ';', '|', '&', '$', '\n', '\r', '[', ']':
		return true
	}
	return isSpace(r) || isSingleQuote(r) || isDoubleQuote(r)
}

// Lower folds ASCII case; PowerShell identifiers are case-insensitive.
func Lower(s string) string { return strings.ToLower(s) }
