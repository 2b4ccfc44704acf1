package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// Problems the verifier reports for a removed sentence.
const (
	ProblemNoCitation      = "no_citation"      // states facts but cites nothing
	ProblemUnknownCitation = "unknown_citation" // cites an id that is not in the evidence
	ProblemMissingFacts    = "missing_facts"    // a fact is in none of the cited items
	ProblemWrongCount      = "wrong_count"      // a count matches no count in the cited items
	ProblemUnattributed    = "unattributed"     // a heading or code line states a fact no item holds
)

// Removed is one sentence the verifier took out of an answer.
type Removed struct {
	Sentence  string   `json:"sentence"`
	Problem   string   `json:"problem"`
	Missing   []string `json:"missing,omitempty"`
	Citations []string `json:"citations,omitempty"`
}

// Verification is the verifier's account of one answer.
type Verification struct {
	Sentences   int       `json:"sentences"`
	Factual     int       `json:"factual"`
	Supported   int       `json:"supported"`
	Unsupported int       `json:"unsupported"`
	Removed     []Removed `json:"removed"`
}

var (
	citeGroupRe = lazyre.New(`\[\s*E\d{1,4}(?:\s*[,;]\s*E\d{1,4})*\s*\]`)
	citeIDRe    = lazyre.New(`E\d{1,4}`)
	listPrefRe  = lazyre.New(`^(\s*(?:>\s*)*(?:[-*+]|\d{1,3}[.)])?\s*)`)
	countRe     = lazyre.New(`(?i)\b(\d{1,3}(?:,\d{3})+|\d{1,6})\s+(?:[a-z][a-z\-]*\s+){0,2}?(alerts?|users?|accounts?|devices?|sign-?ins?|logons?|detections?|events?|techniques?|indicators?|rows?|settings?|layers?|connections?|files?|comments?|polic(?:y|ies)|countr(?:y|ies))\b`)
)

// evidenceKey is the checker's name for an item: cite.Check wants
// secmcp:// URIs and several ids may share nothing but their snippets.
func evidenceKey(id string) string { return "secmcp://evidence/" + id }

// Verify checks every sentence of answer against the evidence it cites and
// returns the answer with unsupported sentences removed. A sentence is
// factual when cite.Extract finds facts in it (names, UPNs, hosts, IPs,
// hashes, techniques, times, numbers) or it states a count ("4 alerts");
// it is supported when it cites only ids that exist, every fact appears in
// at least one cited item's snippet, and every count equals a count (or a
// list length) under a key of the same noun in a cited item. Headings and
// code lines cite nothing, so their facts must appear in some item.
func Verify(ctx context.Context, answer string, set *Set) (string, Verification, error) {
	return verify(ctx, answer, set, "")
}

// verify is Verify where headings and code lines may also restate the
// question: its entities are the caller's words, not claims about the
// tenant (cited sentences still need their facts in the cited items).
func verify(ctx context.Context, answer string, set *Set, question string) (string, Verification, error) {
	v := &verifier{set: set, fetch: map[string]string{}, parsed: map[string]any{}, strs: map[string]string{}}
	if question != "" {
		v.fetch[evidenceKey("question")] = question
		v.all = append(v.all, evidenceKey("question"))
	}
	for _, it := range set.Items() {
		v.fetch[evidenceKey(it.ID)] = string(it.Snippet)
		var doc any
		if err := json.Unmarshal(it.Snippet, &doc); err == nil {
			v.parsed[it.ID] = doc
		}
		v.all = append(v.all, evidenceKey(it.ID))
	}
	// Pass 1 collects every sentence's fact claim so one cite.Check indexes
	// each snippet once; pass 2 applies the outcome and rebuilds the answer.
	v.collect = true
	if _, err := v.run(ctx, answer, &Verification{}); err != nil {
		return "", Verification{}, err
	}
	checked, err := cite.Check(ctx, v.claims, cite.MapFetcher(v.fetch))
	if err != nil {
		return "", Verification{}, fmt.Errorf("synth: verify: %w", err)
	}
	v.failed = map[string][]cite.Fact{}
	for _, f := range checked.Unsupported {
		v.failed[f.Claim] = f.Missing
	}
	v.collect, v.seq = false, 0
	rep := Verification{Removed: []Removed{}}
	out, err := v.run(ctx, answer, &rep)
	return out, rep, err
}

