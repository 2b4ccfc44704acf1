package plugins

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/secmcp/secmcp/resources"
)

// KeepCall stores one call of a plugin MCP server's tool (the arguments
// sent and the answer) and returns its citation,
// secmcp://{tenant}/plugins/{server}/{tool}/{runId}, which opens with the
// same resource template as a KQL skill's run. A nil store keeps nothing.
func (s *RunStore) KeepCall(tenantAlias, server, tool string, sent json.RawMessage, answer any) (string, bool) {
	if s == nil || strings.Contains(tool, "/") {
		return "", false
	}
	id := newRunID()
	uri := strings.TrimSuffix(resources.URI(tenantAlias, KindPlugins, "x"), "x") + server + "/" + tool + "/" + id
	doc, err := json.Marshal(runDoc{URI: uri, Tenant: tenantAlias, Plugin: server, Skill: tool, Tool: server + "__" + tool,
		Target: "mcp", RanAt: time.Now().UTC(), Sent: string(sent), Answer: answer})
	if err != nil {
		return "", false
	}
	s.put(tenantAlias, id, doc)
	return uri, true
}

// KeepAPI stores one call of an API skill (the request as sent, without
// secrets, and the answer) and returns its citation,
// secmcp://{tenant}/plugins/{plugin}/{operation}/{runId}.
func (s *RunStore) KeepAPI(tenantAlias string, sk *APISkill, sent string, answer any) (string, bool) {
	if s == nil {
		return "", false
	}
	id := newRunID()
	skill := Normalize(sk.Op.ID)
	uri := strings.TrimSuffix(resources.URI(tenantAlias, KindPlugins, "x"), "x") + sk.Plugin + "/" + skill + "/" + id
	doc, err := json.Marshal(runDoc{URI: uri, Tenant: tenantAlias, Plugin: sk.Plugin, Skill: skill, Tool: sk.Tool,
		Target: "api", RanAt: time.Now().UTC(), Sent: sent, Answer: answer})
	if err != nil {
		return "", false
	}
	s.put(tenantAlias, id, doc)
	return uri, true
}
