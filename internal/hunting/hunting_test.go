package hunting

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/kqlcheck"
)

var hostile = []string{
	`a"b`, `a\b`, `C:\Users\x\`, `x | take 1000000`, "line1\nline2\r\n\tz", `"; .drop table X; //`,
	"@\"verbatim\"", "h\"obf\"", `'single'`, "```fence```", "{{device}}", "\x00\x01\x7f", "\xff\xfe", "ünïcödé ✓ 𝔘",
	strings.Repeat(`\"`, 3000), `-enc SQBFAFgA`, "*", "",
}

func TestTemplatesWellFormed(t *testing.T) {
	ts := Templates()
	if len(ts) < 20 {
		t.Fatalf("%d templates", len(ts))
	}
	seen := map[string]bool{}
	schema := kqlcheck.BuiltinSchema()
	for _, tp := range ts {
		if seen[tp.ID] || tp.ID == "" || tp.Title == "" || tp.Rationale == "" || tp.Pivot == "" || len(tp.Techniques) == 0 || len(tp.Tables) == 0 {
			t.Errorf("%s: incomplete or duplicate", tp.ID)
		}
		seen[tp.ID] = true
		for _, id := range tp.Techniques {
			if _, ok := attack.Resolve(id); !ok {
				t.Errorf("%s: technique %s not in the knowledge base", tp.ID, id)
			}
		}
		for _, tb := range tp.Tables {
			if _, ok := schema.Table(tb); !ok {
				t.Errorf("%s: table %s not in the built-in schema", tp.ID, tb)
			}
			if !strings.Contains(tp.Text, tb) {
				t.Errorf("%s: declares %s but does not read it", tp.ID, tb)
			}
		}
		if tp.Signs != "" && signsRegexp(tp.Signs) == nil {
			t.Errorf("%s: Signs do not compile", tp.ID)
		}
		if _, err := Example(tp); err != nil {
			t.Errorf("%s: %v", tp.ID, err)
		}
	}
	if len(ForTechnique("T1003.001")) == 0 || len(ForTechnique("T1021.002")) == 0 || len(ForTechnique("T1547.001")) == 0 {
		t.Fatal("ForTechnique")
	}
}

// TestRenderHostileValidates renders every template with hostile values:
// each must still be one valid, safe query with no schema errors.
func TestRenderHostileValidates(t *testing.T) {
	chk := kqlcheck.Default()
	end := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tp := range Templates() {
		for _, v := range hostile {
			if tp.Entity != EntityNone && strings.TrimSpace(v) == "" {
				if _, err := tp.Render(v, end.Add(-time.Hour), end); err == nil {
					t.Errorf("%s: empty value accepted", tp.ID)
				}
				continue
			}
			q, err := tp.Render(v, end.Add(-time.Hour), end)
			if err != nil {
				t.Fatalf("%s %q: %v", tp.ID, v, err)
			}
			rep := chk.Validate(q.Query)
			if !rep.Valid || !rep.Safe || rep.Errors > 0 {
				t.Fatalf("%s with %q does not validate: %+v\n%s", tp.ID, v, rep.Diagnostics, q.Query)
			}
		}
	}
	if _, err := Templates()[0].Render("x", end, end); err == nil {
		t.Fatal("empty window accepted")
	}
}

// TestQuoteRoundTrip runs print over quoted values: the engine must read
// back exactly the value (control characters become U+FFFD).
func TestQuoteRoundTrip(t *testing.T) {
	ten := demo(t, "contoso")
	r := &fixtures.EngineRunner{}
	for _, v := range hostile {
		tb, err := r.Run(context.Background(), ten, "", "print v = "+Quote(v))
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		want := strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
				return '\uFFFD'
			}
			return r
		}, clip(v))
		if got := tb.Rows[0][0]; got != want {
			t.Errorf("round trip %q: got %q want %q", v, got, want)
		}
	}
}

var tenants = map[string]*fixtures.Tenant{}

