// Package engine executes parsed KQL scripts over in-memory columnar tables.
//
// It powers the offline kql_run_sandbox tool and the emulator's Advanced
// Hunting, Sentinel and Kusto endpoints on the demo tenants. It is pure Go
// with no I/O: tables come from a Catalog, the clock behind now() and ago()
// is injected through Options, and externaldata is refused.
//
// Design choices, and why:
//
//   - Storage is columnar (one typed slice per column plus a null mask),
//     because hunting queries filter and aggregate a few columns of wide
//     tables; typed slices let the hot kernels (comparisons, has/contains,
//     group-by on one key) run without boxing each cell.
//   - Datetimes and timespans are kept as 100-nanosecond ticks (datetime
//     counted from 0001-01-01 UTC), exactly Kusto's precision and range, so
//     tolong(1d) and datetime(1601-01-01) behave as documented.
//   - Strings are never null (KQL semantics: an absent string is ""); every
//     other type carries a per-cell null.
//   - Expressions are evaluated a column at a time. Common shapes get typed
//     fast paths; everything else goes through one generic per-row path over
//     the scalar function library, so a feature exists once.
//   - Filters, joins and sorts produce lazy gathers (row indices over the
//     source column); a column is copied only when an expression reads it,
//     so `where` over a 30-column table copies just the columns used later.
//   - Limits: a per-call Budget of bytes, cells, rows and steps summed over
//     all operators (checked before allocating where the size is known);
//     result rows (truncated, reported), intermediate rows and
//     cells, computed string bytes, regex length and program size, and the
//     context deadline checked inside row loops; a panic is recovered into
//     an "internal error" so no input can crash the caller.
//   - Strings inside dynamic values are never re-parsed implicitly (Kusto
//     needs parse_json for that); property bags print with sorted keys.
//   - Anything the engine does not implement fails with an error that starts
//     with "not supported:" — a refused query is better than a wrong answer.
//   - dcount is exact (Kusto's is a HyperLogLog estimate); percentiles use
//     nearest-rank on the sorted values, which is within Kusto's documented
//     estimation error.
package engine
