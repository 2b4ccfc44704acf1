package cite

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const incidentJSON = `{"id":"1001","displayName":"Multi-stage incident","createdDateTime":"2030-01-01T10:04:33.1234567Z",
 "alerts":[{"id":"da123456789012345678_-123456789","mitreTechniques":["T1059.001","T1003.001"],
  "evidence":[{"kind":"userEvidence","userPrincipalName":"Alice.Smith@contoso.com"},
   {"kind":"deviceEvidence","deviceName":"ct-lt-1037.contoso.com"},
   {"kind":"ipEvidence","ipAddress":"203.0.113.7"},
   {"kind":"ipEvidence","ipAddress":"2001:db8::1"},
   {"kind":"fileEvidence","fileName":"payload.exe","filePath":"C:\\Users\\alice\\AppData\\payload.exe",
    "sha256":"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"},
   {"kind":"processEvidence","processCommandLine":"powershell.exe -enc SQBFAFgA"}],
  "count":12}]}`

func fetcher() Fetcher {
	return MapFetcher(map[string]string{"secmcp://contoso/incidents/1001": incidentJSON,
		"secmcp://attack/T1059.001": "# T1059.001 PowerShell\nTactic: Execution (TA0002)\n"})
}

func TestCheckSupportedNormalised(t *testing.T) {
	u := "secmcp://contoso/incidents/1001"
	claims := []Claim{
		Auto("User alice.smith@CONTOSO.com signed in from 203.0.113.7 on CT-LT-1037.", u),
		Auto("The device ct-lt-1037 ran payload.exe at 2030-01-01 10:04 UTC.", u),
		Auto("Hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 was seen 12 times.", u),
		Auto("Alert da123456789012345678_-123456789 maps to T1059.001 and T1003.001.", u),
		Auto("IPv6 2001:0db8:0000:0000:0000:0000:0000:0001 was seen.", u),
		{Text: "The file lives in C:\\Users\\alice\\AppData.", Facts: []Fact{{KindText, `c:\users\alice\appdata`}}, Citations: []string{u}},
		Auto("T1059.001 is PowerShell.", "secmcp://attack/T1059.001"),
		Auto("Isolate the device and reset the password."), // not factual
	}
	rep, err := Check(context.Background(), claims, fetcher())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Factual != 7 || rep.Supported != 7 || rep.Claims != 8 {
		t.Fatalf("report: %s", rep)
	}
	if len(rep.Fetched) != 2 {
		t.Fatalf("fetched %v", rep.Fetched)
	}
}

func TestCheckUnsupported(t *testing.T) {
	u := "secmcp://contoso/incidents/1001"
	cases := []struct {
		claim   Claim
		problem Problem
		missing string
	}{
		{Auto("User bob@contoso.com signed in.", u), MissingFacts, "upn:bob@contoso.com"},
		{Auto("User alice.smith@contoso.com signed in."), NoCitation, ""},
		{Auto("IP 203.0.113.8 was seen.", u), MissingFacts, "ip:203.0.113.8"},
		{Auto("At 2030-01-01T10:05:00Z it ran.", u), MissingFacts, "time:2030-01-01T10:05:00Z"},
		{Auto("Device CT-LT-1038 ran it.", u), MissingFacts, "host:CT-LT-1038"},
		{Auto("Device ct-lt-1037.fabrikam.com ran it.", u), MissingFacts, "host:ct-lt-1037.fabrikam.com"},
		{Auto("Seen 123 times.", u), MissingFacts, "number:123"},
		{Auto("Mapped to T1059.", u), MissingFacts, "technique:T1059"},
		{Auto("Alert da123456789012345678 fired.", u), MissingFacts, "id:da123456789012345678"},
		{Auto("User alice.smith@contoso.com.", "secmcp://contoso/incidents/9999"), Unreadable, ""},
		{Auto("User alice.smith@contoso.com.", "https://security.microsoft.com/x"), InvalidCitation, ""},
	}
	for _, c := range cases {
		rep, err := Check(context.Background(), []Claim{c.claim}, fetcher())
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() || len(rep.Unsupported) != 1 {
			t.Errorf("%q: expected unsupported, got %s", c.claim.Text, rep)
			continue
		}
		f := rep.Unsupported[0]
		if f.Problem != c.problem {
			t.Errorf("%q: problem %s, want %s (%s)", c.claim.Text, f.Problem, c.problem, rep)
		}
		if c.missing != "" && (len(f.Missing) == 0 || f.Missing[0].String() != c.missing) {
			t.Errorf("%q: missing %v, want %s", c.claim.Text, f.Missing, c.missing)
		}
	}
}

