package config

import (
	"strings"
	"testing"
)

func withEndpoints(block string) string {
	return strings.Replace(valid, "    budget: {unitsPerMinute: 120, burst: 20}\n", "    budget: {unitsPerMinute: 120, burst: 20}\n    endpoints:\n"+block, 1)
}

func TestEndpointsParse(t *testing.T) {
	in := withEndpoints("      authority: http://127.0.0.1:9000/\n      graph: https://graph.microsoft.us/\n      logAnalytics: http://[::1]:9001\n")
	c, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Tenants[0].Endpoints
	if e == nil || e.Authority != "http://127.0.0.1:9000/" || e.Graph != "https://graph.microsoft.us/" || e.LogAnalytics != "http://[::1]:9001" {
		t.Fatalf("endpoints: %+v", e)
	}
}

func TestEndpointsRefused(t *testing.T) {
	cases := map[string]string{
		"      graph: http://graph.example.com/\n":       `tenant "contoso": endpoints.graph: "http://graph.example.com/" uses plain http to a host that is not loopback`,
		"      authority: http://10.0.0.5:9000/\n":       `endpoints.authority: "http://10.0.0.5:9000/" uses plain http`,
		"      logAnalytics: ftp://127.0.0.1/\n":         `endpoints.logAnalytics: "ftp://127.0.0.1/" must be an absolute URL`,
		"      graph: https://u:p@graph.example.com/\n":  `endpoints.graph`,
		"      graph: https://graph.example.com/?x=1\n":  "without user info, query or fragment",
		"      graph: graph.microsoft.com\n":             "must be an absolute URL",
		"      grahp: https://graph.microsoft.com/\n":    "field grahp not found",
		"      authority: http://localhost.evil.com/\n":  "not loopback",
		"      graph: https://graph.microsoft.us/v1.0\n": "must be the Graph root without the version",
	}
	for block, want := range cases {
		_, err := Parse(strings.NewReader(withEndpoints(block)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: want error containing %q, got %v", block, want, err)
		}
	}
}
