package schema

import (
	"errors"
	"testing"

	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

func TestParseArrayAndObjectForms(t *testing.T) {
	s, err := Parse([]byte(`{"A":[{"name":"Timestamp","type":"datetime"},{"name":"X","type":"double"}],
		"B":{"TimeGenerated":"datetime","Z":"string","Y":"Boolean"},"$functions":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	a, ok := s.Table("A")
	if !ok || a.TimeColumn() != "Timestamp" || a.Columns[1].Type != "real" {
		t.Fatalf("table A = %+v", a)
	}
	b, _ := s.Table("B")
	if got := b.ColumnNames(); len(got) != 3 || got[0] != "TimeGenerated" || got[1] != "Z" || got[2] != "Y" {
		t.Fatalf("B columns out of order: %v", got)
	}
	if c, _ := b.Column("Y"); c.Type != "bool" {
		t.Fatalf("Y type = %q", c.Type)
	}
	if s.Len() != 2 || len(s.TableNames()) != 2 {
		t.Fatalf("tables = %v", s.TableNames())
	}
}

func TestParseRejectsBadTypes(t *testing.T) {
	_, err := Parse([]byte(`{"A":[{"name":"X","type":"blob"}]}`))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if _, err := Parse([]byte(`[1]`)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadSharedTables(t *testing.T) {
	path := sharedcorpus.Path(t, "kql-schemas/tables.json")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 42 {
		t.Fatalf("tables = %d, want 42", s.Len())
	}
	if tb, _ := s.Table("DeviceProcessEvents"); tb.TimeColumn() == "" {
		t.Fatal("DeviceProcessEvents has no time column")
	}
}
