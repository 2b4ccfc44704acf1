package main

import (
	"strings"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// outputSchemaPolicy decides whether a caller's tools/list carries output
// schemas: a key principal's own outputSchemas, then the token's client app
// (outputSchemas.entraApps), then the client's name (outputSchemas.clients),
// then --output-schemas (issue 16: clients on the TypeScript SDK compile a
// validator per schema; an operator can spare them that and keep schemas
// for clients that use them). nil when nothing but the default is set and
// it is on.
func outputSchemaPolicy(cfg *config.Config, flag string) func(tools.Caller, string) bool {
	def := flag != "off"
	var principals, apps, clients map[string]bool
	if cfg != nil {
		for _, p := range cfg.Principals {
			if p.OutputSchemas != "" {
				if principals == nil {
					principals = map[string]bool{}
				}
				principals[p.Name] = p.OutputSchemas == "on"
			}
		}
		apps, clients = cfg.OutputSchemas.EntraAppSchemas(), cfg.OutputSchemas.ClientSchemas()
	}
	if def && principals == nil && apps == nil && clients == nil {
		return nil
	}
	return func(c tools.Caller, client string) bool {
		if on, ok := principals[c.Principal]; ok {
			return on
		}
		if on, ok := apps[strings.ToLower(c.ClientApp)]; ok && c.ClientApp != "" {
			return on
		}
		if on, ok := clients[strings.ToLower(strings.TrimSpace(client))]; ok && client != "" {
			return on
		}
		return def
	}
}
