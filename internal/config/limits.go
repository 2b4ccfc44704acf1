package config

import "fmt"

// Limits bound the work one call may do in the engines that run inside the
// server. A zero field keeps the engine's default.
type Limits struct {
	// KQLBytes caps the estimated bytes one query produces, summed over all
	// its operators, in the in-process KQL engine (kql_run_sandbox and the
	// demo emulator). Default 128 MiB (engine.DefaultBudgetBytes).
	KQLBytes int64 `yaml:"kqlBytes"`
	// KQLCells caps the cells (rows × new columns) one query produces.
	// Default 32,000,000.
	KQLCells int64 `yaml:"kqlCells"`
	// KQLRows caps the rows one query produces over all its operators.
	// Default 8,000,000.
	KQLRows int64 `yaml:"kqlRows"`
	// ScriptBytes caps the bytes of values scripts_analyze builds while it
	// evaluates one script. Default 64 MiB (psdeob.DefaultScriptBytes).
	ScriptBytes int64 `yaml:"scriptBytes"`
	// ScriptSteps caps its evaluation steps. Default 4,000,000.
	ScriptSteps int64 `yaml:"scriptSteps"`
}

// Validate refuses budgets too small to run a query or too large for one
// call (the engine counts groups in 32-bit ids).
func (l Limits) Validate() error {
	for _, f := range []struct {
		name           string
		v, least, most int64
	}{{"kqlBytes", l.KQLBytes, 1 << 20, 64 << 30}, {"kqlCells", l.KQLCells, 1000, 1 << 30}, {"kqlRows", l.KQLRows, 1000, 1 << 30},
		{"scriptBytes", l.ScriptBytes, 1 << 20, 4 << 30}, {"scriptSteps", l.ScriptSteps, 10_000, 1_000_000_000}} {
		if f.v != 0 && (f.v < f.least || f.v > f.most) {
			return fmt.Errorf("limits.%s: %d is outside %d..%d (leave it out for the default)", f.name, f.v, f.least, f.most)
		}
	}
	return nil
}
