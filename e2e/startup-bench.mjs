// Startup benchmark on the official MCP TypeScript SDK: starts a stdio server
// RUNS times and prints, as medians, the time to a completed initialize
// handshake, the time of one tools/list, the tool count, the tools/list sizes
// (wire: the JSON of the whole result; model-facing: each tool's name,
// description and input schema, which clients hand to the model) and the
// server's peak resident memory (VmHWM from /proc).
//
// Usage: node startup-bench.mjs RUNS -- CMD [ARGS...]
// (run from the folder holding node_modules; make startup does).
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const runs = Number(argv[0]);
if (!(runs > 0) || sep < 0 || sep === argv.length - 1) {
  console.error('usage: node startup-bench.mjs RUNS -- CMD [ARGS...]');
  process.exit(2);
}
const [cmd, ...args] = argv.slice(sep + 1);

function peakRSSKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

function modelFacingBytes(tools) {
  let n = 0;
  for (const t of tools) {
    n += Buffer.byteLength(t.name) + Buffer.byteLength(t.description ?? '') + Buffer.byteLength(JSON.stringify(t.inputSchema ?? {}));
  }
  return n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = { init: [], list: [], rss: [] };
let tools = [], wire = 0;
for (let i = 0; i < runs; i++) {
  const transport = new StdioClientTransport({ command: cmd, args, stderr: 'ignore' });
  const client = new Client({ name: 'secmcp-startup-bench', version: '1.0.0' });
  const t0 = performance.now();
  await client.connect(transport);
  const t1 = performance.now();
  const res = await client.listTools();
  const t2 = performance.now();
  tools = res.tools;
  wire = Buffer.byteLength(JSON.stringify(res));
  samples.init.push(t1 - t0);
  samples.list.push(t2 - t1);
  samples.rss.push(peakRSSKiB(transport.pid));
  await client.close();
}
console.log(JSON.stringify({
  runs,
  initializedMs: Math.round(median(samples.init) * 10) / 10,
  toolsListMs: Math.round(median(samples.list) * 10) / 10,
  tools: tools.length,
  toolsListWireBytes: wire,
  toolsListModelFacingBytes: modelFacingBytes(tools),
  peakRSSMiB: Math.round(median(samples.rss) / 102.4) / 10,
}));
