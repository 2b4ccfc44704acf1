package catalog

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// TestResourceReadsNameTheirTool checks that every tenant-scoped resource
// kind that reads upstream names the catalogue tool whose price a read pays;
// a misspelt name would silently fall back to one unit.
func TestResourceReadsNameTheirTool(t *testing.T) {
	all := All(Deps{})
	reg, err := tools.NewRegistry(all, tools.Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rs := resources.NewServer(nil)
	RegisterResources(rs, Deps{})
	// Kinds served from the server's own memory make no upstream call.
	inMemory := map[string]bool{"scripts": true}
	for _, tpl := range rs.Templates() {
		if tpl.Tool == "" {
			if !inMemory[tpl.Kind] {
				t.Errorf("resource kind %s names no tool whose price its reads pay", tpl.Kind)
			}
			continue
		}
		if c, ok := reg.Price(tpl.Tool); !ok || c < 1 {
			t.Errorf("resource kind %s pays the price of %q, which is not a catalogue tool with a cost", tpl.Kind, tpl.Tool)
		}
	}
}

func TestStaticRootsComeFromTheResources(t *testing.T) {
	got := strings.Join(StaticRoots(), ",")
	for _, want := range []string{"attack", "hunting", "intune", "schemas"} {
		if !strings.Contains(","+got+",", ","+want+",") {
			t.Errorf("static roots %s lack %s", got, want)
		}
	}
}
