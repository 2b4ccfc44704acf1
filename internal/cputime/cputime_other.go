//go:build !unix

package cputime

import "time"

var processStart = time.Now()

// Used falls back to the wall clock since the process started where
// getrusage is missing.
func Used() time.Duration { return time.Since(processStart) }
