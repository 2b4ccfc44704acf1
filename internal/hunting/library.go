package hunting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
)

// LibraryURI is the resource that lists every template by technique.
const LibraryURI = "secmcp://hunting/library"

// ErrNotFound is returned (wrapped) by Read for a URI it does not serve.
var ErrNotFound = errors.New("not in the hunting library")

// Library renders the template library as Markdown: an index by technique
// (in kill-chain order) and then each template with its rationale, tables
// and query text with its placeholders.
func Library() string {
	var b strings.Builder
	ts := Templates()
	fmt.Fprintf(&b, "# Hunting library (%d templates)\n\n", len(ts))
	b.WriteString("Placeholders: {{start}} / {{end}} are datetime literals; {{device}}, {{device_prefix}}, {{user}}, {{account}}, {{ip}}, {{sha256}}, {{commandLine}}, {{domain}}, {{url}} are quoted, escaped KQL string literals filled by defender_suggest_hunting_queries.\n")
	byTech := map[string][]string{}
	var techs []string
	for _, t := range ts {
		for _, id := range t.Techniques {
			if _, ok := byTech[id]; !ok {
				techs = append(techs, id)
			}
			byTech[id] = append(byTech[id], t.ID)
		}
	}
	attack.SortByKillChain(techs)
	b.WriteString("\n## Templates by technique\n\n")
	for _, id := range techs {
		name := ""
		if t, ok := attack.Lookup(id); ok {
			name = " " + t.FullName()
		}
		fmt.Fprintf(&b, "- %s%s: %s\n", id, name, strings.Join(byTech[id], ", "))
	}
	for _, t := range ts {
		fmt.Fprintf(&b, "\n## %s — %s\n\n", t.ID, t.Title)
		entity := t.Entity
		if entity == "" {
			entity = "none (tenant-wide)"
		}
		fmt.Fprintf(&b, "- Pivot: %s\n- Entity: %s\n- Techniques: %s\n- Tables: %s\n- Rationale: %s\n\n```kql\n%s\n```\n",
			t.Pivot, entity, strings.Join(t.Techniques, ", "), strings.Join(t.Tables, ", "), t.Rationale, t.Text)
	}
	return b.String()
}

// Read serves LibraryURI.
func Read(uri string) (string, error) {
	if uri != LibraryURI {
		return "", fmt.Errorf("hunting: read %q: %w", uri, ErrNotFound)
	}
	return Library(), nil
}

// Fetcher serves LibraryURI to the citation checker; other URIs fail with
// cite.ErrUnknownURI so it composes with cite.Chain.
func Fetcher() cite.Fetcher {
	return func(_ context.Context, uri string) (string, error) {
		if uri != LibraryURI {
			return "", fmt.Errorf("hunting: fetch %s: %w", uri, cite.ErrUnknownURI)
		}
		return Library(), nil
	}
}

// Example renders every template with placeholder-looking sample values,
// for documentation and tests.
func Example(t Template) (Query, error) {
	end := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	sample := map[string]string{EntityDevice: "ct-lt-1037.contoso.com", EntityUser: "user@contoso.com", EntityAccount: "jdoe",
		EntityIP: "192.0.2.1", EntityHash: strings.Repeat("ab", 32), EntityCommandLine: `powershell.exe -enc SQBFAFgA`,
		EntityDomain: "evil.example", EntityURL: "https://evil.example/x"}
	return t.Render(sample[t.Entity], end.Add(-24*time.Hour), end)
}
