package nl2kql

import (
	"math"
	"sort"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/schema"
)

// Example is a question/query pair of the few-shot library.
type Example struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Query    string   `json:"query"`
	Tables   []string `json:"tables,omitempty"`
}

// Scored is an example and its similarity to a question (0..1).
type Scored struct {
	Example    Example `json:"example"`
	Similarity float64 `json:"similarity"`
}

// Library selects the examples nearest a question: cosine similarity of
// TF-IDF vectors over the canonical words (see concepts), so "logon
// failures" finds an example written as "failed sign-ins".
type Library struct {
	examples []Example
	vecs     []map[string]float64
	idf      map[string]float64
}

// NewLibrary indexes examples. The tables of an example without Tables are
// read from its query with the analyzer (s may be nil to skip that).
func NewLibrary(examples []Example, s *schema.Schema) *Library {
	l := &Library{idf: map[string]float64{}}
	df := map[string]int{}
	for _, e := range examples {
		if len(e.Tables) == 0 && s != nil {
			_, res := analyze.Check(e.Query, analyze.Options{Schema: s})
			e.Tables = res.Tables
		}
		l.examples = append(l.examples, e)
		for w := range bag(e.Question) {
			df[w]++
		}
	}
	n := float64(len(examples))
	for w, d := range df {
		l.idf[w] = math.Log(1 + n/float64(d))
	}
	for _, e := range l.examples {
		l.vecs = append(l.vecs, l.vector(e.Question))
	}
	return l
}

// Examples returns the indexed examples (with their tables).
func (l *Library) Examples() []Example { return append([]Example(nil), l.examples...) }

// bag is the set of canonical words of a text.
func bag(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range concepts(text) {
		out[w] = true
	}
	return out
}

func (l *Library) vector(text string) map[string]float64 {
	v := map[string]float64{}
	norm := 0.0
	for w := range bag(text) {
		idf, ok := l.idf[w]
		if !ok {
			continue // a word no example has cannot add similarity
		}
		v[w] = idf
		norm += idf * idf
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for w := range v {
			v[w] /= norm
		}
	}
	return v
}

// Select returns up to k examples most similar to question, best first,
// leaving out those with no word in common.
func (l *Library) Select(question string, k int) []Scored {
	q := l.vector(question)
	var out []Scored
	for i, v := range l.vecs {
		sim := 0.0
		for w, x := range q {
			sim += x * v[w]
		}
		if sim > 0 {
			out = append(out, Scored{Example: l.examples[i], Similarity: math.Round(sim*1000) / 1000})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Similarity > out[j].Similarity })
	if len(out) > k {
		out = out[:k]
	}
	return out
}
