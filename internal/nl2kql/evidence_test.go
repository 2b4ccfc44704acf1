package nl2kql

import (
	"testing"

	"github.com/secmcp/secmcp/internal/kqlcheck"
)

// TestCatalogEvidence checks that a word only a few tables' columns carry
// points at them, that words every table carries or the profiles already
// score do not, and that a table with hundreds of columns is not favoured
// for matching more words by chance.
func TestCatalogEvidence(t *testing.T) {
	s := kqlcheck.BuiltinSchema()
	ev := catalogEvidence(s, concepts("accounts with no surname or street address"), "")
	if ev["IdentityInfo"].score <= 0 {
		t.Fatalf("surname/street gave IdentityInfo no evidence: %+v", ev)
	}
	for name, e := range ev {
		if name != "IdentityInfo" && e.score >= ev["IdentityInfo"].score {
			t.Errorf("%s (%v) scores %.2f, IdentityInfo %.2f", name, e.words, e.score, ev["IdentityInfo"].score)
		}
	}
	if ev := catalogEvidence(s, concepts("user device"), ""); len(ev) != 0 {
		t.Errorf("words most tables carry gave evidence: %+v", ev)
	}
	// "heartbeat" is in no catalogue table: no evidence, no panic.
	if ev := catalogEvidence(s, []string{"heartbeat"}, "sentinel"); len(ev) != 0 {
		t.Errorf("unknown word gave evidence: %+v", ev)
	}
	v := tableVocab()
	if len(v.tables["SecurityEvent"]) < 2*int(v.avg) {
		t.Skip("SecurityEvent is no longer a wide table; the length check does not apply")
	}
	one := catalogEvidence(s, []string{"computer"}, "")
	if one["SecurityEvent"].score >= evidenceWeight*2 {
		t.Errorf("a wide table's single match was not damped: %.2f", one["SecurityEvent"].score)
	}
}