// run walks the answer line by line.
func (v *verifier) run(ctx context.Context, answer string, rep *Verification) (string, error) {
	var out []string
	inFence := false
	for _, line := range strings.Split(answer, "\n") {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("synth: verify: %w", err)
		}
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			inFence = !inFence
			out = append(out, line)
			continue
		case t == "" || isRule(t):
			out = append(out, line)
			continue
		case inFence || (strings.HasPrefix(t, "#") && !citeGroupRe.MatchString(t)):
			if v.unattributed(ctx, line, rep) {
				out = append(out, line)
			}
			continue
		}
		if kept, ok := v.line(ctx, line, rep); ok {
			out = append(out, kept)
		}
	}
	return strings.Join(out, "\n"), nil
}

type verifier struct {
	set    *Set
	fetch  map[string]string
	parsed map[string]any
	all    []string
	// strs holds each item's string values, lower-cased, for quotes.
	strs map[string]string
	// collect (pass 1) gathers claims; failed (pass 2) holds the claims
	// cite.Check did not support, by claim key (sequence number + text).
	collect bool
	seq     int
	claims  []cite.Claim
	failed  map[string][]cite.Fact
}

var quoteRe = lazyre.New(`"[^"]{8,}"`)

// unquote blanks the quoted spans of text that a cited item holds
// verbatim: a verbatim quote is supported as it stands, so the counts
// inside it ("2 network indicator(s)") are not claims of the writer's own.
func (v *verifier) unquote(text string, ids []string) string {
	return quoteRe.ReplaceAllStringFunc(text, func(q string) string {
		inner := strings.ToLower(q[1 : len(q)-1])
		for _, id := range ids {
			if strings.Contains(v.strings(id), inner) {
				return strings.Repeat(" ", len(q))
			}
		}
		return q
	})
}

