package plugins

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/sharedcorpus"
)

// TestSharedAPIManifests loads the API manifests of ../shared/plugins-dev:
// without configuration each is skipped because its document is only a URL
// (fetching is off); with the local copies configured each operation
// loads, POSTs as write tools. Nothing is called.
func TestSharedAPIManifests(t *testing.T) {
	dir := sharedcorpus.Path(t, "plugins-dev")
	docs := map[string]string{
		"IP Geo Location":        "ipgl-openapi.yaml",
		"HaveIBeenPwned":         "hibp-openapi.yaml",
		"eDiscovery Case Plugin": "eDiscovery_API_Plugin.yaml",
	}
	res, err := LoadDirs(&Env{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range apiManifests(res) {
		if m.Count(Skipped) != 1 || !strings.Contains(m.Skills[0].Reason, "fetching OpenAPI documents at load is off") {
			t.Errorf("%s without configuration: %+v", m.Path, m.Skills)
		}
	}
	apis := map[string]config.PluginAPI{}
	for name, f := range docs {
		apis[name] = config.PluginAPI{OpenAPI: filepath.Join(dir, "openapi", f), Auth: config.PluginAuth{Env: "UNUSED_IN_TEST"}}
	}
	apis["eDiscovery Case Plugin"] = config.PluginAPI{OpenAPI: apis["eDiscovery Case Plugin"].OpenAPI, Auth: config.PluginAuth{Type: "entra", Scope: "https://graph.microsoft.com/.default"}}
	res, err = LoadDirs(&Env{APIs: apis}, dir)
	if err != nil {
		t.Fatal(err)
	}
	ms := apiManifests(res)
	if len(ms) != len(docs) {
		t.Fatalf("%d API manifests, want %d", len(ms), len(docs))
	}
	for _, m := range ms {
		writes := 0
		for _, s := range m.Skills {
			if s.Status == Loaded && !s.Spec.ReadOnly {
				writes++
			}
		}
		t.Logf("%-36s loaded %2d (%d write tools) skipped %d refused %d", filepath.Base(m.Path), m.Count(Loaded), writes, m.Count(Skipped), m.Count(Refused))
		if m.Count(Loaded) == 0 || m.Count(Refused) > 0 {
			for _, s := range m.Skills {
				if s.Status == Loaded {
					continue
				}
				t.Errorf("%s: %s %s: %s", filepath.Base(m.Path), s.Status, s.Skill, s.Reason)
			}
		}
	}
}

func apiManifests(res *Result) []ManifestReport {
	var out []ManifestReport
	for _, m := range res.Manifests {
		for _, s := range m.Skills {
			if s.Format == "API" {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
