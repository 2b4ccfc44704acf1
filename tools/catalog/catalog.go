// Package catalog assembles every toolset into the full tool catalogue. It is
// separate from cmd so tests, the README generator and schema snapshots can
// see the catalogue without building the Microsoft SDK clients.
package catalog

import (
	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/defender"
	"github.com/secmcp/secmcp/tools/entra"
	"github.com/secmcp/secmcp/tools/intune"
	"github.com/secmcp/secmcp/tools/investigate"
	"github.com/secmcp/secmcp/tools/kql"
	"github.com/secmcp/secmcp/tools/purview"
	"github.com/secmcp/secmcp/tools/reports"
	"github.com/secmcp/secmcp/tools/scripts"
	"github.com/secmcp/secmcp/tools/sentinel"
)

// Deps are the dependencies shared by the toolsets.
type Deps struct {
	// PrepareKQL checks a query before it is sent upstream and returns the
	// query to send (caps applied by rewriting its tree) with the caps; nil
	// sends queries unchecked.
	PrepareKQL func(query string) (string, []string, error)
	// KQL are the KQL toolset's dependencies (all optional).
	KQL kql.Deps
	// Synth configures the investigate tool (off when Mode is empty).
	Synth investigate.Deps
	// ScriptLimits is scripts_analyze's work budget per call (zero fields:
	// defaults).
	ScriptLimits psdeob.Limits
}

// All returns every tool of every toolset.
func All(d Deps) []tools.Spec {
	var all []tools.Spec
	all = append(all, defender.Tools(defender.Deps{PrepareKQL: d.PrepareKQL})...)
	all = append(all, sentinel.Tools(sentinel.Deps{PrepareKQL: d.PrepareKQL})...)
	all = append(all, entra.Tools(entra.Deps{})...)
	all = append(all, intune.Tools(intune.Deps{})...)
	all = append(all, purview.Tools(purview.Deps{})...)
	all = append(all, kql.Tools(d.KQL)...)
	all = append(all, reports.Tools(reports.Deps{})...)
	all = append(all, scripts.Tools(scripts.Deps{Checker: d.KQL.Checker, Limits: d.ScriptLimits})...)
	all = append(all, investigate.Tools(d.Synth)...)
	return all
}
