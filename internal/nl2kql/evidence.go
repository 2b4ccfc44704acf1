package nl2kql

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kql/schema"
)

// Catalogue evidence: besides the hand-written table words (tables.go), a
// table is pointed at by the words of its own column names ("department" →
// IdentityInfo.Department, "computer" → SecurityEvent.Computer, "caller" →
// AzureActivity.Caller) and of its catalogue description. A word counts by
// how few tables carry it (inverse document frequency over the catalogue):
// "user" or "device" names a column of most tables and says little, a word
// only one or two tables have says much. The evidence is read from the
// catalogue, so a table added there is chosen for its own columns without
// any new word list.

// evidenceWeight scales a word's IDF into table score, and evidenceCap bounds
// a table's total: the evidence breaks ties and lifts tables the question
// describes by their columns, without outvoting a table's own name or a
// concept.
const (
	evidenceWeight = 0.5
	evidenceCap    = 3.0
	// lengthB is BM25's length normalisation strength.
	lengthB = 0.75
)

// genericParts are column-name parts that name no kind of evidence.
var genericParts = wordSet("id ids name names type types time timestamp generated tenant source system report billable billed size is has the of to in on by for at value values info details detail additional fields field string count guid key properties property data status result operation category microsoft aad entra azure set get read new use used last first number working")

// vocab is the catalogue's words: per table the set of canonical words of
// its column names and description, and per word the number of tables;
// avg is the mean number of words per table.
type vocab struct {
	tables map[string]map[string]bool
	df     map[string]int
	avg    float64
}

var (
	catalogVocabOnce sync.Once
	catalogVocab     *vocab
)

// tableVocab returns the catalogue's vocabulary, built once.
func tableVocab() *vocab {
	catalogVocabOnce.Do(func() {
		v := &vocab{tables: map[string]map[string]bool{}, df: map[string]int{}}
		for _, name := range catalog.Names() {
			t, ok := catalog.Lookup(name)
			if !ok {
				continue
			}
			ws := map[string]bool{}
			for _, c := range t.Union {
				for _, w := range columnWords(c.Name) {
					ws[w] = true
				}
			}
			for _, w := range concepts(t.About) {
				if !genericParts[w] {
					ws[w] = true
				}
			}
			v.tables[name] = ws
			v.avg += float64(len(ws))
			for w := range ws {
				v.df[w]++
			}
		}
		v.avg /= float64(max(len(v.tables), 1))
		catalogVocab = v
	})
	return catalogVocab
}

// columnWords are the canonical words of a column name: its stemmed parts
// (minus generic ones) with their synonyms, and the whole name squashed
// when it is short ("IPAddress" → ip, address, ipaddress).
func columnWords(col string) []string {
	parts := camelWords(col)
	var out []string
	for _, p := range parts {
		if len(p) < 3 || genericParts[p] || genericParts[stem(p)] {
			continue
		}
		out = append(out, concepts(p)...)
	}
	if len(parts) == 2 {
		out = append(out, strings.ToLower(strings.Join(parts, "")))
	}
	return out
}

// catalogEvidence rates every table of s for the question's canonical
// words: the sum of the IDF of the words its columns or description carry
// and that no table's profile uses (those are scored already; the
// catalogue fills in the words the profiles do not know), scaled by
// the table's vocabulary size as BM25 does — a table with hundreds of
// columns (SecurityEvent, AzureDiagnostics) matches many words by chance —
// and capped, with the words that counted (rarest first).
func catalogEvidence(s *schema.Schema, words []string, target string) map[string]evidence {
	v := tableVocab()
	n := float64(len(v.tables))
	out := map[string]evidence{}
	for _, name := range s.TableNames() {
		ws := v.tables[name]
		norm := min(1/(1-lengthB+lengthB*float64(len(ws))/v.avg), 1.5)
		if ct, ok := catalog.Lookup(name); ok && target == "" && !ct.In(catalog.Sentinel) {
			// No target: the query is written in each table's native
			// form, and Advanced Hunting's mirrors of Log Analytics
			// tables (EntraIdSignInEvents of SigninLogs) spell out
			// columns the Sentinel table keeps in dynamic fields; a
			// column name alone does not choose the Defender form.
			norm /= 2
		}
		var e evidence
		for _, w := range words {
			if !ws[w] || v.df[w] == 0 || genericParts[w] || profileWord()[w] {
				continue
			}
			idf := math.Log(n / float64(v.df[w]))
			if idf < 1 {
				continue // a word most tables carry
			}
			e.score += evidenceWeight * idf * norm
			e.words = append(e.words, w)
		}
		if e.score == 0 {
			continue
		}
		e.score = min(e.score, evidenceCap)
		sort.SliceStable(e.words, func(i, j int) bool { return v.df[e.words[i]] < v.df[e.words[j]] })
		out[name] = e
	}
	return out
}

// profileWord is every word of every table profile, built on first use.
var profileWord = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, tw := range tableWords() {
		for _, m := range tw {
			for w := range m {
				out[w] = true
			}
		}
	}
	return out
})

// evidence is one table's catalogue evidence.
type evidence struct {
	score float64
	words []string
}
