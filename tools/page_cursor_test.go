package tools

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestCursorFitsRealNextLinks: a cursor carries Graph's @odata.nextLink
// as-is (opaque, issue 12 finding 7); live $skiptoken links run to several
// hundred characters, so the schema's cursor limit must hold one.
func TestCursorFitsRealNextLinks(t *testing.T) {
	link := "https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=100&$filter=createdDateTime%20ge%202026-11-20T08%3A00%3A00Z%20and%20userPrincipalName%20eq%20%27someone.with.a.long.name%40contoso.onmicrosoft.com%27&$skiptoken=" +
		strings.Repeat("a1B2c3D4e5", 60)
	c := EncodeCursor("entra_list_signins", 3, link)
	f, _ := reflect.TypeOf(Paging{}).FieldByName("Cursor")
	limit, err := strconv.Atoi(f.Tag.Get("maxLength"))
	if err != nil || len(c) > limit {
		t.Fatalf("cursor of a %d-byte nextLink is %d bytes; the schema allows %d", len(link), len(c), limit)
	}
	if _, next, err := DecodeCursor("entra_list_signins", c); err != nil || next != link {
		t.Fatalf("round trip: %v", err)
	}
}
