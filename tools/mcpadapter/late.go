package mcpadapter

import (
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
		st := make([]server.ServerTool, len(exposed))
		for i, spec := range exposed {
			t := toMCPTool(spec)
			if cfg.NoOutputSchemas {
				t.RawOutputSchema = nil
			}
			st[i] = server.ServerTool{Tool: t, Handler: toolHandler(cfg, spec.Name)}
		}
		s.AddTools(st...)
	}
}
