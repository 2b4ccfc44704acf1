// Package schema describes the tables a KQL query can read: table names
// and their ordered, typed columns. It parses the JSON shape used by
// ../shared/kql-schemas/tables.json, {"Table": [{"name": "Col", "type":
// "string"}, ...]}, and also {"Table": {"Col": "string"}}; callers can
// build a tenant's own schema with New and AddTable.
//
// The package holds no schema of its own: the command that wires the
// server decides where a schema comes from (a file, or the demo tables).
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Column is one typed column.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // normalised KQL type: string, long, int, real, bool, datetime, timespan, guid, dynamic, decimal
}

// Table is a named, ordered list of columns.
type Table struct {
	Name    string
	Columns []Column
	index   map[string]int
	// timeCol is the declared time column (see Schema.SetTimeColumn);
	// timeSet says one was declared, even "" (none).
	timeCol string
	timeSet bool
}

// Column looks a column up by exact name.
func (t *Table) Column(name string) (Column, bool) {
	if i, ok := t.index[name]; ok {
		return t.Columns[i], true
	}
	return Column{}, false
}

// ColumnNames returns the column names in order.
func (t *Table) ColumnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// TimeColumn returns the table's event-time column: the one declared with
// Schema.SetTimeColumn ("" when none was declared as none), else
// "Timestamp" or "TimeGenerated", preferring Timestamp, or "" if it has
// neither.
func (t *Table) TimeColumn() string {
	if t.timeSet {
		return t.timeCol
	}
	for _, name := range []string{"Timestamp", "TimeGenerated"} {
		if c, ok := t.Column(name); ok && c.Type == "datetime" {
			return name
		}
	}
	return ""
}

// Schema is a set of tables. The zero value is not usable; use New.
type Schema struct {
	tables map[string]*Table
	funcs  map[string][]string // stored functions: parameter names in order
}

// AddFunction declares a stored (database or workspace) function that
// returns a table, with its parameter names in order.
func (s *Schema) AddFunction(name string, params []string) {
	if s.funcs == nil {
		s.funcs = map[string][]string{}
	}
	s.funcs[name] = append([]string(nil), params...)
}

// Function returns a stored function's parameter names, or ok false.
func (s *Schema) Function(name string) ([]string, bool) {
	if s == nil {
		return nil, false
	}
	p, ok := s.funcs[name]
	return p, ok
}

// New returns an empty schema.
func New() *Schema { return &Schema{tables: map[string]*Table{}} }

// ErrInvalid marks schema documents that cannot be used.
var ErrInvalid = errors.New("invalid schema")

// AddTable adds or replaces a table. Types are normalised (double→real,
// boolean→bool, ...); an unknown type or a duplicate column is an error.
func (s *Schema) AddTable(name string, cols []Column) error {
	if name == "" {
		return fmt.Errorf("schema: add table: %w: empty table name", ErrInvalid)
	}
	t := &Table{Name: name, index: make(map[string]int, len(cols))}
	for _, c := range cols {
		typ, ok := NormalizeType(c.Type)
		if !ok {
			return fmt.Errorf("schema: table %s column %s: %w: unknown type %q", name, c.Name, ErrInvalid, c.Type)
		}
		if _, dup := t.index[c.Name]; dup || c.Name == "" {
			return fmt.Errorf("schema: table %s: %w: duplicate or empty column %q", name, ErrInvalid, c.Name)
		}
		t.index[c.Name] = len(t.Columns)
		t.Columns = append(t.Columns, Column{Name: c.Name, Type: typ})
	}
	s.tables[name] = t
	return nil
}

// SetTimeColumn declares a table's event-time column, which must be a
// datetime column of the table; "" declares that it has none (a snapshot
// table whose datetime columns are not event times).
func (s *Schema) SetTimeColumn(table, column string) error {
	t, ok := s.tables[table]
	if !ok {
		return fmt.Errorf("schema: set time column: %w: unknown table %q", ErrInvalid, table)
	}
	if column != "" {
		if c, ok := t.Column(column); !ok || c.Type != "datetime" {
			return fmt.Errorf("schema: set time column of %s: %w: %q is not a datetime column", table, ErrInvalid, column)
		}
	}
	t.timeCol, t.timeSet = column, true
	return nil
}

// Table looks a table up by exact name.
func (s *Schema) Table(name string) (*Table, bool) {
	if s == nil {
		return nil, false
	}
	t, ok := s.tables[name]
	return t, ok
}

// TableNames returns the table names, sorted.
func (s *Schema) TableNames() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.tables))
	for n := range s.tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Len returns the number of tables.
func (s *Schema) Len() int {
	if s == nil {
		return 0
	}
	return len(s.tables)
}

var typeNames = map[string]string{
	"string": "string", "long": "long", "int": "int", "real": "real", "double": "real",
	"bool": "bool", "boolean": "bool", "datetime": "datetime", "date": "datetime",
	"timespan": "timespan", "time": "timespan", "guid": "guid", "uuid": "guid",
	"dynamic": "dynamic", "decimal": "decimal", "int64": "long", "int32": "int",
	"system.string": "string", "system.int64": "long", "system.int32": "int",
	"system.double": "real", "system.boolean": "bool", "system.datetime": "datetime",
	"system.timespan": "timespan", "system.guid": "guid", "system.object": "dynamic",
	"system.data.sqltypes.sqldecimal": "decimal",
}

// NormalizeType maps a type spelling to its KQL type name.
func NormalizeType(t string) (string, bool) {
	n, ok := typeNames[strings.ToLower(strings.TrimSpace(t))]
	return n, ok
}

// Load reads a schema JSON file (see Parse).
func Load(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("schema: load: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("schema: load %s: %w", path, err)
	}
	return s, nil
}

// Parse reads {"Table": [{"name","type"}...]} or {"Table": {"Col": "type"}}
// keeping column order. Top-level keys starting with '$' are ignored.
func Parse(data []byte) (*Schema, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("schema: parse: %w: %w", ErrInvalid, err)
	}
	s := New()
	for name, body := range raw {
		if strings.HasPrefix(name, "$") {
			continue
		}
		cols, err := parseColumns(body)
		if err != nil {
			return nil, fmt.Errorf("schema: parse table %s: %w", name, err)
		}
		if err := s.AddTable(name, cols); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseColumns(body json.RawMessage) ([]Column, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var cols []Column
		if err := json.Unmarshal(body, &cols); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		return cols, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: expected a column array or object", ErrInvalid)
	}
	var cols []Column
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		var typ string
		if err := dec.Decode(&typ); err != nil {
			return nil, fmt.Errorf("%w: column %v: %w", ErrInvalid, k, err)
		}
		name, _ := k.(string)
		cols = append(cols, Column{Name: name, Type: typ})
	}
	return cols, nil
}
