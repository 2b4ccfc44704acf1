// A scripted MCP client on the official TypeScript SDK, for the end-to-end
// tests: it connects over streamable HTTP (with an optional bearer key) or
// stdio, runs a list of operations and prints one JSON line per operation.
//
// Usage: node client.mjs --ops '<json array>' (--url URL [--key KEY] | --cmd BIN [ARGS...])
// An op is {"list":"tools"|"resources"|"templates"|"prompts"}, {"call":NAME,"args":{...}},
// or {"read":URI}. Each printed line is {"op":i,"ok":true,"ms":…,"result":...} (ms: the
// operation's time in the client, validation of output schemas included) or
// {"op":i,"ok":false,"error":"..."}; the process exits 0 unless connecting failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const argv = process.argv.slice(2);
let url, key, ops = [], cmd = [];
while (argv.length) {
  const a = argv.shift();
  if (a === '--url') url = argv.shift();
  else if (a === '--key') key = argv.shift();
  else if (a === '--ops') ops = JSON.parse(argv.shift());
  else if (a === '--cmd') { cmd = argv.splice(0); }
}
const transport = url
  ? new StreamableHTTPClientTransport(new URL(url), key ? { requestInit: { headers: { Authorization: `Bearer ${key}` } } } : {})
  : new StdioClientTransport({ command: cmd[0], args: cmd.slice(1), stderr: 'ignore' });
const client = new Client({ name: 'secmcp-e2e', version: '1.0.0' });
try {
  await client.connect(transport);
} catch (e) {
  console.log(JSON.stringify({ op: -1, ok: false, error: String(e?.message ?? e) }));
  process.exit(1);
}
console.log(JSON.stringify({ op: -1, ok: true, result: { protocolVersion: transport.protocolVersion ?? null, server: client.getServerVersion() } }));
for (const [i, op] of ops.entries()) {
  const t0 = performance.now();
  try {
    let result;
    if (op.list === 'tools') result = (await client.listTools()).tools;
    else if (op.list === 'resources') result = (await client.listResources()).resources;
    else if (op.list === 'templates') result = (await client.listResourceTemplates()).resourceTemplates;
    else if (op.list === 'prompts') result = (await client.listPrompts()).prompts;
    else if (op.call) result = await client.callTool({ name: op.call, arguments: op.args ?? {} });
    else if (op.read) result = await client.readResource({ uri: op.read });
    else throw new Error('unknown op ' + JSON.stringify(op));
    console.log(JSON.stringify({ op: i, ok: true, ms: performance.now() - t0, result }));
  } catch (e) {
    console.log(JSON.stringify({ op: i, ok: false, error: String(e?.message ?? e) }));
  }
}
await client.close();