func (v *verifier) strings(id string) string {
	if s, ok := v.strs[id]; ok {
		return s
	}
	var b strings.Builder
	var walk func(any, int)
	walk = func(d any, depth int) {
		if depth > 12 {
			return
		}
		switch x := d.(type) {
		case string:
			b.WriteString(strings.ToLower(x))
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(v.parsed[id], 0)
	v.strs[id] = b.String()
	return v.strs[id]
}

func isRule(t string) bool {
	return strings.Trim(t, "|-: ") == "" || strings.Trim(t, "-*_ ") == ""
}

// line verifies each sentence of a line and rebuilds it from the kept ones.
func (v *verifier) line(ctx context.Context, line string, rep *Verification) (string, bool) {
	prefix := listPrefRe.FindString(line)
	body := line[len(prefix):]
	var kept []string
	for _, s := range splitSentences(body) {
		if v.sentence(ctx, s, rep) {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return "", false
	}
	return prefix + strings.Join(kept, " "), true
}

// sentence verifies one sentence; false means it was removed.
func (v *verifier) sentence(ctx context.Context, s string, rep *Verification) bool {
	rep.Sentences++
	var ids, unknown []string
	for _, g := range citeGroupRe.FindAllString(s, -1) {
		for _, id := range citeIDRe.FindAllString(g, -1) {
			if _, ok := v.parsed[id]; !ok {
				if _, exists := v.set.ByID(id); !exists {
					unknown = append(unknown, id)
					continue
				}
			}
			if !contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	// Code spans are formatting: their backticks must not stick to the
	// facts inside (a URL would take the closing backtick along).
	text := strings.ReplaceAll(citeGroupRe.ReplaceAllString(s, " "), "`", " ")
	facts := cite.Extract(text)
	counts := countRe.FindAllStringSubmatch(v.unquote(text, ids), -1)
	factual := len(facts) > 0 || len(counts) > 0
	if factual {
		rep.Factual++
	}
	fail := func(problem string, missing []string) bool {
		rep.Unsupported++
		rep.Removed = append(rep.Removed, Removed{Sentence: truncate(strings.TrimSpace(s), 400), Problem: problem,
			Missing: missing, Citations: append(ids, unknown...)})
		return false
	}
	switch {
	case len(unknown) > 0:
		return fail(ProblemUnknownCitation, unknown)
	case !factual:
		return true
	case len(ids) == 0:
		return fail(ProblemNoCitation, factStrings(facts))
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = evidenceKey(id)
	}
	claimKey := strconv.Itoa(v.seq) + "\x00" + text
	v.seq++
	if v.collect {
		v.claims = append(v.claims, cite.Claim{Text: claimKey, Facts: facts, Citations: keys})
		return true
	}
	if missing, bad := v.failed[claimKey]; bad {
		return fail(ProblemMissingFacts, factStrings(missing))
	}
	for _, m := range counts {
		if !v.countSupported(ids, m[1], stem(m[2])) {
			return fail(ProblemWrongCount, []string{m[1] + " " + m[2]})
		}
	}
	rep.Supported++
	return true
}

// unattributed checks a heading or code line: its facts must appear in
// some item. It reports false when the line must go.
func (v *verifier) unattributed(ctx context.Context, line string, rep *Verification) bool {
	facts := cite.Extract(strings.ReplaceAll(line, "`", " "))
	if len(facts) == 0 {
		return true
	}
	rep.Sentences++
	rep.Factual++
	r, err := cite.Check(ctx, []cite.Claim{{Text: line, Facts: facts, Citations: v.all}}, cite.MapFetcher(v.fetch))
	if err == nil && r.OK() && len(v.all) > 0 {
		rep.Supported++
		return true
	}
	var missing []string
	if err == nil && len(r.Unsupported) > 0 {
		missing = factStrings(r.Unsupported[0].Missing)
	}
	rep.Unsupported++
	rep.Removed = append(rep.Removed, Removed{Sentence: truncate(strings.TrimSpace(line), 400), Problem: ProblemUnattributed, Missing: missing})
	return false
}

func factStrings(fs []cite.Fact) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// stem maps a counted noun to the fragment its count keys contain.
func stem(noun string) string {
	n := strings.ToLower(strings.ReplaceAll(noun, "-", ""))
	switch {
	case strings.HasPrefix(n, "polic"):
		return "polic"
	case strings.HasPrefix(n, "countr"):
		return "countr"
	}
	return strings.TrimSuffix(n, "s")
}

// countSupported reports whether a cited item holds the number n under a
// key containing stem, or a list of n entries under such a key.
func (v *verifier) countSupported(ids []string, n, stem string) bool {
	want, err := strconv.Atoi(strings.ReplaceAll(n, ",", "")) // text.Count writes 1,877
	if err != nil {
		return false
	}
	for _, id := range ids {
		if hasCount(v.parsed[id], "", stem, want, 0) {
			return true
		}
	}
	return false
}

func hasCount(doc any, key, stem string, want, depth int) bool {
	if depth > 12 {
		return false
	}
	k := strings.ToLower(strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, key))
	match := strings.Contains(k, stem)
	switch d := doc.(type) {
	case float64:
		return match && d == float64(want)
	case []any:
		if match && len(d) == want {
			return true
		}
		for _, e := range d {
			if hasCount(e, key, stem, want, depth+1) {
				return true
			}
		}
	case map[string]any:
		for ck, cv := range d {
			if hasCount(cv, ck, stem, want, depth+1) {
				return true
			}
		}
	}
	return false
}
