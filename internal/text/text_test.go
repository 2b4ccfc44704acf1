package text

import "testing"

func TestQuoteKeepsBackslashes(t *testing.T) {
	cases := map[string]string{
		`C:\Users\sabbott\Documents`: `"C:\Users\sabbott\Documents"`,
		`Confidential\Finance`:       `"Confidential\Finance"`,
		"two\nlines":                 `"two lines"`,
	}
	for in, want := range cases {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestInt(t *testing.T) {
	cases := map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1877: "1,877", 734003200: "734,003,200", -12345: "-12,345"}
	for in, want := range cases {
		if got := Int(in); got != want {
			t.Errorf("Int(%d) = %s, want %s", in, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	cases := map[int64]string{
		0: "0 bytes", 1: "1 byte", 512: "512 bytes", 1024: "1 KiB", 1536: "1.5 KiB",
		734003200: "700 MiB", 5 << 30: "5 GiB", 1048575: "1 MiB", 123456789: "118 MiB", 10 * 1024 * 1024 / 4: "2.5 MiB",
	}
	for in, want := range cases {
		if got := Bytes(in); got != want {
			t.Errorf("Bytes(%d) = %s, want %s", in, got, want)
		}
	}
}

func TestCountAndPlural(t *testing.T) {
	cases := []struct {
		n    int64
		noun string
		want string
	}{
		{1, "alert", "1 alert"},
		{0, "alert", "0 alerts"},
		{2091, "instance", "2,091 instances"},
		{2, "IP address", "2 IP addresses"},
		{3, "policy", "3 policies"},
		{4, "day", "4 days"},
		{2, "risky sign-in", "2 risky sign-ins"},
		{2, "risk detection", "2 risk detections"},
		{5, "URL", "5 URLs"},
		{2, "match", "2 matches"},
		{3, "analysis", "3 analyses"},
		{2, "exfiltration path", "2 exfiltration paths"},
	}
	for _, c := range cases {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestArticle(t *testing.T) {
	cases := map[string]string{
		"Execution alert": "an", "Initial Access alert": "an", "Exfiltration": "an", "Impact": "an",
		"Persistence alert": "a", "Credential Access": "a", "Lateral Movement": "a", "Defense Evasion": "a",
		"Collection": "a", "Command and Control": "a", "Discovery": "a", "Privilege Escalation": "a",
		"SMB share": "an", "USB drive": "a", "MFA prompt": "an", "URL": "a", "hour": "an", "user": "a",
		"unknown file": "an", "informational": "an", "int": "an", "long": "a", "one-time code": "a", "8-character": "an", "RDP session": "an", "": "a",
	}
	for in, want := range cases {
		if got := Article(in); got != want {
			t.Errorf("Article(%q) = %q, want %q", in, got, want)
		}
	}
	if got := WithArticle("Execution alert"); got != "an Execution alert" {
		t.Errorf("WithArticle = %q", got)
	}
}

func TestVerb(t *testing.T) {
	if Verb(1, "matches", "match") != "matches" || Verb(3, "matches", "match") != "match" || Verb(0, "fails", "fail") != "fail" {
		t.Error("Verb")
	}
}
