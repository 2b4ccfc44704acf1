package plugins

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/tools"
)

const workspaceFunctionSkills = `Descriptor:
  Name: Workspace Functions
SkillGroups:
  - Format: KQL
    Skills:
      - Name: Watchlist
        Description: a watchlist's search keys
        Inputs:
          - Name: alias
            Description: watchlist alias
        Settings:
          Target: Sentinel
          Template: _GetWatchlist('{{alias}}') | project SearchKey
      - Name: FailedWeb
        Description: failed web requests of the last days
        Inputs:
          - Name: days
            Description: days back
          - Name: result
            Description: event result
        Settings:
          Target: Sentinel
          Template: _Im_WebSession(starttime=ago({{days}}d), eventresult='{{result}}') | summarize n = count() by EventResult
      - Name: WatchlistOnDefender
        Description: the watchlist on the wrong target
        Settings:
          Target: Defender
          Template: _GetWatchlist('VIPUsers') | take 3
`

// TestWorkspaceFunctionSkills: skills calling Sentinel's workspace
// functions run on the demo workspace with their inputs bound as values;
// on a Defender target they warn at load and fail naming the function.
func TestWorkspaceFunctionSkills(t *testing.T) {
	res, err := LoadDirs(&Env{Runs: NewRunStore(nil)}, writeDir(t, map[string]string{"fns.yaml": workspaceFunctionSkills}))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]*tools.Spec{}
	for _, s := range res.Manifests[0].Skills {
		if s.Status != Loaded {
			t.Fatalf("%s: %s %s", s.Skill, s.Status, s.Reason)
		}
		specs[s.Skill] = s.Spec
		warned := len(s.Warnings) > 0 && strings.Contains(s.Warnings[0], "reads _GetWatchlist, a Sentinel / Log Analytics workspace function")
		if warned != (s.Skill == "WatchlistOnDefender") {
			t.Errorf("%s: warnings %v", s.Skill, s.Warnings)
		}
	}
	contoso := demoContoso(t)
	call := tools.Call{Tenant: contoso, Principal: "test"}
	run := func(skill string, args map[string]string) (RunResult, error) {
		raw, _ := json.Marshal(args)
		out, err := specs[skill].Handler(context.Background(), call, raw)
		if err != nil {
			return RunResult{}, err
		}
		return out.(RunResult), nil
	}
	for args, want := range map[[2]string]bool{{"VIPUsers", ""}: true, {"NoSuchList", ""}: false, {"VIPUsers') | take 1 //", ""}: false} {
		r, err := run("Watchlist", map[string]string{"alias": args[0]})
		if err != nil || (r.TotalRows > 0) != want {
			t.Errorf("Watchlist(%q) = %d rows, %v; want rows %v", args[0], r.TotalRows, err, want)
		}
	}
	r, err := run("FailedWeb", map[string]string{"days": "30", "result": "Failure"})
	if err != nil || r.TotalRows != 1 {
		t.Errorf("FailedWeb = %+v, %v", r, err)
	}
	_, err = run("WatchlistOnDefender", nil)
	var te *tools.ToolError
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "workspace function _GetWatchlist is a Sentinel / Log Analytics workspace function") {
		t.Errorf("Defender run: %v", err)
	}
}
