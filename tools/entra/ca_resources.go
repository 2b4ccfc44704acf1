package entra

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// RegisterResources adds the tenant-scoped resource kinds the Entra tools
// cite besides the standard entities: named locations
// (secmcp://{tenant}/namedlocations/{id}) and risk detections
// (secmcp://{tenant}/riskdetections/{id}).
func RegisterResources(rs *resources.Server) {
	rs.AddTemplate(resources.Template{Kind: resources.KindLocation, Tool: "entra_list_ca_policies", Name: "named location",
		Description: "A Conditional Access named location (IP ranges or countries, trusted or not).", Read: readNamedLocation})
	rs.AddTemplate(resources.Template{Kind: resources.KindRisk, Tool: "entra_list_risk_detections", Name: "risk detection",
		Description: "An Entra ID Protection risk detection.", Read: readRiskDetection})
}

func graphOf(ctx context.Context, t *tenant.Tenant) (source.Graph, error) {
	src, err := t.Sources(ctx)
	if err != nil {
		return nil, err
	}
	if src.Graph == nil {
		return nil, fmt.Errorf("tenant %s has no Microsoft Graph access configured", t.Alias)
	}
	return src.Graph, nil
}

func readNamedLocation(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
	g, err := graphOf(ctx, t)
	if err != nil {
		return nil, err
	}
	locs, err := g.ListNamedLocations(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		if strings.EqualFold(l.ID, id) {
			return l, nil
		}
	}
	return nil, fmt.Errorf("named location %q: %w", id, source.ErrNotFound)
}

// maxDetectionPages bounds the scan for one detection (Graph has no
// single-detection read in the source interface).
const maxDetectionPages = 20

func readRiskDetection(ctx context.Context, t *tenant.Tenant, id string) (any, error) {
	g, err := graphOf(ctx, t)
	if err != nil {
		return nil, err
	}
	o := source.ListOptions{Top: 200}
	for i := 0; i < maxDetectionPages; i++ {
		page, err := g.ListRiskDetections(ctx, source.RiskQuery{ListOptions: o})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			if d.ID == id {
				return d, nil
			}
		}
		if page.Next == "" || len(page.Items) == 0 {
			break
		}
		tools.Advance(&o, page.Next)
	}
	return nil, fmt.Errorf("risk detection %q: %w", id, source.ErrNotFound)
}
