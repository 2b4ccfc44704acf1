package cite

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkCheckLarge checks 200 claims against a 1 MiB JSON resource.
func BenchmarkCheckLarge(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"rows":[`)
	for sb.Len() < 1<<20 {
		sb.WriteString(`{"DeviceName":"ct-lt-1037.contoso.com","RemoteIP":"203.0.113.7","Timestamp":"2030-01-01T10:04:33Z","Cmd":"powershell -enc SQBFAFgA 12345"},`)
	}
	sb.WriteString(`{}]}`)
	fetch := MapFetcher(map[string]string{"secmcp://t/x/1": sb.String()})
	var claims []Claim
	for i := 0; i < 200; i++ {
		claims = append(claims, Auto("Device CT-LT-1037 talked to 203.0.113.7 at 2030-01-01 10:04 UTC, 12345 times, not 198.51.100.1.", "secmcp://t/x/1"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Check(context.Background(), claims, fetch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractHostile extracts facts from 64 KiB of fact-dense text.
func BenchmarkExtractHostile(b *testing.B) {
	text := strings.Repeat("1.2.3.4:5::6 a@b.cc T1059.001 CT-1 x_1 ffff:: 2030-01-01T00:00Z 99 ", 1200)
	for i := 0; i < b.N; i++ {
		_ = Extract(text)
	}
}
