// Package attack is secmcp's MITRE ATT&CK knowledge base: for the
// techniques seen in the demo stories and in common SOC alerts it holds the
// facts (technique IDs, names, tactics — as published by MITRE) and our own
// words on each: a short description, what to look for, the benign
// explanations to rule out, and response guidance. It also holds guidance
// per alert category (the alerts_v2 category values such as
// CredentialAccess) with contain / investigate / remediate steps, and the
// kill-chain order of the Enterprise tactics.
//
// The knowledge base is served as MCP resources: a Markdown page per
// technique at secmcp://attack/{technique} (URI, Page) and an index at
// secmcp://attack/techniques (IndexURI, Index); Read serves both and Fetcher
// adapts Read for the citation checker, so answers that state a technique's
// name or tactic cite its page.
//
// Everything here is static data; the package does no I/O and is safe for
// concurrent use. Look-ups normalise IDs ("t1059.001 " → "T1059.001").
package attack

import (
	"sort"
	"strings"
	"sync"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Tactic is an Enterprise ATT&CK tactic.
type Tactic struct {
	// ID is the tactic ID, e.g. TA0006.
	ID string `json:"id"`
	// Short is MITRE's short name, e.g. credential-access.
	Short string `json:"short"`
	// Name is the display name, e.g. Credential Access.
	Name string `json:"name"`
	// Category is the alerts_v2 category value for the tactic, e.g. CredentialAccess.
	Category string `json:"category"`
	// Order is the tactic's position in the kill chain (0 = reconnaissance).
	Order int `json:"order"`
}

// tactics in kill-chain order.
var tactics = []Tactic{
	{"TA0043", "reconnaissance", "Reconnaissance", "Reconnaissance", 0},
	{"TA0042", "resource-development", "Resource Development", "ResourceDevelopment", 1},
	{"TA0001", "initial-access", "Initial Access", "InitialAccess", 2},
	{"TA0002", "execution", "Execution", "Execution", 3},
	{"TA0003", "persistence", "Persistence", "Persistence", 4},
	{"TA0004", "privilege-escalation", "Privilege Escalation", "PrivilegeEscalation", 5},
	{"TA0005", "defense-evasion", "Defense Evasion", "DefenseEvasion", 6},
	{"TA0006", "credential-access", "Credential Access", "CredentialAccess", 7},
	{"TA0007", "discovery", "Discovery", "Discovery", 8},
	{"TA0008", "lateral-movement", "Lateral Movement", "LateralMovement", 9},
	{"TA0009", "collection", "Collection", "Collection", 10},
	{"TA0011", "command-and-control", "Command and Control", "CommandAndControl", 11},
	{"TA0010", "exfiltration", "Exfiltration", "Exfiltration", 12},
	{"TA0040", "impact", "Impact", "Impact", 13},
}

// Tactics returns the Enterprise tactics in kill-chain order.
func Tactics() []Tactic { return append([]Tactic(nil), tactics...) }

// LookupTactic finds a tactic by ID (TA0006), short name
// (credential-access), display name (Credential Access) or alert category
// (CredentialAccess), case-insensitively.
func LookupTactic(s string) (Tactic, bool) {
	k := squash(s)
	for _, t := range tactics {
		if k == squash(t.ID) || k == squash(t.Short) || k == squash(t.Name) {
			return t, true
		}
	}
	return Tactic{}, false
}

// KillChainOrder returns the kill-chain position of a tactic named in any
// form LookupTactic accepts, or -1 when it is unknown.
func KillChainOrder(s string) int {
	if t, ok := LookupTactic(s); ok {
		return t.Order
	}
	return -1
}

// squash lower-cases and drops everything but letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Technique is one ATT&CK technique or sub-technique with our guidance.
type Technique struct {
	// ID is the ATT&CK ID, e.g. T1059.001 (fact).
	ID string `json:"id"`
	// Name is MITRE's name of the (sub-)technique, e.g. PowerShell (fact).
	Name string `json:"name"`
	// Tactics are the short names of its tactics in kill-chain order (fact).
	Tactics []string `json:"tactics"`
	// Description is our own one-paragraph explanation.
	Description string `json:"description"`
	// LookFor lists what an analyst should check in telemetry.
	LookFor []string `json:"lookFor"`
	// Benign lists legitimate activity that produces the same signals.
	Benign []string `json:"benign"`
	// Response lists technique-specific response steps.
	Response []string `json:"response"`
}

// Parent returns the parent technique ID of a sub-technique ("" for a technique).
func (t Technique) Parent() string {
	if p, _, ok := strings.Cut(t.ID, "."); ok {
		return p
	}
	return ""
}

// FullName returns "Parent: Name" for a sub-technique whose parent is in the
// knowledge base, otherwise Name.
func (t Technique) FullName() string {
	if p, ok := byID()[t.Parent()]; ok && t.Parent() != "" {
		return p.Name + ": " + t.Name
	}
	return t.Name
}

// TacticNames returns the display names of the technique's tactics.
func (t Technique) TacticNames() []string {
	out := make([]string, 0, len(t.Tactics))
	for _, s := range t.Tactics {
		if ta, ok := LookupTactic(s); ok {
			out = append(out, ta.Name)
		}
	}
	return out
}

// FirstTactic returns the earliest of the technique's tactics in the kill chain.
func (t Technique) FirstTactic() Tactic {
	best := Tactic{Order: 1 << 30}
	for _, s := range t.Tactics {
		if ta, ok := LookupTactic(s); ok && ta.Order < best.Order {
			best = ta
		}
	}
	return best
}

var idRe = lazyre.New(`^T\d{4}(\.\d{3})?$`)

// NormalizeID upper-cases and trims a technique ID ("t1059.001 " → "T1059.001").
func NormalizeID(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// ValidID reports whether id is a well-formed technique or sub-technique ID.
func ValidID(id string) bool { return idRe.MatchString(NormalizeID(id)) }

// byID indexes the knowledge base, built on first use (issue 16: nothing
// at start-up that a session may never call).
var byID = sync.OnceValue(func() map[string]Technique {
	m := map[string]Technique{}
	for _, group := range [][]Technique{initialExecution, persistenceEvasion, credentialLateral, collectionImpact, parents} {
		for _, t := range group {
			m[t.ID] = t
		}
	}
	return m
})

// Lookup returns the technique with exactly this ID (after NormalizeID).
func Lookup(id string) (Technique, bool) {
	t, ok := byID()[NormalizeID(id)]
	return t, ok
}

// Resolve returns the technique with this ID or, for a sub-technique the
// knowledge base does not hold, its parent technique.
func Resolve(id string) (Technique, bool) {
	if t, ok := Lookup(id); ok {
		return t, true
	}
	if p, _, ok := strings.Cut(NormalizeID(id), "."); ok {
		return Lookup(p)
	}
	return Technique{}, false
}

// All returns every technique sorted by ID.
func All() []Technique {
	out := make([]Technique, 0, len(byID()))
	for _, t := range byID() {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SortByKillChain sorts technique IDs by the kill-chain position of their
// earliest tactic, then by ID; unknown IDs sort last.
func SortByKillChain(ids []string) {
	order := func(id string) int {
		if t, ok := Resolve(id); ok {
			return t.FirstTactic().Order
		}
		return 1 << 20
	}
	sort.SliceStable(ids, func(i, j int) bool {
		oi, oj := order(ids[i]), order(ids[j])
		if oi != oj {
			return oi < oj
		}
		return NormalizeID(ids[i]) < NormalizeID(ids[j])
	})
}
