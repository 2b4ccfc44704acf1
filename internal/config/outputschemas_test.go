package config

import (
	"strings"
	"testing"
)

// TestOutputSchemasConfig: per-client and per-key output-schema settings
// parse, and a value other than on or off, an empty client name or an
// Entra app that is not an application ID is refused naming the entry.
func TestOutputSchemasConfig(t *testing.T) {
	in := valid + "outputSchemas:\n  clients: {Claude-Code: \"off\"}\n  entraApps: {AEBC6443-996D-45C2-90F0-388FF96FAA56: \"off\"}\n"
	in = strings.Replace(in, "    tenants: [contoso]\n", "    tenants: [contoso]\n    outputSchemas: \"off\"\n", 1)
	c, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if c.Principals[0].OutputSchemas != "off" {
		t.Errorf("principal outputSchemas = %q", c.Principals[0].OutputSchemas)
	}
	if on, ok := c.OutputSchemas.ClientSchemas()["claude-code"]; !ok || on {
		t.Errorf("clients: %v", c.OutputSchemas.ClientSchemas())
	}
	if on, ok := c.OutputSchemas.EntraAppSchemas()["aebc6443-996d-45c2-90f0-388ff96faa56"]; !ok || on {
		t.Errorf("entraApps: %v", c.OutputSchemas.EntraAppSchemas())
	}
	for bad, want := range map[string]string{
		"outputSchemas:\n  clients: {vscode: maybe}\n":                              `outputSchemas.clients.vscode "maybe" must be on or off`,
		"outputSchemas:\n  clients: {' ': \"off\"}\n":                               "a client name is empty",
		"outputSchemas:\n  entraApps: {vscode: \"off\"}\n":                          `outputSchemas.entraApps: "vscode" must be an Entra application (client) ID`,
		"outputSchemas:\n  entraApps: {aebc6443-996d-45c2-90f0-388ff96faa56: no}\n": `"no" must be on or off`,
	} {
		if _, err := Parse(strings.NewReader(valid + bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want an error containing %q, got %v", bad, want, err)
		}
	}
	badKey := strings.Replace(valid, "    tenants: [contoso]\n", "    tenants: [contoso]\n    outputSchemas: nope\n", 1)
	if _, err := Parse(strings.NewReader(badKey)); err == nil || !strings.Contains(err.Error(), `principal "bot": outputSchemas "nope" must be on or off`) {
		t.Errorf("principal outputSchemas nope: got %v", err)
	}
}
