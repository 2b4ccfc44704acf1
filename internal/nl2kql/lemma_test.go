package nl2kql

import (
	"slices"
	"testing"
)

func TestLemmaKey(t *testing.T) {
	same := [][2]string{{"phished", "phish"}, {"connecting", "connect"}, {"queried", "query"}, {"dropped", "drop"},
		{"created", "create"}, {"failed", "fail"}, {"devices", "device"}, {"installed", "install"}}
	for _, p := range same {
		if lemmaKey(p[0]) != lemmaKey(p[1]) {
			t.Errorf("lemmaKey(%q) = %q, lemmaKey(%q) = %q: want the same", p[0], lemmaKey(p[0]), p[1], lemmaKey(p[1]))
		}
	}
	for _, p := range [][2]string{{"signin", "sign"}, {"user", "used"}, {"access", "acces"}} {
		if lemmaKey(p[0]) == lemmaKey(p[1]) {
			t.Errorf("lemmaKey(%q) == lemmaKey(%q)", p[0], p[1])
		}
	}
}

// TestInflectedWordsReachSynonyms checks that an inflection the synonym
// map does not list still reaches the canonical word.
func TestInflectedWordsReachSynonyms(t *testing.T) {
	if ws := concepts("devices connecting to rare addresses"); !slices.Contains(ws, "network") {
		t.Errorf("connecting did not reach network: %v", ws)
	}
	if ws := concepts("the most phished users"); !slices.Contains(ws, "email") {
		t.Errorf("phished did not reach email: %v", ws)
	}
}

// TestSecurityVocabulary: everyday words for connections, registry hives
// and mail forwarding reach the tables that record them.
func TestSecurityVocabulary(t *testing.T) {
	s := New(Options{})
	cases := map[string]string{
		"hosts talking to rare external addresses":   "DeviceNetworkEvents",
		"changes to the HKLM Run hive":               "DeviceRegistryEvents",
		"mailbox forwarding set up in the last week": "CloudAppEvents",
	}
	for q, want := range cases {
		p, err := s.Plan(Request{Question: q, Target: "defender"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Tables[0].Name != want {
			t.Errorf("%q: main table %s, want %s", q, p.Tables[0].Name, want)
		}
	}
}
