package defender

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
)

func TestSuggestHuntingFromIncident(t *testing.T) {
	g := exStory(exNow)
	g.hunt = func(q string) (*source.Table, error) {
		tb := &source.Table{Columns: []source.Column{{Name: "DeviceName", Type: "string"}}}
		if strings.Contains(q, "RemoteDeviceName") {
			tb.Rows = [][]any{{"ct-fs-01.contoso.com"}}
		}
		return tb, nil
	}
	res, err := suggestHunting(context.Background(), exCall(g), Deps{PrepareKQL: kqlcheck.Default().Prepare},
		SuggestHuntingParams{IncidentID: "77", Run: true, Max: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Queries) == 0 || res.Validated != res.Proposed || len(res.Dropped) != 0 {
		t.Fatalf("validated %d of %d, dropped %+v", res.Validated, res.Proposed, res.Dropped)
	}
	if !res.Ran || res.WithRows == 0 || len(g.queries) != len(res.Queries) {
		t.Fatalf("run: %+v, %d queries sent", res.Ran, len(g.queries))
	}
	ids := map[string]bool{}
	for _, q := range res.Queries {
		ids[q.TemplateID] = true
		if q.Rows == nil || !q.Validation.Valid || !q.Validation.Safe {
			t.Errorf("%s: %+v", q.TemplateID, q)
		}
	}
	for _, want := range []string{"lateral-from-device-logons", "device-persistence-registry", "encoded-powershell", "lsass-access"} {
		if !ids[want] {
			t.Errorf("missing %s in %v", want, ids)
		}
	}
	// The only hash in the evidence is powershell.exe's: on every device, so no lead.
	for _, q := range res.Queries {
		if strings.Contains(q.Query, strings.Repeat("9f", 32)) {
			t.Errorf("%s hunts the hash of powershell.exe", q.TemplateID)
		}
	}
	if !strings.Contains(res.Text(), "```kql") || res.Since.After(g.alerts["da1_-1"].FirstActivityTime) {
		t.Fatalf("text/window: %s %s", res.Since, res.Text()[:200])
	}
}

func TestSuggestHuntingEntitiesAndErrors(t *testing.T) {
	g := exStory(exNow)
	call := exCall(g)
	res, err := suggestHunting(context.Background(), call, Deps{}, SuggestHuntingParams{
		Devices: []string{`evil"host\|x` + "\n"}, CommandLines: []string{`cmd /c "echo | take 1"`}, Techniques: []string{"T1486"}})
	if err != nil || len(res.Queries) == 0 || len(res.Dropped) != 0 || res.Ran || len(g.queries) != 0 {
		t.Fatalf("%v %+v", err, res)
	}
	var te *tools.ToolError
	if _, err := suggestHunting(context.Background(), call, Deps{}, SuggestHuntingParams{IncidentID: "999"}); !errors.As(err, &te) || te.Kind != "not_found" {
		t.Fatalf("unknown incident: %v", err)
	}
	for _, p := range []SuggestHuntingParams{{}, {Techniques: []string{"T1059"}}, {Devices: []string{"a"}, Techniques: []string{"1059"}},
		{IPs: make([]string, 21)}} {
		if err := p.Validate(); err == nil {
			t.Errorf("params %+v accepted", p)
		}
	}
	g.hunt = func(string) (*source.Table, error) { return nil, &source.ThrottledError{Service: "graph"} }
	if _, err := suggestHunting(context.Background(), call, Deps{}, SuggestHuntingParams{IncidentID: "77", Run: true}); !errors.As(err, &te) || te.Kind != "rate_limited" {
		t.Fatalf("throttled: %v", err)
	}
}
