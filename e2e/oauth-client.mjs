// An MCP client on the official TypeScript SDK that signs in the way MCP
// authorization (2025-11-25) prescribes, for the end-to-end test of Entra
// sign-in against the demo server: the 401's WWW-Authenticate leads to the
// protected-resource metadata, that to the authorization server (the
// emulator's demo Entra authority) and its OpenID configuration, then the
// authorization code flow with PKCE (the demo authorize endpoint approves at
// once; this script follows its redirect instead of a browser), the token
// request, and finally the tool calls with the access token.
//
// Usage: node oauth-client.mjs --url URL --client-id ID --login-hint UPN --ops '<json array>'
// Ops as in client.mjs ({"list":"tools"} or {"call":NAME,"args":{...}}).
// Prints {"op":-2,"fetched":[...URLs...]} (every URL the SDK fetched, in
// order), {"op":-1,...} for the connection, then one line per op.
// NODE_EXTRA_CA_CERTS must name the emulator's certificate (/demo/ca.pem).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const argv = process.argv.slice(2);
let url, clientId, loginHint, ops = [];
while (argv.length) {
  const a = argv.shift();
  if (a === '--url') url = argv.shift();
  else if (a === '--client-id') clientId = argv.shift();
  else if (a === '--login-hint') loginHint = argv.shift();
  else if (a === '--ops') ops = JSON.parse(argv.shift());
}

const fetched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const u = input instanceof Request ? input.url : String(input);
  fetched.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${u.split('?')[0]}`);
  return realFetch(input, init);
};

// The OAuth client: a pre-registered public client (Entra has no dynamic
// client registration), tokens and the PKCE verifier kept in memory.
class DemoProvider {
  get redirectUrl() { return 'http://127.0.0.1:1/callback'; }
  get clientMetadata() {
    return { client_name: 'secmcp-e2e', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code'],
      response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() { return { client_id: clientId }; }
  tokens() { return this._tokens; }
  saveTokens(t) { this._tokens = t; }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  // The "browser": ask the demo authority, which approves at once and
  // redirects to the callback with the code.
  async redirectToAuthorization(authURL) {
    authURL.searchParams.set('login_hint', loginHint);
    const r = await globalThis.fetch(authURL, { redirect: 'manual' });
    const loc = new URL(r.headers.get('location') ?? 'http://invalid/');
    if (!loc.searchParams.get('code')) throw new Error(`authorize: ${r.status} ${loc.searchParams.get('error_description') ?? await r.text()}`);
    this.code = loc.searchParams.get('code');
  }
}

const provider = new DemoProvider();
const client = new Client({ name: 'secmcp-e2e-oauth', version: '1.0.0' });
try {
  let transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  try {
    await client.connect(transport);
  } catch (e) {
    if (!(e instanceof UnauthorizedError) || !provider.code) throw e;
    await transport.finishAuth(provider.code);
    transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    await client.connect(transport);
  }
} catch (e) {
  console.log(JSON.stringify({ op: -2, fetched }));
  console.log(JSON.stringify({ op: -1, ok: false, error: String(e?.stack ?? e) }));
  process.exit(1);
}
console.log(JSON.stringify({ op: -2, fetched }));
console.log(JSON.stringify({ op: -1, ok: true, result: { server: client.getServerVersion() } }));
for (const [i, op] of ops.entries()) {
  try {
    let result;
    if (op.list === 'tools') result = (await client.listTools()).tools;
    else if (op.call) result = await client.callTool({ name: op.call, arguments: op.args ?? {} });
    else throw new Error('unknown op ' + JSON.stringify(op));
    console.log(JSON.stringify({ op: i, ok: true, result }));
  } catch (e) {
    console.log(JSON.stringify({ op: i, ok: false, error: String(e?.message ?? e) }));
  }
}
await client.close();
