package config

import (
	"fmt"
	"strings"
)

// OutputSchemas lets the operator serve tools/list without output schemas
// to some clients and with them to others (issue 16): clients built on the
// TypeScript SDK compile a validator for every outputSchema when they list
// tools, which costs them far more than the listing itself. Results carry
// structuredContent either way, which the MCP specification allows without
// a schema (https://modelcontextprotocol.io/specification/2025-06-18/server/tools#structured-content),
// and every schema stays readable as secmcp://schemas/tools/{name}.
// The server-wide default is --output-schemas (SECMCP_OUTPUT_SCHEMAS, off). The
// most specific setting wins: a key principal's own outputSchemas, then
// the token's client app (entraApps), then the client's name (clients).
//
//	outputSchemas:
//	  clients:                  # by the name the client sends in initialize (clientInfo.name), any case
//	    my-validating-agent: on
//	  entraApps:                # by the Entra application (client) ID that obtained the token (azp / appid)
//	    aebc6443-996d-45c2-90f0-388ff96faa56: off
type OutputSchemas struct {
	Clients   map[string]string `yaml:"clients"`
	EntraApps map[string]string `yaml:"entraApps"`
}

// validate names the first entry whose value is not on or off, or whose
// Entra app is not an application ID.
func (o OutputSchemas) validate() error {
	for name, v := range o.Clients {
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("outputSchemas.clients: a client name is empty; use the name the client sends in initialize (clientInfo.name)")
		}
		if err := OnOff("outputSchemas.clients."+name, v); err != nil {
			return err
		}
	}
	for app, v := range o.EntraApps {
		if !guidRE.MatchString(app) {
			return fmt.Errorf("outputSchemas.entraApps: %q must be an Entra application (client) ID, a GUID", app)
		}
		if err := OnOff("outputSchemas.entraApps."+app, v); err != nil {
			return err
		}
	}
	return nil
}

// OnOff refuses a setting other than "on" or "off", naming where it is.
func OnOff(where, v string) error {
	if v != "on" && v != "off" {
		return fmt.Errorf("%s %q must be on or off", where, v)
	}
	return nil
}

// ClientSchemas is the clients map with lower-case names and on/off as
// booleans (nil when empty).
func (o OutputSchemas) ClientSchemas() map[string]bool {
	return onMap(o.Clients, strings.ToLower)
}

// EntraAppSchemas is the entraApps map with lower-case IDs and on/off as
// booleans (nil when empty).
func (o OutputSchemas) EntraAppSchemas() map[string]bool {
	return onMap(o.EntraApps, strings.ToLower)
}

func onMap(m map[string]string, key func(string) string) map[string]bool {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[key(strings.TrimSpace(k))] = v == "on"
	}
	return out
}
