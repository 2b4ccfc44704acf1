package entra

import (
	"context"
	"crypto/sha256"
	"testing"
)

// BenchmarkValidate: a token seen before (cache hit: SHA-256, clock, kid
// still published) and one verified in full (parse, RS256 with a cached
// JWKS key, claims).
func BenchmarkValidate(b *testing.B) {
	f := newFixture(b)
	tok := f.token(b, nil)
	if _, err := f.v.Validate(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.v.Validate(context.Background(), tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f.v.cache.drop(sha256.Sum256([]byte(tok)))
			if _, err := f.v.Validate(context.Background(), tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
