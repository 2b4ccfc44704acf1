package plugins

import (
	"encoding/json"
	"strings"
)

// KeepCall stores one call of a plugin MCP server's tool (the arguments
// sent and the answer) and returns its citation,
// secmcp://{tenant}/plugins/{server}/{tool}/{runId}, which opens with the
// same resource template as a KQL skill's run. A nil store keeps nothing.
func (s *RunStore) KeepCall(tenantAlias, server, tool string, sent json.RawMessage, answer any) (string, bool) {
	if strings.Contains(tool, "/") {
		return "", false
	}
	return s.keepDoc(tenantAlias, runDoc{Tenant: tenantAlias, Plugin: server, Skill: tool, Tool: server + "__" + tool,
		Target: "mcp", Sent: string(sent), Answer: answer})
}

// KeepAPI stores one call of an API skill (the request as sent, without
// secrets, and the answer) and returns its citation,
// secmcp://{tenant}/plugins/{plugin}/{operation}/{runId}.
func (s *RunStore) KeepAPI(tenantAlias string, sk *APISkill, sent string, answer any) (string, bool) {
	return s.keepDoc(tenantAlias, runDoc{Tenant: tenantAlias, Plugin: sk.Plugin, Skill: Normalize(sk.Op.ID), Tool: sk.Tool,
		Target: "api", Sent: sent, Answer: answer})
}
