// Output-schema cost in the TypeScript client: compiles every tool's
// outputSchema from a tools/list answer with the SDK's own validator
// (AjvJsonSchemaValidator, what Client.listTools() runs), as sent and
// shrunk several ways, alternating the variants for 7 rounds, and prints
// each variant's median and bytes. It answers issue 16's question whether
// trimming the schemas brings listTools() with schemas near a peer's
// (~12 ms), and what the listed schemas' $id saves a client listing again:
// see script/bench-output-schemas.
//
// Usage: node outputschema-cost.mjs TOOLS_LIST_JSON
import { readFileSync } from 'node:fs';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
const tools = JSON.parse(readFileSync(process.argv[2], 'utf8')).result.tools;
// strip drops the given keywords everywhere.
const strip = (o, keys) => JSON.parse(JSON.stringify(o), (k, v) => (v && typeof v === 'object' && !Array.isArray(v)) ? Object.fromEntries(Object.entries(v).filter(([kk]) => !keys.includes(kk))) : v);
// depthCap keeps d levels of properties/items and types only below.
function depthCap(s, d) {
  if (!s || typeof s !== 'object') return s;
  if (d <= 0 && (s.properties || s.items)) { const t = s.type; return t ? { type: t } : {}; }
  const out = Array.isArray(s) ? [] : {};
  for (const [k, v] of Object.entries(s)) out[k] = (k === 'properties') ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, depthCap(pv, d - 1)])) : (k === 'items' ? depthCap(v, d - 1) : v);
  return out;
}
const variants = {
  asis: (s) => s,
  nodesc: (s) => strip(s, ['description']),
  noformat: (s) => strip(s, ['format']),
  nodesc_noformat: (s) => strip(s, ['description', 'format']),
  depth3: (s) => depthCap(s, 3),
  depth2: (s) => depthCap(s, 2),
};
const order = Object.keys(variants);
const res = Object.fromEntries(order.map((k) => [k, []]));
for (let r = 0; r < 7; r++) {
  for (const name of (r % 2 ? [...order].reverse() : order)) {
    const schemas = tools.map((t) => variants[name](t.outputSchema));
    const v = new AjvJsonSchemaValidator();
    const t0 = performance.now();
    for (const s of schemas) v.getValidator(s);
    res[name].push(performance.now() - t0);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const k of order) console.log(k.padEnd(16), med(res[k]).toFixed(1), 'ms', JSON.stringify(tools.map((t) => variants[k](t.outputSchema))).length, 'bytes');

// Re-listing: the SDK compiles again on every listTools() unless a schema's
// $id is already known to its Ajv instance (ajv.getSchema($id)). Compiles a
// fresh copy of the listing twice on one validator, with the listed $ids and
// without, and prints the median CPU time of each pass (7 rounds).
const cpu = (f) => { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };
const relist = { with_id: [[], []], without_id: [[], []] };
for (let r = 0; r < 7; r++) {
  for (const k of Object.keys(relist)) {
    const v = new AjvJsonSchemaValidator();
    const copy = () => tools.map((t) => { const s = structuredClone(t.outputSchema); if (k === 'without_id') delete s.$id; return s; });
    const first = copy(), second = copy();
    relist[k][0].push(cpu(() => first.forEach((s) => v.getValidator(s))));
    relist[k][1].push(cpu(() => second.forEach((s) => v.getValidator(s))));
  }
}
for (const [k, [a, b]] of Object.entries(relist)) console.log(`relist ${k}`.padEnd(20), 'first', med(a).toFixed(1), 'ms CPU, second', med(b).toFixed(1), 'ms CPU');
