// DuckDB side of the KQL engine benchmark: loads the CSVs written by
// `go run ./internal/kql/bench gen`, runs the same queries single-threaded
// and writes duck.json. Usage: node duck.mjs DIR (run from a folder whose
// node_modules holds @duckdb/node-api; run.sh copies it there).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || '/tmp/kqlbench';
const runs = Number(process.argv[3] || 5);
const queries = JSON.parse(readFileSync(join(dir, 'queries.json'), 'utf8'));

const schemas = {
  DeviceProcessEvents: {Timestamp: 'TIMESTAMP', DeviceId: 'VARCHAR', DeviceName: 'VARCHAR', ActionType: 'VARCHAR',
    FileName: 'VARCHAR', FolderPath: 'VARCHAR', ProcessCommandLine: 'VARCHAR', AccountName: 'VARCHAR',
    InitiatingProcessFileName: 'VARCHAR', ProcessId: 'BIGINT'},
  SigninLogs: {TimeGenerated: 'TIMESTAMP', UserPrincipalName: 'VARCHAR', IPAddress: 'VARCHAR', AppDisplayName: 'VARCHAR',
    ResultType: 'VARCHAR', Location: 'VARCHAR', ConditionalAccessStatus: 'VARCHAR'},
  DeviceInfo: {DeviceId: 'VARCHAR', OSPlatform: 'VARCHAR'},
};

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await instance.connect();
let rows = 0;
for (const [name, cols] of Object.entries(schemas)) {
  const spec = Object.entries(cols).map(([c, t]) => `'${c}': '${t}'`).join(', ');
  const file = join(dir, name + '.csv');
  await con.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv('${file}', header=true, columns={${spec}})`);
  rows += Number((await con.runAndReadAll(`SELECT count(*) FROM ${name}`)).getRows()[0][0]);
}
const mem = await con.runAndReadAll(`SELECT sum(memory_usage_bytes) FROM duckdb_memory()`);
const bytes = Number(mem.getRows()[0][0]);

const timings = [];
for (const q of queries) {
  const ms = [];
  let result;
  for (let i = 0; i <= runs; i++) {
    const t0 = process.hrtime.bigint();
    result = (await con.runAndReadAll(q.sql)).getRows();
    const t1 = process.hrtime.bigint();
    if (i > 0) ms.push(Number(t1 - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const first = result.length ? String(result[0][result[0].length - 1]) : '';
  timings.push({ name: q.name, ms: ms[Math.floor(ms.length / 2)], rows: result.length, first });
}
writeFileSync(join(dir, 'duck.json'), JSON.stringify({ engine: 'duckdb', bytes_per_row: bytes / rows, timings }, null, 2));
