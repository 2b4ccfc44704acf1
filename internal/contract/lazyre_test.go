package contract

import (
	"testing"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// TestRegexpsCompile compiles every pattern this package declares lazily, so
// a bad one fails here and not on a user's first call.
func TestRegexpsCompile(t *testing.T) {
	if err := lazyre.CompileAll(); err != nil {
		t.Fatal(err)
	}
}
