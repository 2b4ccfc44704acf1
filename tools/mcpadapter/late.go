package mcpadapter

import (
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/secmcp/secmcp/tools"
)

// lateSync keeps mcp-go's tool list in step with the registry's late tools
// (a plugin MCP server connected, reconnected or changed its tools): the
// tools no longer exposed are deleted and the toolset's current ones added
// (replacing those of the same name). mcp-go sends
// notifications/tools/list_changed to the clients for each change.
func lateSync(s *server.MCPServer, cfg Config) func(string, []string, []tools.Spec) {
	return func(_ string, removed []string, exposed []tools.Spec) {
		if len(removed) > 0 {
			s.DeleteTools(removed...)
		}
		if len(exposed) == 0 {
			return
		}
		st := make([]server.ServerTool, 0, len(exposed))
		for _, spec := range exposed {
			t := toMCPTool(spec)
			// mcp-go panics on a tool whose x-mcp-header annotations it
			// refuses; a plugin's tool must not take the server down.
			if err := mcp.ValidateParamHeaderAnnotations(&t); err != nil {
				if cfg.Log != nil {
					cfg.Log.Warn("plugin tool left out", "tool", spec.Name, "reason", err.Error())
				}
				continue
			}
			st = append(st, server.ServerTool{Tool: t, Handler: toolHandler(cfg, spec.Name)})
		}
		s.AddTools(st...)
	}
}
