// Package synth is the synthesizer behind the investigate tool: one question
// fans out to every relevant source and comes back as a Markdown answer whose
// every factual sentence cites evidence it can be checked against.
//
// The pipeline has four parts:
//
//   - the planner (plan.go) maps the question and its entities (incident,
//     user, device, IP, window) to source calls. Each source call is another
//     tool of this server invoked through the registry (Invoke), so it pays
//     its own cost from the tenant's budget, is audited as the caller, and
//     keeps its own deadline — the synthesizer never reaches a source around
//     the tool core. Follow-up calls (a user's sign-in risk, a device's
//     compliance, a hunting query, DLP activity, script analysis of encoded
//     command lines) start as soon as the call that names their entity
//     returns, so the fan-out's critical path is close to its slowest call;
//   - the fan-out (fanout.go) runs calls concurrently (bounded), reports MCP
//     progress, and stops at a deadline: calls that failed or did not finish
//     are reported as missing sources, never waited for;
//   - the evidence set (evidence.go): one item per resource URI, each with
//     the JSON snippet the answer may rest on, numbered E1, E2, … in a
//     deterministic order (kind, then time/name, then URI) that does not
//     depend on which call finished first;
//   - writers (builtin.go, sampling.go, openai.go) turn the evidence into
//     Markdown that cites ids, and the verifier (verify.go) checks every
//     sentence of every writer against the snippets of the ids it cites
//     with internal/cite's fact extraction and matching plus a count check,
//     removing what is unsupported and reporting how many sentences it
//     removed.
//
// Evidence is attacker-influenced text. Model writers receive it as
// JSON-encoded data between random, unforgeable delimiters with a warning
// never to follow instructions found in it; and whatever a model writes is
// verified like everything else, so a prompt injection can at worst make the
// answer shorter, not make it state a fact the evidence does not hold.
package synth