func demo(t *testing.T, alias string) *fixtures.Tenant {
	t.Helper()
	if ten, ok := tenants[alias]; ok {
		return ten
	}
	ten, err := fixtures.Load(alias, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	tenants[alias] = ten
	return ten
}

// TestSuggestFindsPlantedRows runs the suggestions for each demo story on
// the demo tenant: all must run, and the planted lateral movement and
// persistence must show up in some result.
func TestSuggestFindsPlantedRows(t *testing.T) {
	for _, alias := range []string{"contoso", "fabrikam"} {
		ten := demo(t, alias)
		for _, st := range fixtures.Stories(alias) {
			req := Request{Users: st.Users, Accounts: st.Accounts, Devices: st.Devices, IPs: st.IPs, Hashes: st.Hashes,
				Domains: st.Domains, URLs: st.URLs, Techniques: st.Techniques,
				Start: ten.Clock.Add(-st.StartAgo - time.Hour), End: ten.Clock, Max: 25}
			qs, _, err := Suggest(req)
			if err != nil || len(qs) == 0 {
				t.Fatalf("%s/%s: %v (%d queries)", alias, st.Kind, err, len(qs))
			}
			var lateral, persist bool
			hits := 0
			for _, q := range qs {
				tb, err := (&fixtures.EngineRunner{}).Run(context.Background(), ten, "", q.Query)
				if err != nil {
					t.Fatalf("%s/%s %s: %v\n%s", alias, st.Kind, q.TemplateID, err, q.Query)
				}
				if len(tb.Rows) > 0 {
					hits++
				}
				text := strings.ToLower(dump(tb))
				if st.LateralMovementDevice != "" && strings.HasPrefix(q.TemplateID, "lateral-") && strings.Contains(text, strings.ToLower(st.LateralMovementDevice)) {
					lateral = true
				}
				if st.PersistenceKey != "" && strings.HasPrefix(q.TemplateID, "device-persistence") && strings.Contains(text, strings.ToLower(lastPart(st.PersistenceKey))) {
					persist = true
				}
			}
			t.Logf("%s/%s: %d queries, %d with rows, lateral=%v persistence=%v", alias, st.Kind, len(qs), hits, lateral, persist)
			if st.LateralMovementDevice != "" && !lateral {
				t.Errorf("%s/%s: no suggestion found the lateral movement to %s", alias, st.Kind, st.LateralMovementDevice)
			}
			if st.PersistenceKey != "" && !persist {
				t.Errorf("%s/%s: no suggestion found the persistence %s", alias, st.Kind, st.PersistenceKey)
			}
		}
	}
}

func lastPart(k string) string { return k[strings.LastIndexByte(k, '\\')+1:] }

var spaces = regexp.MustCompile(`\s+`)

func dump(tb *fixtures.Table) string {
	var b strings.Builder
	for _, r := range tb.Rows {
		for _, c := range r {
			b.WriteString(spaces.ReplaceAllString(strings.TrimSpace(toString(c)), " "))
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		return strings.Trim(strings.ReplaceAll(strings.ReplaceAll(fmtAny(x), "\\\\", "\\"), "\n", " "), " ")
	}
}

// TestSuggestOneQueryPerLead: with five slots for an incident like the
// demo's phish-to-exfiltration story, the slots go to five different hunts
// (not three "same SHA-256" hunts), and the LSASS and encoded PowerShell
// hunts the incident's techniques and command lines call for are among them.
func TestSuggestOneQueryPerLead(t *testing.T) {
	end := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	req := Request{
		Devices: []string{"ct-lt-1037.contoso.com", "ct-fs-01.contoso.local"},
		Hashes:  []string{strings.Repeat("1", 64), strings.Repeat("2", 64), strings.Repeat("3", 64), strings.Repeat("4", 64)},
		IPs:     []string{"192.0.2.46", "10.10.2.21"}, Domains: []string{"files.quickdrop-share.example"}, Accounts: []string{"sabbott"},
		Techniques: []string{"T1566.002", "T1059.001", "T1027", "T1105", "T1204.002", "T1547.001", "T1562.001", "T1003.001",
			"T1021.002", "T1569.002", "T1570", "T1550.002", "T1021.001", "T1567.002"},
		TechniqueWeight: map[string]int{"T1003.001": 3, "T1204.002": 3, "T1570": 3, "T1550.002": 3, "T1021.002": 3, "T1567.002": 3,
			"T1059.001": 2, "T1027": 2, "T1547.001": 2, "T1562.001": 2, "T1021.001": 2, "T1566.002": 2},
		Observed: []string{"powershell.exe -nop -w hidden -enc SQBFAFgA", `rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump 724 C:\Windows\Temp\lsass.dmp full`},
		Start:    end.Add(-96 * time.Hour), End: end, Max: 5,
	}
	qs, _, err := Suggest(req)
	if err != nil || len(qs) != 5 {
		t.Fatalf("%d queries, %v", len(qs), err)
	}
	seen := map[string]bool{}
	for _, q := range qs {
		if seen[q.TemplateID] {
			t.Errorf("%s twice in five slots", q.TemplateID)
		}
		seen[q.TemplateID] = true
	}
	for _, want := range []string{"lsass-access", "encoded-powershell"} {
		if !seen[want] {
			t.Errorf("no %s hunt in %v", want, seen)
		}
	}
	// With room for all, each template's further values come after every
	// other lead: the second hash is not among the first hunts.
	req.Max = 50
	qs, _, _ = Suggest(req)
	first := map[string]bool{}
	for i, q := range qs {
		if first[q.TemplateID] {
			for _, later := range qs[i:] {
				if !first[later.TemplateID] && later.Techniques != nil {
					t.Errorf("a second %s query (#%d) comes before the first %s", q.TemplateID, i+1, later.TemplateID)
					break
				}
			}
			break
		}
		first[q.TemplateID] = true
	}
}
