package defender

import (
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
)

// KillChainStep is one ATT&CK tactic the incident's alerts show, with the
// techniques mapped to it. Only techniques that alerts name are mapped.
type KillChainStep struct {
	Tactic     string            `json:"tactic"`
	TacticID   string            `json:"tacticId,omitempty"`
	Order      int               `json:"order"`
	First      time.Time         `json:"first"`
	Techniques []MappedTechnique `json:"techniques"`
}

// MappedTechnique is a technique named by one or more alerts.
type MappedTechnique struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// InKB is false for technique IDs the built-in ATT&CK knowledge base does not hold.
	InKB  bool      `json:"inKnowledgeBase"`
	First time.Time `json:"first"`
	// Alerts are the IDs of the alerts naming the technique (at most maxTechAlerts).
	Alerts     []string `json:"alerts"`
	AlertCount int      `json:"alertCount"`
	// FirstTitle is the title of the earliest alert naming it (untrusted).
	FirstTitle string `json:"firstTitle"`
	URI        string `json:"uri"`
	AttackURI  string `json:"attackUri,omitempty"`
}

const (
	maxTechAlerts = 5
	unmappedOrder = 99
)

// tacticOrder is the kill-chain position of an alert category (99 when unknown).
func tacticOrder(category string) int {
	if o := attack.KillChainOrder(category); o >= 0 {
		return o
	}
	return unmappedOrder
}

// tacticFor picks the tactic a technique is mapped to for one alert: the
// alert's own category when the technique belongs to it, else the
// technique's earliest tactic; for techniques outside the knowledge base,
// the alert's category.
func tacticFor(techID, category string) (attack.Tactic, attack.Technique, bool) {
	t, known := attack.Resolve(techID)
	cat, catOK := attack.LookupTactic(category)
	if known {
		if catOK {
			for _, s := range t.Tactics {
				if ta, ok := attack.LookupTactic(s); ok && ta.ID == cat.ID {
					return cat, t, true
				}
			}
		}
		if ft := t.FirstTactic(); ft.ID != "" {
			return ft, t, true
		}
	}
	if catOK {
		return cat, t, known
	}
	return attack.Tactic{Name: "Unmapped", Order: unmappedOrder}, t, known
}

// killChain maps the alerts' techniques to tactics, ordered by kill-chain
// phase, then by the time each technique was first seen.
func (b *summaryBuilder) killChain() []KillChainStep {
	steps := map[string]*KillChainStep{}
	techs := map[string]*MappedTechnique{} // tactic|technique
	var order []string
	for _, a := range b.alerts {
		at := alertStart(a)
		seen := map[string]bool{}
		for _, raw := range a.MitreTechniques {
			id := attack.NormalizeID(raw)
			if !attack.ValidID(id) || seen[id] {
				continue
			}
			seen[id] = true
			ta, t, known := tacticFor(id, a.Category)
			st := steps[ta.Name]
			if st == nil {
				st = &KillChainStep{Tactic: ta.Name, TacticID: ta.ID, Order: ta.Order, First: at}
				steps[ta.Name] = st
			}
			if at.Before(st.First) {
				st.First = at
			}
			key := ta.Name + "|" + id
			mt := techs[key]
			if mt == nil {
				mt = &MappedTechnique{ID: id, InKB: known, First: at, FirstTitle: oneLine(a.Title, 160), URI: b.alertURI(a.ID)}
				if known {
					mt.Name = t.FullName()
					if t.ID != id {
						mt.Name = t.Name + " (parent of " + id + ")"
					}
					mt.AttackURI = attack.URI(t.ID)
				}
				techs[key] = mt
				order = append(order, key)
			}
			mt.AlertCount++
			if len(mt.Alerts) < maxTechAlerts {
				mt.Alerts = append(mt.Alerts, a.ID)
			}
		}
	}
	for _, key := range order {
		mt := techs[key]
		st := steps[key[:strings.IndexByte(key, '|')]]
		st.Techniques = append(st.Techniques, *mt)
	}
	return sortSteps(steps)
}

func sortSteps(steps map[string]*KillChainStep) []KillChainStep {
	out := make([]KillChainStep, 0, len(steps))
	for _, st := range steps {
		sort.SliceStable(st.Techniques, func(i, j int) bool {
			if !st.Techniques[i].First.Equal(st.Techniques[j].First) {
				return st.Techniques[i].First.Before(st.Techniques[j].First)
			}
			return st.Techniques[i].ID < st.Techniques[j].ID
		})
		out = append(out, *st)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].First.Before(out[j].First)
	})
	return out
}
