// Package cite is the citation checker every answer tool runs on its own
// output before returning it: an answer is a list of claims, each with the
// facts it states and the resource URIs it cites, and Check verifies that
// every factual claim cites at least one resource and that the cited
// resources' contents contain each of its facts.
//
// Two forms of answer are supported:
//
//   - structured: []Claim, built by tools (Facts listed explicitly, or
//     extracted from the text with Extract / Auto);
//   - Markdown: lines carrying inline secmcp:// URIs or [n] references to a
//     footnote list "[n]: secmcp://…", parsed by ParseMarkdown (facts are
//     extracted automatically) and checked by CheckMarkdown.
//
// Contents are fetched through a Fetcher — in tools, one that reads through
// resources.Server.Read or an in-memory map of the JSON the tool already
// fetched (MapFetcher, JSONFetcher), so checking costs no extra upstream
// calls. Each URI is fetched at most once per Check.
//
// Facts are compared after normalisation (see Fact and Kind): UPNs, e-mail
// addresses, hostnames, hashes, IDs and URLs case-insensitively; a short
// host name matches its FQDN and the reverse (CT-LT-1037 ≡
// ct-lt-1037.contoso.com); IP addresses by parsed value; times at minute
// precision in UTC; numbers as whole tokens (3 does not match 13). JSON
// contents are decoded first, so escaped strings (paths with backslashes,
// command lines) compare as the text they hold.
//
// The package is pure (standard library only) and never panics on hostile
// input: every regular expression is linear-time and inputs are bounded.
package cite

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies a fact and selects how it is normalised and matched.
type Kind string

// Fact kinds.
const (
	KindIP        Kind = "ip"        // IPv4/IPv6 address, matched by parsed value
	KindUPN       Kind = "upn"       // UPN or e-mail address, case-insensitive
	KindHost      Kind = "host"      // host name or FQDN/domain; short ≡ FQDN first label
	KindHash      Kind = "hash"      // MD5/SHA-1/SHA-256 hex, case-insensitive
	KindTechnique Kind = "technique" // ATT&CK ID such as T1059.001, exact ID token
	KindNumber    Kind = "number"    // integer or decimal, whole token (commas ignored)
	KindTime      Kind = "time"      // timestamp, matched at minute precision in UTC
	KindID        Kind = "id"        // GUIDs and other identifiers, case-insensitive token
	KindURL       Kind = "url"       // URL, case-insensitive substring
	KindText      Kind = "text"      // any other text (names, paths, command lines), case-insensitive substring, spaces collapsed
)

// Fact is one checkable statement inside a claim: a value of a kind that
// must appear in at least one of the claim's cited resources.
type Fact struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// String renders the fact as kind:value.
func (f Fact) String() string { return string(f.Kind) + ":" + f.Value }

// Claim is one line of an answer: its text, the facts it states and the
// resource URIs it cites. A claim with no facts is not factual (guidance,
// headings, connecting prose) and needs no citation.
type Claim struct {
	Text      string   `json:"text"`
	Facts     []Fact   `json:"facts,omitempty"`
	Citations []string `json:"citations,omitempty"`
}

// Auto builds a claim whose facts are extracted from text (see Extract).
func Auto(text string, citations ...string) Claim {
	return Claim{Text: text, Facts: Extract(text), Citations: citations}
}

// Factual reports whether the claim states any fact.
func (c Claim) Factual() bool { return len(c.Facts) > 0 }

// Fetcher returns the contents of a resource URI.
type Fetcher func(ctx context.Context, uri string) (string, error)

// Problem names why a claim is unsupported.
type Problem string

// Problems Check reports.
const (
	NoCitation      Problem = "no_citation"      // a factual claim cites nothing
	Unreadable      Problem = "unreadable"       // no cited resource could be read
	MissingFacts    Problem = "missing_facts"    // some facts appear in none of the cited resources
	InvalidCitation Problem = "invalid_citation" // a citation is not a secmcp:// URI
)

