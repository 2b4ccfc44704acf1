package kql

import (
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/tools"
)

func TestGenerate(t *testing.T) {
	r, err := invoke[GenerateResult](t, "kql_generate", call("contoso", true), map[string]any{
		"question": "Which users had the most failed sign-ins in the last 30 days?", "run": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Valid || !strings.HasPrefix(r.Query, "SigninLogs") || !strings.Contains(r.Query, `ResultType != "0"`) {
		t.Fatalf("query: valid=%v\n%s", r.Valid, r.Query)
	}
	if len(r.Tables) != 1 || r.Tables[0] != "SigninLogs" || len(r.Sources) != 1 || !strings.HasSuffix(r.Sources[0].URI, "/schemas/tables/SigninLogs") {
		t.Errorf("tables %v sources %v", r.Tables, r.Sources)
	}
	if len(r.Explanation) < 3 || len(r.Examples) == 0 {
		t.Errorf("explanation %v examples %v", r.Explanation, r.Examples)
	}
	if r.Run == nil || r.Run.Error != "" || r.Run.TotalRows == 0 || len(r.Run.Rows) > sampleRows || r.Run.Dataset != "contoso (demo data)" {
		t.Fatalf("run: %+v", r.Run)
	}
	if !strings.Contains(r.Text(), "```kql") || !strings.Contains(r.Text(), "Sample run") {
		t.Errorf("text:\n%s", r.Text())
	}
}

func TestGenerateAssumptionsAndEntities(t *testing.T) {
	r, err := invoke[GenerateResult](t, "kql_generate", call("contoso", true), map[string]any{
		"question": "processes launched by powershell.exe on CT-LT-1037 recently",
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Run != nil {
		t.Error("ran without run=true")
	}
	if len(r.Entities) != 2 || !strings.Contains(r.Query, `InitiatingProcessFileName =~ "powershell.exe"`) {
		t.Errorf("entities %v\n%s", r.Entities, r.Query)
	}
	if len(r.Assumptions) == 0 || !strings.Contains(r.Assumptions[0], "recently") {
		t.Errorf("assumptions %v", r.Assumptions)
	}
}

func TestGenerateTargetWarnings(t *testing.T) {
	r, err := invoke[GenerateResult](t, "kql_generate", call("contoso", true), map[string]any{
		"question": "inbox rules created", "target": "defender", "tables": []string{"OfficeActivity"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suggestions) == 0 || !strings.Contains(r.Suggestions[0], "Sentinel") {
		t.Errorf("suggestions %v for %s", r.Suggestions, r.Query)
	}
}

func TestGenerateErrors(t *testing.T) {
	for name, args := range map[string]map[string]any{
		"blank":     {"question": "   "},
		"nonsense":  {"question": "qwerty zxcv"},
		"bad hint":  {"question": "failed sign-ins", "tables": []string{"NoSuchThingAtAll"}},
		"many hint": {"question": "failed sign-ins", "tables": []string{"a", "b", "c", "d", "e", "f"}},
	} {
		_, err := invoke[GenerateResult](t, "kql_generate", call("contoso", true), args)
		var te *tools.ToolError
		if !errors.As(err, &te) {
			t.Errorf("%s: want a tool error, got %v", name, err)
		}
	}
}

func TestGenerateSaysItsProduct(t *testing.T) {
	r, err := invoke[GenerateResult](t, "kql_generate", call("contoso", true), map[string]any{
		"question": "devices exposed to CVE-2024-38063", "target": "defender"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Product != "defender" || !strings.Contains(r.Text(), "for Defender XDR Advanced Hunting") || strings.Contains(r.Query, "TimeGenerated") {
		t.Errorf("product %q, text:\n%s", r.Product, r.Text())
	}
}
