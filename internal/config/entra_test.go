package config

import (
	"strings"
	"testing"
)

const entraSection = `
entra:
  resource: https://secmcp.example.com/mcp
  appIdUri: api://secmcp
  clientId: 22222222-2222-4222-8222-222222222222
  tokenVersions: ["2.0"]
  tenants: [contoso]
`

func TestEntraValid(t *testing.T) {
	c, err := Parse(strings.NewReader(valid + entraSection))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.SignInTenants()
	if err != nil || len(ts) != 1 || ts[0].Authority != "https://login.microsoftonline.com" {
		t.Fatalf("sign-in tenants %+v, %v", ts, err)
	}
	if c.Entra.Skew().Minutes() != 2 || c.Entra.AdvertisedScopes()[0] != "api://secmcp/.default" {
		t.Fatalf("defaults: %v %v", c.Entra.Skew(), c.Entra.AdvertisedScopes())
	}
}

func TestEntraErrors(t *testing.T) {
	in := valid + entraSection
	cases := map[string]string{
		strings.Replace(in, "https://secmcp.example.com/mcp", "secmcp.example.com", 1):          "entra.resource",
		strings.Replace(in, "https://secmcp.example.com/mcp", "http://example.com/mcp", 1):      "entra.resource",
		strings.Replace(in, "https://secmcp.example.com/mcp", "https://example.com", 1):         "include the endpoint path",
		strings.Replace(in, "api://secmcp", "secmcp", 1):                                        "entra.appIdUri",
		strings.Replace(in, "clientId: 22222222-2222-4222-8222-222222222222", "clientId: x", 1): "entra.clientId",
		strings.Replace(in, `["2.0"]`, `["3.0"]`, 1):                                            "entra.tokenVersions",
		valid + strings.Replace(entraSection, "[contoso]", "[nobody]", 1):                       `entra.tenants: tenant "nobody"`,
		in + "  clockSkew: 1h\n":                               "entra.clockSkew",
		in + "  scopes: ['a b']\n":                             "entra.scopes",
		in + "  audience: x\n":                                 "field audience not found",
		strings.Replace(in, "name: bot", "name: entra:bot", 1): "reserved",
	}
	for in, want := range cases {
		_, err := Parse(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
	}
}
