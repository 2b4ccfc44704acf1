package tools

import (
	"strings"
	"testing"
	"time"
)

func TestListingContinuation(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	const link = "https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=abc"
	l, err := StartListing("x_list_y", now, Paging{Top: 3}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	items := []string{"a", "b", "c"}
	// A source page ending in an upstream continuation yields a cursor carrying it.
	got, info := PageOf(l, items, link)
	if len(got) != 3 || !info.More {
		t.Fatalf("page: %v %+v", got, info)
	}
	l2, err := StartListing("x_list_y", now, Paging{Top: 3, Cursor: info.Cursor}, nil, 0)
	if err != nil || l2.Options.Continuation != link || l2.Options.Skip != 0 {
		t.Fatalf("resume: %+v %v", l2.Options, err)
	}
	// An offset continuation stays an offset.
	_, info = PageOf(l, items, "40")
	l3, _ := StartListing("x_list_y", now, Paging{Cursor: info.Cursor}, nil, 0)
	if l3.Options.Skip != 40 || l3.Options.Continuation != "" {
		t.Fatalf("offset resume: %+v", l3.Options)
	}
	// A continuation page cut by the byte budget resumes inside the same page.
	big := []string{strings.Repeat("x", MaxBytes-10), strings.Repeat("y", 100), "z"}
	got, info = PageOf(l2, big, "")
	if len(got) != 1 || !info.More {
		t.Fatalf("cut page: %d items %+v", len(got), info)
	}
	l4, _ := StartListing("x_list_y", now, Paging{Cursor: info.Cursor}, nil, 0)
	rest, _ := PageOf(l4, big, "")
	if l4.Options.Continuation != link || len(rest) != 2 || rest[0][0] != 'y' {
		t.Fatalf("resume inside page: %+v, %d items", l4.Options, len(rest))
	}
}

// A type error in an embedded params struct names the argument as sent
// ("top"), not the Go path ("Paging.top").
func TestDecodeArgsEmbeddedFieldName(t *testing.T) {
	var p struct {
		Paging
		ID string `json:"id"`
	}
	err := DecodeArgs([]byte(`{"top":"many"}`), &p)
	if err == nil || !strings.Contains(err.Error(), `argument "top" must be`) || strings.Contains(err.Error(), "Paging") {
		t.Fatalf("got %v", err)
	}
}
