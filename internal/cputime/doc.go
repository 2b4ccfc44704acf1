// Package cputime reads the CPU time the process has used, for tests that
// bound work by CPU rather than by the clock, which a loaded machine
// stretches.
package cputime
