package tools

import (
	"context"

	"github.com/secmcp/secmcp/internal/source"
)

// Graph returns the call's tenant Graph source.
func (c Call) Graph(ctx context.Context) (source.Graph, error) {
	s, err := c.Tenant.Sources(ctx)
	if err != nil {
		return nil, err
	}
	if s.Graph == nil {
		return nil, &ToolError{Msg: "tenant " + c.Tenant.Alias + " has no Microsoft Graph access configured", Kind: "refused"}
	}
	return s.Graph, nil
}
