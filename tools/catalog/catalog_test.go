package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/contract"
	"github.com/secmcp/secmcp/tools"
)

// update rewrites the golden files: UPDATE_SNAPSHOTS=1 go test ./tools/catalog/
var update = os.Getenv("UPDATE_SNAPSHOTS") != ""

func TestCatalogueValid(t *testing.T) {
	all := All(Deps{})
	if err := tools.Validate(all); err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if !s.ReadOnly {
			t.Errorf("%s writes, but every foundation tool must be read-only", s.Name)
		}
		var in map[string]any
		_ = json.Unmarshal(s.InputSchema, &in)
		if in["additionalProperties"] != false {
			t.Errorf("%s: input schema must reject unknown properties", s.Name)
		}
		props, _ := in["properties"].(map[string]any)
		if _, ok := props["tenant"]; !ok {
			t.Errorf("%s: input schema lacks the tenant argument", s.Name)
		}
		var out map[string]any
		_ = json.Unmarshal(s.OutputSchema, &out)
		oprops, _ := out["properties"].(map[string]any)
		if _, ok := oprops["sources"]; !ok {
			t.Errorf("%s: output schema lacks sources", s.Name)
		}
	}
}

// TestSchemaSnapshots pins every tool's schemas: a change is an API change.
func TestSchemaSnapshots(t *testing.T) {
	for _, s := range All(Deps{}) {
		// Generated from the types, not the cached copy the server uses.
		in, out, err := tools.GenerateSchemas(s)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		snap := map[string]any{"name": s.Name, "toolset": s.Toolset, "readOnly": s.ReadOnly,
			"description": s.Description, "inputSchema": in, "outputSchema": out}
		got, err := json.MarshalIndent(snap, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "schemas", s.Name+".json")
		compactPath := filepath.Join("testdata", "compact", s.Name+".jsonl")
		compact, err := compactOf(got)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(compactPath), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(compactPath, compact, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// The compact copy is what the server serves (schemacache.go).
		if served, err := os.ReadFile(compactPath); err != nil || !bytes.Equal(served, compact) {
			t.Errorf("%s: %s is missing or stale; run UPDATE_SNAPSHOTS=1 go test ./tools/catalog/", s.Name, compactPath)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no snapshot (run UPDATE_SNAPSHOTS=1 go test ./tools/catalog/): %v", s.Name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: schema changed; review and run UPDATE_SNAPSHOTS=1 go test ./tools/catalog/", s.Name)
		}
	}
}

// ToolTable renders the README's tool list from the registry.
func ToolTable(all []tools.Spec) string {
	sort.Slice(all, func(i, j int) bool {
		if all[i].Toolset != all[j].Toolset {
			return all[i].Toolset < all[j].Toolset
		}
		return all[i].Name < all[j].Name
	})
	var b strings.Builder
	b.WriteString("| tool | toolset | cost | what it does |\n| --- | --- | ---: | --- |\n")
	for _, s := range all {
		fmt.Fprintf(&b, "| `%s` | %s | %d | %s |\n", s.Name, s.Toolset, s.Cost, s.Description)
	}
	return b.String()
}

func TestReadmeToolList(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- tools:begin -->\n", "<!-- tools:end -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", begin, end)
	}
	table := ToolTable(All(Deps{}))
	if string(readme[i+len(begin):j]) == table {
		return
	}
	if update {
		out := append(append(append([]byte{}, readme[:i+len(begin)]...), table...), readme[j:]...)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("README.md tool list is stale; run UPDATE_SNAPSHOTS=1 go test ./tools/catalog/")
}

// compactOf returns the compact file of a reviewed snapshot: its input and
// output schemas, compacted, one per line.
func compactOf(snapshot []byte) ([]byte, error) {
	var snap struct {
		InputSchema  json.RawMessage `json:"inputSchema"`
		OutputSchema json.RawMessage `json:"outputSchema"`
	}
	if err := json.Unmarshal(snapshot, &snap); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, s := range []json.RawMessage{snap.InputSchema, snap.OutputSchema} {
		if err := json.Compact(&b, s); err != nil {
			return nil, err
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// TestDefaultRolesResolve: the built-in role mapping names only catalogue
// toolsets and tools, a reader cannot run hunting queries, a hunter can,
// and each role grants more than the one before it.
func TestDefaultRolesResolve(t *testing.T) {
	p, err := tools.NewRolePolicy(tools.DefaultRoles(), All(Deps{}))
	if err != nil {
		t.Fatal(err)
	}
	reader := tools.Caller{Principal: "r", Roles: []string{tools.RoleReader}}
	hunter := tools.Caller{Principal: "h", Roles: []string{tools.RoleHunter}}
	for _, tool := range []string{"defender_run_hunting_query", "sentinel_run_query", "kql_run_sandbox", "defender_suggest_hunting_queries"} {
		if p.Permits(reader, tool) || !p.Permits(hunter, tool) {
			t.Errorf("%s: reader %v hunter %v; want false, true", tool, p.Permits(reader, tool), p.Permits(hunter, tool))
		}
	}
	for _, tool := range []string{"defender_list_incidents", "entra_list_signins", "reports_draft_incident_report", "kql_validate"} {
		if !p.Permits(reader, tool) {
			t.Errorf("reader may not call %s", tool)
		}
	}
	n := func(r string) int { return len(p.Grants(r)) }
	if !(n(tools.RoleReader) < n(tools.RoleHunter) && n(tools.RoleHunter) <= n(tools.RoleResponder)) {
		t.Errorf("grants: reader %d hunter %d responder %d", n(tools.RoleReader), n(tools.RoleHunter), n(tools.RoleResponder))
	}
}

// TestTeamDeploymentDocNamesRolesAndPermissions: the operator guide names
// every built-in app role and every delegated permission and user role the
// contract says on-behalf-of reads need, so the app registration it
// describes is complete.
func TestTeamDeploymentDocNamesRolesAndPermissions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "team-deployment.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var want []string
	for r := range tools.DefaultRoles() {
		want = append(want, "`"+r+"`")
	}
	for _, e := range contract.Endpoints {
		if e.Service == "logAnalytics" {
			continue
		}
		for _, alt := range e.Permissions.Delegated {
			for _, p := range strings.Split(alt, " and ") {
				want = append(want, "`"+p+"`")
			}
		}
		want = append(want, e.Permissions.Roles...)
	}
	for _, w := range want {
		if !strings.Contains(doc, w) {
			t.Errorf("docs/team-deployment.md does not name %s", w)
		}
	}
}
