package kql

import (
	"strings"
	"unicode"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// stopWords carry no meaning in a table search ("sign-in logs", "the email
// events table").
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "for": true, "and": true, "or": true,
	"in": true, "on": true, "with": true, "to": true, "by": true, "table": true, "tables": true,
	"event": true, "events": true, "log": true, "logs": true, "data": true, "about": true, "which": true,
}

// search is a parsed kql_list_tables query: normalised terms and the whole
// phrase, compared against normalised names (lower case, letters and digits
// only, so "sign-ins" meets "SigninLogs").
type search struct {
	terms  []string
	phrase string
	// parts are the camel-case words of the search words that have several
	// ("ProcessCommandLine" → process, command, line): a column name points at
	// the table whose name shares a word with it.
	parts []string
	// exact holds the lower-cased search words, to tell a column named by
	// the search from one that merely contains a word of it.
	exact map[string]bool
}

func newSearch(s string) search {
	q := search{exact: map[string]bool{}}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == '|' }) {
		n := norm(w)
		if n == "" || (stopWords[strings.ToLower(w)] && len(strings.Fields(s)) > 1) {
			continue
		}
		q.terms = append(q.terms, stem(n))
		q.exact[strings.ToLower(w)] = true
		if ws := camelWords(w); len(ws) > 1 {
			q.parts = append(q.parts, ws...)
		}
	}
	if len(q.terms) > 1 {
		q.phrase = strings.Join(q.terms, "")
	}
	return q
}

func (q search) empty() bool { return len(q.terms) == 0 }

// norm lower-cases s and keeps letters and digits only.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// camelWords splits an identifier into its lower-cased camel-case words of
// three letters or more.
func camelWords(s string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if w := norm(s[start:end]); len(w) >= 3 {
			out = append(out, w)
		}
		start = end
	}
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			flush(i)
		}
	}
	flush(len(s))
	return out
}

// stem drops a plural "s" so "connections" meets "connection"; substring
// matching makes the occasional over-cut ("process" → "proces") harmless.
func stem(w string) string {
	if len(w) > 4 && strings.HasSuffix(w, "s") {
		return w[:len(w)-1]
	}
	return w
}

// score rates how well table t (with its description) matches q and lists
// the columns that match, best first. Weights: the table name says the most,
// then the hand-written keywords, then the description, then columns.
func (q search) score(t *schema.Table, info tableInfo) (int, []string) {
	if q.empty() {
		return 0, nil
	}
	name := norm(t.Name)
	keywords := strings.Fields(strings.ToLower(info.keywords))
	for i, k := range keywords {
		keywords[i] = norm(k)
	}
	about := norm(info.about)
	score := 0
	if whole := strings.Join(q.terms, ""); name == whole || name == whole+"s" {
		score += 1000
	}
	var exact, partial []string
	for _, term := range q.terms {
		switch {
		case strings.Contains(name, term):
			score += 40
		case hasPrefixAny(keywords, term):
			score += 25
		case strings.Contains(about, term):
			score += 10
		}
		colHits := 0
		for _, c := range t.Columns {
			cn := norm(c.Name)
			switch {
			case cn == term:
				exact = appendNew(exact, c.Name)
				score += 20
			case strings.Contains(cn, term) && colHits < 3:
				partial = appendNew(partial, c.Name)
				colHits++
				score += 3
			}
		}
	}
	for _, p := range q.parts {
		if strings.Contains(name, p) {
			score += 10
		}
	}
	if q.phrase != "" && (strings.Contains(strings.Join(keywords, ""), q.phrase) || strings.Contains(name, q.phrase)) {
		score += 30
	}
	matched := exact
	for _, p := range partial {
		matched = appendNew(matched, p)
	}
	return score, matched
}

func hasPrefixAny(words []string, prefix string) bool {
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
