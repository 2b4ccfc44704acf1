package attack

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/cite"
)

// required are the techniques the demo stories and common SOC alerts use.
var required = []string{"T1566.001", "T1566.002", "T1204.002", "T1059.001", "T1059.003", "T1027", "T1140", "T1105",
	"T1003.001", "T1110.003", "T1078", "T1078.004", "T1021.001", "T1021.002", "T1021.006", "T1047", "T1569.002",
	"T1053.005", "T1547.001", "T1543.003", "T1562.001", "T1490", "T1486", "T1048", "T1567.002", "T1114.003",
	"T1098", "T1136", "T1071.001", "T1055", "T1620", "T1218.011", "T1557", "T1539", "T1621",
	// demo stories
	"T1204.001", "T1530", "T1570", "T1560.001", "T1550.002", "T1110", "T1110.001", "T1087.002", "T1021.003", "T1003.006"}

func TestTechniquesWellFormed(t *testing.T) {
	all := All()
	if len(all) < 60 {
		t.Fatalf("%d techniques, want >= 60", len(all))
	}
	for _, tc := range all {
		if !ValidID(tc.ID) || NormalizeID(tc.ID) != tc.ID {
			t.Errorf("bad id %q", tc.ID)
		}
		if tc.Name == "" || tc.Description == "" || len(tc.LookFor) == 0 || len(tc.Benign) == 0 || len(tc.Response) == 0 {
			t.Errorf("%s: name, description, lookFor, benign and response are required", tc.ID)
		}
		if len(tc.Tactics) == 0 {
			t.Errorf("%s: no tactic", tc.ID)
		}
		prev := -1
		for _, s := range tc.Tactics {
			ta, ok := LookupTactic(s)
			if !ok || ta.Short != s {
				t.Errorf("%s: unknown tactic %q", tc.ID, s)
			}
			if ta.Order < prev {
				t.Errorf("%s: tactics not in kill-chain order", tc.ID)
			}
			prev = ta.Order
		}
		if p := tc.Parent(); p != "" {
			if _, ok := Lookup(p); !ok {
				t.Errorf("%s: parent %s missing", tc.ID, p)
			}
		}
	}
	for _, id := range required {
		if _, ok := Lookup(id); !ok {
			t.Errorf("required technique %s missing", id)
		}
	}
}

func TestLookups(t *testing.T) {
	if tc, ok := Lookup(" t1059.001 "); !ok || tc.Name != "PowerShell" || tc.FullName() != "Command and Scripting Interpreter: PowerShell" {
		t.Fatalf("lookup: %+v", tc)
	}
	if tc, ok := Resolve("T1059.999"); !ok || tc.ID != "T1059" {
		t.Fatalf("resolve parent: %+v", tc)
	}
	if _, ok := Resolve("T9999"); ok {
		t.Fatal("resolve unknown")
	}
	for _, s := range []string{"TA0006", "credential-access", "Credential Access", "CredentialAccess"} {
		if ta, ok := LookupTactic(s); !ok || ta.ID != "TA0006" {
			t.Errorf("tactic %q", s)
		}
	}
	if KillChainOrder("InitialAccess") >= KillChainOrder("Exfiltration") || KillChainOrder("nope") != -1 {
		t.Fatal("kill chain order")
	}
	ids := []string{"T1486", "T1566.001", "T1003.001", "T0000", "T1059.001"}
	SortByKillChain(ids)
	if strings.Join(ids, ",") != "T1566.001,T1059.001,T1003.001,T1486,T0000" {
		t.Fatalf("sorted %v", ids)
	}
	for _, c := range []string{"InitialAccess", "Execution", "CredentialAccess", "LateralMovement", "Exfiltration",
		"Persistence", "DefenseEvasion", "Impact", "Discovery", "CommandAndControl", "Malware", "Ransomware", "UnwantedSoftware", "collection"} {
		cat, ok := LookupCategory(c)
		if !ok || len(cat.Contain) == 0 || len(cat.Investigate) == 0 || len(cat.Remediate) == 0 || cat.Meaning == "" {
			t.Errorf("category %s: %+v", c, cat)
		}
	}
}

func TestPagesAndCitations(t *testing.T) {
	idx, err := Read(IndexURI)
	if err != nil || !strings.Contains(idx, "T1003.001") || !strings.Contains(idx, CategoryURI("LateralMovement")) {
		t.Fatalf("index: %v", err)
	}
	for _, tc := range All() {
		page, err := Read(URI(tc.ID))
		if err != nil || !strings.Contains(page, tc.Name) {
			t.Fatalf("%s: %v", tc.ID, err)
		}
	}
	if _, err := Read(URIPrefix + "T9999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := Read(CategoryPrefix + "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal("unknown category")
	}
	claims := []cite.Claim{
		cite.Auto("T1003.001 (LSASS Memory) belongs to Credential Access (TA0006).", URI("T1003.001")),
		{Text: "Category guidance", Facts: []cite.Fact{{Kind: cite.KindText, Value: "Isolate the source and destination devices"}}, Citations: []string{CategoryURI("lateralmovement")}},
	}
	rep, err := cite.Check(context.Background(), claims, Fetcher())
	if err != nil || !rep.OK() {
		t.Fatalf("%v %s", err, rep)
	}
	if _, err := Fetcher()(context.Background(), "secmcp://contoso/alerts/x"); !errors.Is(err, cite.ErrUnknownURI) {
		t.Fatalf("foreign uri: %v", err)
	}
}
