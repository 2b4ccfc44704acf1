package attack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/resources"
)

// URIs of the knowledge-base resources.
const (
	// URIPrefix starts every knowledge-base URI.
	URIPrefix = "secmcp://attack/"
	// IndexURI lists every technique by tactic.
	IndexURI = URIPrefix + "techniques"
	// CategoryPrefix starts the category guidance pages:
	// secmcp://attack/categories/{category}.
	CategoryPrefix = URIPrefix + "categories/"
)

// ErrNotFound is returned (wrapped) by Read for a URI the knowledge base does not hold.
var ErrNotFound = errors.New("not in the ATT&CK knowledge base")

// URI returns the technique page URI, e.g. secmcp://attack/T1059.001.
func URI(id string) string { return URIPrefix + resources.EscapeID(NormalizeID(id)) }

// CategoryURI returns the guidance page URI of an alert category.
func CategoryURI(name string) string {
	if c, ok := LookupCategory(name); ok {
		name = c.Name
	}
	return CategoryPrefix + resources.EscapeID(name)
}

// Page renders a technique's Markdown page.
func (t Technique) Page() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n", t.ID, t.FullName())
	fmt.Fprintf(&b, "- ID: %s\n- Name: %s\n", t.ID, t.Name)
	if p, ok := byID()[t.Parent()]; ok && t.Parent() != "" {
		fmt.Fprintf(&b, "- Sub-technique of: %s %s (%s)\n", p.ID, p.Name, URI(p.ID))
	}
	b.WriteString("- Tactics:")
	for i, s := range t.Tactics {
		if ta, ok := LookupTactic(s); ok {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s (%s, alert category %s)", sep, ta.Name, ta.ID, ta.Category)
		}
	}
	fmt.Fprintf(&b, "\n- MITRE: https://attack.mitre.org/techniques/%s/\n\n", strings.ReplaceAll(t.ID, ".", "/"))
	fmt.Fprintf(&b, "%s\n", t.Description)
	section(&b, "What to look for", t.LookFor)
	section(&b, "Benign explanations to rule out", t.Benign)
	section(&b, "Response", t.Response)
	var subs []string
	for _, s := range All() {
		if s.Parent() == t.ID {
			subs = append(subs, fmt.Sprintf("%s %s (%s)", s.ID, s.Name, URI(s.ID)))
		}
	}
	section(&b, "Sub-techniques in this knowledge base", subs)
	b.WriteString("\n_Descriptions and guidance are secmcp's own; IDs, names and tactics follow MITRE ATT&CK®._\n")
	return b.String()
}

// Page renders a category's guidance page.
func (c Category) Page() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Alert category %s\n\n%s\n", c.Name, c.Meaning)
	if t, ok := LookupTactic(c.Tactic); ok && c.Tactic != "" {
		fmt.Fprintf(&b, "\nTactic: %s (%s)\n", t.Name, t.ID)
	}
	section(&b, "Contain", c.Contain)
	section(&b, "Investigate", c.Investigate)
	section(&b, "Remediate", c.Remediate)
	return b.String()
}

func section(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## %s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
}

// Index renders the technique index grouped by tactic in kill-chain order,
// followed by the category guidance pages.
func Index() string {
	var b strings.Builder
	all := All()
	fmt.Fprintf(&b, "# ATT&CK knowledge base (%d techniques)\n", len(all))
	for _, ta := range tactics {
		var lines []string
		for _, t := range all {
			for _, s := range t.Tactics {
				if s == ta.Short {
					lines = append(lines, fmt.Sprintf("%s %s — %s", t.ID, t.FullName(), URI(t.ID)))
				}
			}
		}
		if len(lines) > 0 {
			section(&b, fmt.Sprintf("%s (%s)", ta.Name, ta.ID), lines)
		}
	}
	var cats []string
	for _, c := range Categories() {
		cats = append(cats, fmt.Sprintf("%s — %s", c.Name, CategoryURI(c.Name)))
	}
	section(&b, "Alert category guidance", cats)
	return b.String()
}

// Read returns the Markdown of a knowledge-base URI: IndexURI, a technique
// page (secmcp://attack/T1059.001) or a category page
// (secmcp://attack/categories/CredentialAccess). Unknown URIs wrap ErrNotFound.
func Read(uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, URIPrefix)
	if !ok {
		return "", fmt.Errorf("attack: read %q: %w", uri, ErrNotFound)
	}
	rest, err := url.PathUnescape(rest)
	if err != nil {
		return "", fmt.Errorf("attack: read %q: bad escaping: %w", uri, err)
	}
	if rest == "techniques" {
		return Index(), nil
	}
	if name, ok := strings.CutPrefix(rest, "categories/"); ok {
		if c, ok := LookupCategory(name); ok {
			return c.Page(), nil
		}
		return "", fmt.Errorf("attack: no guidance for alert category %q; read %s for the list: %w", name, IndexURI, ErrNotFound)
	}
	if t, ok := Lookup(rest); ok {
		return t.Page(), nil
	}
	return "", fmt.Errorf("attack: technique %q is not in the knowledge base; read %s for the list: %w", rest, IndexURI, ErrNotFound)
}

// Fetcher serves knowledge-base URIs to the citation checker; other URIs
// fail with cite.ErrUnknownURI so it composes with cite.Chain.
func Fetcher() cite.Fetcher {
	return func(_ context.Context, uri string) (string, error) {
		if !strings.HasPrefix(uri, URIPrefix) {
			return "", fmt.Errorf("attack: fetch %s: %w", uri, cite.ErrUnknownURI)
		}
		return Read(uri)
	}
}
