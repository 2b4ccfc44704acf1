package mcpadapter

import (
	"encoding/json"
	"testing"
)

// BenchmarkMayOverflow: the scan every tools/call pays for checkParams.
func BenchmarkMayOverflow(b *testing.B) {
	msg := []byte(`{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"SigninLogs | where TimeGenerated > ago(1d) | summarize count() by UserPrincipalName | top 10 by count_"}}}`)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if mayOverflow(msg) {
			b.Fatal("no such number")
		}
	}
}

// BenchmarkValidRef is json.Valid on the same message, which the gate runs
// on every body: the reference for the scan above.
func BenchmarkValidRef(b *testing.B) {
	msg := []byte(`{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"SigninLogs | where TimeGenerated > ago(1d) | summarize count() by UserPrincipalName | top 10 by count_"}}}`)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_ = json.Valid(msg)
	}
}
