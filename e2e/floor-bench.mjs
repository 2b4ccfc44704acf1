// Floor benchmark on the official MCP TypeScript SDK: starts the floor server
// (tools/mcpadapter/floor, a bare mcp-go server with two trivial tools) and
// secmcp over stdio, alternating them for ROUNDS rounds so both see the same
// machine load, and prints each one's medians (start → initialized, one
// tools/list, peak resident memory from /proc VmHWM) and secmcp's ratios to
// the floor; also the CPU each server used up to initialized, which the
// machine's load hardly moves. Issue 16's targets: start → initialized
// ≤ 1.5× the floor, peak RSS ≤ 25 MiB.
//
// With PEER_CMD set (script/bench-floor sets it to an mcp-grafana binary
// when there is one), that server runs interleaved too, as a third, for
// issue 16's target: connect + listTools() ≤ mcp-grafana's (PEER_NAME names
// it; PEER_ARGS, space-separated, are its arguments).
//
// Usage: node floor-bench.mjs ROUNDS FLOOR_CMD SECMCP_CMD [SECMCP_ARGS...]
// (SECMCP_ARGS, e.g. --output-schemas on, go to secmcp only)
// (run from the folder holding node_modules; script/bench-floor does).
import { readFileSync, readdirSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [roundsArg, floorCmd, secmcpCmd, ...secmcpArgs] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!(rounds > 0) || !floorCmd || !secmcpCmd) {
  console.error('usage: node floor-bench.mjs ROUNDS FLOOR_CMD SECMCP_CMD');
  process.exit(2);
}

function peakRSSKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

// cpuMs is the CPU time the process has used so far, all threads, from
// /proc/PID/task/*/schedstat (nanoseconds on a CPU): unlike wall time it
// hardly moves with the machine's load.
function cpuMs(pid) {
  try {
    let ns = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

// once starts the named server, completes the handshake and one tools/list, and returns
// the timings and the server's peak RSS.
async function once(name) {
  const args = name === 'secmcp' ? secmcpArgs : (name === peerName ? peerArgs : []);
  const transport = new StdioClientTransport({ command: servers[name], args, stderr: 'ignore' });
  const client = new Client({ name: 'secmcp-floor-bench', version: '1.0.0' });
  const t0 = performance.now();
  await client.connect(transport);
  const t1 = performance.now();
  const cpu = cpuMs(transport.pid);
  const res = await client.listTools();
  const t2 = performance.now();
  const rss = peakRSSKiB(transport.pid);
  await client.close();
  return { init: t1 - t0, cpu, list: t2 - t1, rss, tools: res.tools.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const peerName = process.env.PEER_CMD ? (process.env.PEER_NAME || 'peer') : '';
const peerArgs = (process.env.PEER_ARGS || '').split(' ').filter(Boolean);
const servers = { floor: floorCmd, secmcp: secmcpCmd };
if (peerName) servers[peerName] = process.env.PEER_CMD;
const names = Object.keys(servers);
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (const name of names) await once(name); // warm the page cache for every binary
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? names : [...names].reverse();
  for (const name of order) samples[name].push(await once(name));
}
const sum = {};
for (const name of Object.keys(servers)) {
  const s = samples[name];
  sum[name] = {
    initializedMs: median(s.map((x) => x.init)),
    cpuMs: median(s.map((x) => x.cpu)),
    toolsListMs: median(s.map((x) => x.list)),
    connectListMs: median(s.map((x) => x.init + x.list)),
    peakRSSMiB: median(s.map((x) => x.rss)) / 1024,
    tools: s[0].tools,
  };
}
const r1 = (x) => Math.round(x * 10) / 10;
const r2 = (x) => Math.round(x * 100) / 100;
for (const name of Object.keys(servers)) {
  const s = sum[name];
  console.log(`${name.padEnd(peerName ? Math.max(7, peerName.length) : 7)} start→initialized ${r1(s.initializedMs)} ms (CPU ${r1(s.cpuMs)} ms)  tools/list ${r1(s.toolsListMs)} ms  connect+listTools ${r1(s.connectListMs)} ms  peak RSS ${r1(s.peakRSSMiB)} MiB  (${s.tools} tools, median of ${rounds})`);
}
console.log(`ratio secmcp/floor: start→initialized ${r2(sum.secmcp.initializedMs / sum.floor.initializedMs)}× (target ≤ 1.5; CPU ${r2(sum.secmcp.cpuMs / sum.floor.cpuMs)}×)  ` +
  `peak RSS ${r2(sum.secmcp.peakRSSMiB / sum.floor.peakRSSMiB)}× (secmcp ${r1(sum.secmcp.peakRSSMiB)} MiB, target ≤ 25)  ` +
  `tools/list ${r2(sum.secmcp.toolsListMs / sum.floor.toolsListMs)}×`);
if (peerName) {
  console.log(`ratio secmcp/${peerName}: connect+listTools ${r2(sum.secmcp.connectListMs / sum[peerName].connectListMs)}× (target ≤ 1)  ` +
    `listTools ${r2(sum.secmcp.toolsListMs / sum[peerName].toolsListMs)}×  start→initialized ${r2(sum.secmcp.initializedMs / sum[peerName].initializedMs)}×`);
}