// Finding is one unsupported claim.
type Finding struct {
	Claim     string   `json:"claim"`
	Problem   Problem  `json:"problem"`
	Missing   []Fact   `json:"missing,omitempty"`
	Citations []string `json:"citations,omitempty"`
	// Errors are the fetch errors of the claim's citations, one per URI that failed.
	Errors []string `json:"errors,omitempty"`
}

// Report is the outcome of Check.
type Report struct {
	// Claims counts all claims; Factual those with at least one fact;
	// Supported the factual claims whose every fact was found.
	Claims    int `json:"claims"`
	Factual   int `json:"factual"`
	Supported int `json:"supported"`
	// Unsupported lists the factual claims that failed, in input order.
	Unsupported []Finding `json:"unsupported"`
	// Fetched lists the URIs read, sorted.
	Fetched []string `json:"fetched"`
}

// OK reports whether every factual claim is supported.
func (r Report) OK() bool { return len(r.Unsupported) == 0 }

// String summarises the report in one line plus one line per finding.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d claim(s), %d factual, %d supported, %d unsupported", r.Claims, r.Factual, r.Supported, len(r.Unsupported))
	for _, f := range r.Unsupported {
		fmt.Fprintf(&b, "\n- %s: %q", f.Problem, truncate(f.Claim, 120))
		for _, m := range f.Missing {
			fmt.Fprintf(&b, " missing %s", m)
		}
		for _, e := range f.Errors {
			fmt.Fprintf(&b, " (%s)", e)
		}
	}
	return b.String()
}

// Check verifies claims against the contents fetch returns for their
// citations. Each distinct URI is fetched once. A nil fetch treats every
// citation as unreadable. Check returns an error only when ctx is done.
func Check(ctx context.Context, claims []Claim, fetch Fetcher) (Report, error) {
	rep := Report{Claims: len(claims), Unsupported: []Finding{}, Fetched: []string{}}
	cache := map[string]*fetched{}
	for _, c := range claims {
		if !c.Factual() {
			continue
		}
		rep.Factual++
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("cite: check: %w", err)
		}
		if f, ok := checkClaim(ctx, c, fetch, cache); !ok {
			rep.Unsupported = append(rep.Unsupported, f)
			continue
		}
		rep.Supported++
	}
	for u, f := range cache {
		if f.err == nil {
			rep.Fetched = append(rep.Fetched, u)
		}
	}
	sort.Strings(rep.Fetched)
	return rep, nil
}

type fetched struct {
	idx *index
	err error
}

func checkClaim(ctx context.Context, c Claim, fetch Fetcher, cache map[string]*fetched) (Finding, bool) {
	fd := Finding{Claim: c.Text, Citations: c.Citations}
	if len(c.Citations) == 0 {
		fd.Problem = NoCitation
		return fd, false
	}
	var idxs []*index
	for _, u := range c.Citations {
		if !strings.HasPrefix(u, "secmcp://") {
			fd.Problem = InvalidCitation
			fd.Errors = append(fd.Errors, fmt.Sprintf("%q is not a secmcp:// resource URI", u))
			return fd, false
		}
		f, ok := cache[u]
		if !ok {
			f = &fetched{}
			if fetch == nil {
				f.err = fmt.Errorf("no fetcher")
			} else if text, err := fetch(ctx, u); err != nil {
				f.err = err
			} else {
				f.idx = newIndex(text)
			}
			cache[u] = f
		}
		if f.err != nil {
			fd.Errors = append(fd.Errors, fmt.Sprintf("%s: %v", u, f.err))
			continue
		}
		idxs = append(idxs, f.idx)
	}
	if len(idxs) == 0 {
		fd.Problem = Unreadable
		return fd, false
	}
	for _, fact := range c.Facts {
		if !anyContains(idxs, fact) {
			fd.Missing = append(fd.Missing, fact)
		}
	}
	if len(fd.Missing) > 0 {
		fd.Problem = MissingFacts
		return fd, false
	}
	return fd, true
}

func anyContains(idxs []*index, f Fact) bool {
	for _, ix := range idxs {
		if ix.contains(f) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
