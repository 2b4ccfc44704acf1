package graph

import "testing"

func TestNextOffset(t *testing.T) {
	s := func(v string) *string { return &v }
	cases := []struct {
		link *string
		skip int
		n    int
		want string
	}{
		{nil, 0, 10, ""},
		{s("https://graph.microsoft.com/v1.0/security/alerts_v2?$top=10&$skip=10"), 0, 10, "10"},
		{s("https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=10&$skiptoken=abc"), 0, 10, "https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=10&$skiptoken=abc"},
		{s("https://graph.microsoft.com/v1.0/users?$top=10"), 20, 10, "30"},
	}
	for _, c := range cases {
		if got := nextOffset(c.link, c.skip, c.n); got != c.want {
			t.Errorf("nextOffset(%v, %d, %d) = %q, want %q", c.link, c.skip, c.n, got, c.want)
		}
	}
}
