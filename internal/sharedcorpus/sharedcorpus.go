// Package sharedcorpus locates the read-only corpora that sit beside the
// checkout in CI (../shared: KQL corpus and schemas, the NL→KQL dev set, the
// PowerShell corpus). A fresh clone has no ../shared; tests that measure
// against it call Path, which skips them with one line saying why, so
// ./script/test passes on its own and .ci/run (which has ../shared) runs them.
package sharedcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root (the directory holding go.mod) found by
// walking up from the working directory, or "" when there is none.
func Root() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Find returns ../shared/rel (relative to the repository root) and whether it exists.
func Find(rel string) (string, bool) {
	root := Root()
	if root == "" {
		return "", false
	}
	p := filepath.Join(root, "..", "shared", filepath.FromSlash(rel))
	_, err := os.Stat(p)
	return p, err == nil
}

// Path returns ../shared/rel, or skips t with one line naming what is missing.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p, ok := Find(rel)
	if !ok {
		t.Skipf("skipped: needs ../shared/%s beside the checkout (absent in a fresh clone; .ci/run has it)", rel)
	}
	return p
}
