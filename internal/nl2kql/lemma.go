package nl2kql

import (
	"strings"
	"sync"
)

// Inflections: "phished", "connecting", "queried" and "dropped" are the
// words "phish", "connect", "query" and "drop" that the table profiles,
// the synonyms and the catalogue's column names use. stem only folds
// plurals (its output is shown in plans and matched by the templates), so
// the table scorers compare words by lemmaKey, a cruder key that also
// drops -ed, -ing and a final -e ("created" and "create" meet at "creat").

// lemmaKey is the inflection-free key of a canonical word.
func lemmaKey(w string) string {
	w = stem(w)
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ied"):
		w = w[:len(w)-3] + "y"
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		w = w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		w = w[:len(w)-2]
	}
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouslfz", rune(w[n-1])) {
		w = w[:n-1] // dropped → dropp → drop
	}
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// keySet is the set of lemma keys of words.
func keySet(words map[string]bool) map[string]bool {
	out := make(map[string]bool, len(words))
	for w := range words {
		out[lemmaKey(w)] = true
	}
	return out
}

// synonymsByKey are wordSynonyms reached by an inflected form the map does
// not list ("connecting" → connect → network). Built on first use.
var synonymsByKey = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for w, syns := range wordSynonyms {
		k := lemmaKey(w)
		out[k] = append(out[k], syns...)
	}
	return out
})

// tableKeys are the lemma keys of every table's strong and weak words,
// built on first use.
var tableKeys = sync.OnceValue(func() map[string][2]map[string]bool {
	out := map[string][2]map[string]bool{}
	for name, tw := range tableWords() {
		out[name] = [2]map[string]bool{keySet(tw[0]), keySet(tw[1])}
	}
	return out
})
