package plugins

import (
	"testing"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// BenchmarkLoadSharedManifests loads the 23 manifests of ../shared/plugins-dev.
func BenchmarkLoadSharedManifests(b *testing.B) {
	dir, ok := sharedcorpus.Find("plugins-dev")
	if !ok {
		b.Skip("../shared/plugins-dev is absent")
	}
	for b.Loop() {
		if _, err := LoadDirs(&Env{}, dir); err != nil {
			b.Fatal(err)
		}
	}
}
