#!/usr/bin/env bash
# Benchmark the KQL engine against DuckDB (single thread) on identical seeded data.
# Usage: internal/kql/bench/run.sh [rows]   (default 1,000,000 rows per large table)
set -euo pipefail
rows=${1:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=${KQLBENCH_DIR:-/tmp/kqlbench}
duck=${DUCKBENCH_DIR:-/tmp/duckbench}
if [ ! -d "$duck/node_modules/@duckdb/node-api" ]; then
  mkdir -p "$duck"
  (cd "$duck" && npm install --silent --no-audit --no-fund @duckdb/node-api@1.5.6-r.1 >/dev/null)
fi
cd "$root"
go run ./internal/kql/bench -dir "$work" -rows "$rows" gen
# ES modules resolve packages next to the script, so run a copy inside the scratch dir.
cp "$here/duck.mjs" "$duck/duck.mjs"
node "$duck/duck.mjs" "$work"
go run ./internal/kql/bench -dir "$work" compare
