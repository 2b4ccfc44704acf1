package synth

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// KindPlugin is the evidence kind of a plugin skill's rows.
const KindPlugin = "plugin"

// maxPluginSkills bounds the plugin skills one investigation runs.
const maxPluginSkills = 3

// PluginSkill is a loaded plugin skill the planner may run when a question
// is about its data (its description says what that is).
type PluginSkill struct {
	Tool        string
	Description string
	Inputs      []PluginInput
}

// PluginInput is one input of a plugin skill.
type PluginInput struct {
	Name, Description string
	// Kind is how the skill binds it: "string", "number", "timespan",
	// "timespan count", "timespan unit", "datetime", "identifier", "list",
	// "scalar" (see internal/plugins).
	Kind string
	// Optional inputs (not required, or with a default) may be left out.
	Optional bool
}

// PluginFacet is a plugin skill's run: the query it sent and its rows.
type PluginFacet struct {
	Tool        string           `json:"tool"`
	Description string           `json:"description"`
	Query       string           `json:"query"`
	Rows        []map[string]any `json:"rows"`
	TotalRows   int              `json:"totalRows"`
}

// pluginPlan is a skill chosen for a question with its arguments.
type pluginPlan struct {
	skill PluginSkill
	args  map[string]any
	score int
}

var wordRe = lazyre.New(`[a-z0-9]+`)

// skillStopWords carry no meaning for matching a question to a skill.
var skillStopWords = map[string]bool{"the": true, "and": true, "for": true, "with": true, "from": true, "that": true,
	"this": true, "what": true, "which": true, "who": true, "any": true, "are": true, "was": true, "were": true,
	"has": true, "have": true, "had": true, "did": true, "does": true, "last": true, "past": true, "days": true,
	"day": true, "hours": true, "our": true, "show": true, "list": true, "get": true, "find": true, "all": true,
	"there": true, "been": true, "into": true, "about": true, "plugin": true, "skill": true, "query": true,
	"tenant": true, "specified": true, "fetches": true, "returns": true, "user": true, "users": true}

func contentWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range wordRe.FindAllString(strings.ToLower(strings.ReplaceAll(s, "_", " ")), -1) {
		if len(w) < 3 || skillStopWords[w] {
			continue
		}
		out[strings.TrimSuffix(w, "s")] = true
	}
	return out
}

// matchSkills picks the plugin skills whose description shares at least
// two meaningful words with the question and whose inputs the request can
// fill, best first.
func matchSkills(q Request, it intent, skills []PluginSkill) []pluginPlan {
	qw := contentWords(q.Question)
	var out []pluginPlan
	for _, s := range skills {
		sw := contentWords(s.Tool + " " + s.Description)
		score := 0
		for w := range qw {
			if sw[w] {
				score++
			}
		}
		if score < 2 {
			continue
		}
		if args, ok := fillInputs(s, q, it); ok {
			out = append(out, pluginPlan{skill: s, args: args, score: score})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	if len(out) > maxPluginSkills {
		out = out[:maxPluginSkills]
	}
	return out
}

// fillInputs gives each input a value from the request's entities and
// window; a required input nothing fills rules the skill out.
func fillInputs(s PluginSkill, q Request, it intent) (map[string]any, bool) {
	args := map[string]any{}
	days := 7
	if it.win.set() {
		days = max(1, int(math.Ceil(it.win.to.Sub(it.win.from).Hours()/24)))
	}
	for _, in := range s.Inputs {
		v := inputValue(in, q, days)
		if v == "" {
			if !in.Optional {
				return nil, false
			}
			continue
		}
		args[in.Name] = v
	}
	return args, true
}

func inputValue(in PluginInput, q Request, days int) string {
	words := wordRe.FindAllString(strings.ToLower(in.Name+" "+in.Description), -1)
	has := func(prefixes ...string) bool {
		for _, w := range words {
			for _, p := range prefixes {
				if w == p || len(p) > 3 && strings.HasPrefix(w, p) {
					return true
				}
			}
		}
		return false
	}
	switch in.Kind {
	case "timespan":
		return fmt.Sprintf("%dd", days)
	case "timespan count":
		if has("hour", "hours") {
			return fmt.Sprint(days * 24)
		}
		return fmt.Sprint(days)
	case "timespan unit":
		return "d"
	}
	switch {
	case has("ip", "ipaddr", "ipv4", "ipv6"):
		return q.IP
	case has("email", "mail", "upn", "user", "account", "recipient", "mailbox", "sender"):
		return q.User
	case has("device", "machine", "host", "computer", "alertedmachine"):
		return q.Device
	case has("incident"):
		return q.IncidentID
	case has("day", "days") && (in.Kind == "number" || in.Kind == "scalar"):
		return fmt.Sprint(days)
	}
	return ""
}

// pluginJob runs a chosen skill and keeps its rows as evidence.
func pluginJob(p pluginPlan) job {
	s := p.skill
	return job{key: "5-plugin-" + s.Tool, source: "plugin skill " + s.Tool, tool: s.Tool, args: p.args,
		then: func(r *run, raw json.RawMessage) error {
			var d struct {
				Sent    string `json:"sent"`
				Columns []struct {
					Name string `json:"name"`
				} `json:"columns"`
				Rows      [][]any `json:"rows"`
				TotalRows int     `json:"totalRows"`
				Sources   []struct {
					URI string `json:"uri"`
				} `json:"sources"`
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", s.Tool, err)
			}
			if len(d.Sources) == 0 {
				return fmt.Errorf("%s cited no run", s.Tool)
			}
			f := PluginFacet{Tool: s.Tool, Description: s.Description, Query: d.Sent, Rows: []map[string]any{}, TotalRows: d.TotalRows}
			for i, row := range d.Rows {
				if i >= 20 {
					break
				}
				m := map[string]any{}
				for j, c := range d.Columns {
					if j < len(row) {
						m[c.Name] = row[j]
					}
				}
				f.Rows = append(f.Rows, m)
			}
			r.set.Add(d.Sources[0].URI, KindPlugin, "plugin:"+s.Tool, "Plugin skill "+s.Tool, s.Tool, "plugin", f)
			return nil
		}}
}

// pluginLines writes each plugin skill's run: its row count and the first
// rows, every value quoted as the untrusted data it is.
func (w *writer) plugins() {
	var lines []string
	for _, it := range w.set.OfKind(KindPlugin) {
		f, ok := it.Facet("plugin").(PluginFacet)
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("- Plugin skill %s (%s) returned %d rows %s.", f.Tool, q(f.Description), f.TotalRows, cites(it)))
		for i, row := range f.Rows {
			if i >= 3 {
				break
			}
			keys := make([]string, 0, len(row))
			for k := range row {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, k+" "+q(fmt.Sprint(row[k])))
			}
			lines = append(lines, "  - "+strings.Join(parts, ", ")+" "+cites(it)+".")
		}
	}
	if len(lines) > 0 {
		w.printf("\n### Plugin skills\n%s\n", strings.Join(lines, "\n"))
	}
}
