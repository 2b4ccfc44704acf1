package resources

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestTableSchemasLoadOnFirstRead: registering the table schemas builds
// nothing; the first reads (concurrent) build them once, and both resources
// serve them.
func TestTableSchemasLoadOnFirstRead(t *testing.T) {
	var loads atomic.Int32
	s := NewServer(nil)
	s.AddTableSchemasLazy(func() map[string][]SchemaColumn {
		loads.Add(1)
		return map[string][]SchemaColumn{"SigninLogs": {{Name: "UserPrincipalName", Type: "string"}}, "AuditLogs": {}}
	})
	if n := loads.Load(); n != 0 {
		t.Fatalf("schemas built %d times at registration", n)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, text, err := s.Read(context.Background(), nil, Scheme+"://schemas/tables")
			if err != nil || !strings.Contains(text, `"AuditLogs"`) || strings.Index(text, "AuditLogs") > strings.Index(text, "SigninLogs") {
				t.Errorf("tables list = %s, %v", text, err)
			}
		})
	}
	wg.Wait()
	_, text, err := s.Read(context.Background(), nil, Scheme+"://schemas/tables/SigninLogs")
	if err != nil || !strings.Contains(text, `"UserPrincipalName"`) {
		t.Errorf("SigninLogs = %s, %v", text, err)
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("schemas built %d times, want once", n)
	}
}