func TestExtract(t *testing.T) {
	got := Extract("On 2030-01-01T10:04:33Z alice@contoso.com on CT-LT-1037 (ct-lt-1037.contoso.com) ran payload.exe " +
		"from 203.0.113.7 contacting hxxps://evil.example/a.ps1, T1059.001, CVE-2024-12345, 42 rows, SHA-256 " +
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08; see secmcp://contoso/alerts/x 3 times.")
	want := []string{"time:2030-01-01T10:04:33Z", "upn:alice@contoso.com", "host:CT-LT-1037", "host:ct-lt-1037.contoso.com",
		"text:payload.exe", "ip:203.0.113.7", "url:hxxps://evil.example/a.ps1", "technique:T1059.001", "id:CVE-2024-12345",
		"number:42", "hash:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	var s []string
	for _, f := range got {
		s = append(s, f.String())
	}
	if strings.Join(s, "|") != strings.Join(want, "|") {
		t.Fatalf("extract:\n got %v\nwant %v", s, want)
	}
}

func TestMarkdownRoundTrip(t *testing.T) {
	claims := []Claim{
		{Text: "## Incident"},
		Auto("- User alice.smith@contoso.com on CT-LT-1037", "secmcp://contoso/incidents/1001"),
		Auto("- T1059.001 is PowerShell", "secmcp://attack/T1059.001", "secmcp://contoso/incidents/1001"),
	}
	md := RenderMarkdown(claims)
	if !strings.Contains(md, "[1]: secmcp://contoso/incidents/1001") || !strings.Contains(md, "PowerShell [2] [1]") {
		t.Fatalf("markdown:\n%s", md)
	}
	md += "\n```kql\nDeviceProcessEvents | where DeviceName == \"ct-lt-9999\" and RemoteIP == \"198.51.100.1\"\n```\n" +
		"Inline 203.0.113.7 (secmcp://contoso/incidents/1001).\n| a | b |\n|---|---|\n| [x](secmcp://contoso/incidents/1001) | 203.0.113.7 |\n"
	parsed := ParseMarkdown(md)
	if len(parsed) != 5 {
		t.Fatalf("parsed %d claims: %+v", len(parsed), parsed)
	}
	if len(parsed[1].Citations) != 2 || parsed[1].Citations[0] != "secmcp://attack/T1059.001" {
		t.Fatalf("citations %+v", parsed[1])
	}
	rep, err := CheckMarkdown(context.Background(), md, fetcher())
	if err != nil || !rep.OK() || rep.Supported != 4 {
		t.Fatalf("check: %v %s", err, rep)
	}
	bad := "User bob@contoso.com [7]\nUser carol@contoso.com\n"
	rep, _ = CheckMarkdown(context.Background(), bad, fetcher())
	if len(rep.Unsupported) != 2 || rep.Unsupported[0].Problem != InvalidCitation || rep.Unsupported[1].Problem != NoCitation {
		t.Fatalf("bad markdown: %s", rep)
	}
}

func TestFetchers(t *testing.T) {
	type obj struct {
		Name string `json:"name"`
	}
	f := Chain(JSONFetcher(map[string]any{"secmcp://a/users/x": obj{"Zed Q"}}), MapFetcher(map[string]string{"secmcp://b": "hello 10.0.0.1"}))
	rep, _ := Check(context.Background(), []Claim{
		{Text: "Zed Q", Facts: []Fact{{KindText, "zed q"}}, Citations: []string{"secmcp://a/users/x"}},
		Auto("from 10.0.0.1", "secmcp://b"),
	}, f)
	if !rep.OK() {
		t.Fatal(rep)
	}
	if _, err := f(context.Background(), "secmcp://c"); !errors.Is(err, ErrUnknownURI) {
		t.Fatalf("unknown: %v", err)
	}
	boom := errors.New("boom")
	f2 := Chain(func(context.Context, string) (string, error) { return "", boom }, MapFetcher(map[string]string{"secmcp://b": "x"}))
	if _, err := f2(context.Background(), "secmcp://b"); !errors.Is(err, boom) {
		t.Fatalf("chain should stop at a real error: %v", err)
	}
}

func TestContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, []Claim{Auto("1.2.3.4", "secmcp://x/y/z")}, fetcher()); err == nil {
		t.Fatal("want ctx error")
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("User alice@contoso.com on CT-LT-1037 [1]\n[1]: secmcp://contoso/incidents/1001", incidentJSON)
	f.Add("```\n[", "{\"a\":[1,2,")
	f.Fuzz(func(t *testing.T, md, content string) {
		fetch := func(context.Context, string) (string, error) { return content, nil }
		_, _ = CheckMarkdown(context.Background(), md, fetch)
		_ = Extract(md)
	})
}

// A guest UPN's partner domain is found in the text it came from, and a
// domain that is only the tail of an unrelated word is still unsupported.
func TestCheckGuestUPN(t *testing.T) {
	u := "secmcp://contoso/users/guest"
	fetch := MapFetcher(map[string]string{u: `{"user":"jo.ellis_adatum-partners.example#EXT#@contoso.onmicrosoft.com"}`})
	ok := []Claim{Auto("Guest jo.ellis_adatum-partners.example#ext#@contoso.onmicrosoft.com is at risk.", u)}
	rep, err := Check(context.Background(), ok, fetch)
	if err != nil || !rep.OK() {
		t.Fatalf("guest UPN: %v %s", err, rep)
	}
	bad := []Claim{Auto("The user signed in to evil.example.", u)}
	rep, err = Check(context.Background(), bad, fetch)
	if err != nil || rep.OK() {
		t.Fatalf("unrelated domain supported: %v %s", err, rep)
	}
}
