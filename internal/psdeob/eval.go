package psdeob

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Structural limits. They bound work on hostile input; when one is hit the
// evaluator stops computing new values (everything becomes unknown) but the
// analysis still returns what it found so far. The size of the values built
// and the number of steps are bounded by the per-call Limits (budget.go).
const (
	maxLayerDepth   = 24
	maxLayers       = 64
	maxCallDepth    = 40
	maxLoopItems    = 1 << 20
	maxPoolBytes    = 8 << 20
	maxInflateBytes = 8 << 20
)

type pooled struct {
	text  string
	layer int
	off   int
}

type evaluator struct {
	ctx        context.Context
	limits     Limits
	bytes      int64       // bytes of values built so far (budget.go)
	limitErr   *LimitError // why the evaluation stopped early, if it did
	timeLimit  time.Duration
	nextCheck  int                       // step count at which the context is checked next
	regexCache map[string]*regexp.Regexp // compiled patterns (budget_ops.go)
	runeCache  struct {                  // the last string indexed by rune (eval_conv.go)
		s  string
		rs []rune
	}
	vars      map[string]value
	env       map[string]string
	funcs     map[string]*funcDef
	layers    []Layer
	cur       int // index of the layer being evaluated
	depth     int
	callDepth int
	steps     int
	stopped   bool
	ops       []string
	allOps    map[string]bool
	pool      []pooled
	poolSeen  map[string]bool
	consumed  map[string]bool // strings later transformed further: intermediate code, not data
	poolBytes int
	sinks     []sinkEvent
	// loop state (eval_loop.go)
	loopDepth int
	loopSteps int  // steps spent in counted loops so far
	quiet     int  // >0 while a counted loop runs: intermediate strings are not recorded
	flow      flow // pending break/continue
	// flowTainted: a break/continue was seen in a branch of unknown condition
	flowTainted bool
	// payloadScanned counts decoded payload bytes scanned for C2 strings
	payloadScanned int
	// stmtOff is the offset of the statement being run (for computed strings
	// recorded without a node of their own)
	stmtOff int
}

type sinkEvent struct {
	layer, off int
	kind       string
}

func newEvaluator(ctx context.Context, limits Limits) *evaluator {
	e := &evaluator{
		ctx:      ctx,
		limits:   limits.withDefaults(),
		vars:     map[string]value{},
		env:      map[string]string{},
		funcs:    map[string]*funcDef{},
		allOps:   map[string]bool{},
		poolSeen: map[string]bool{},
		consumed: map[string]bool{},
	}
	for k, v := range defaultEnv {
		e.env[k] = v
	}
	return e
}

// tick counts work and checks the deadline; it returns false once evaluation
// must stop.
func (e *evaluator) tick() bool {
	if e.stopped {
		return false
	}
	e.steps++
	if int64(e.steps) > e.limits.Steps {
		e.stop(&LimitError{Kind: ErrTooSlow, Key: "limits.scriptSteps", Need: int64(e.steps), Limit: e.limits.Steps})
		return false
	}
	if e.steps >= e.nextCheck {
		// checked every 1024 steps; work() adds many steps at once for
		// large operands, so the threshold moves rather than a mask
		e.nextCheck = e.steps + 1024
		if err := e.ctx.Err(); err != nil {
			e.stop(deadlineError(err, e.timeLimit))
			return false
		}
	}
	return true
}

func (e *evaluator) note(op string) {
	if len(e.ops) < 64 && (len(e.ops) == 0 || e.ops[len(e.ops)-1] != op) {
		dup := false
		for _, o := range e.ops {
			if o == op {
				dup = true
				break
			}
		}
		if !dup {
			e.ops = append(e.ops, op)
		}
	}
	e.allOps[op] = true
}

// record keeps computed strings so indicators hidden behind string
// operations (not only in layer text) can be extracted.
func (e *evaluator) record(s string, n node) {
	if e.quiet > 0 || len(s) < 6 || len(s) > 1<<20 || e.poolBytes > maxPoolBytes || e.poolSeen[s] {
		return
	}
	if !strings.ContainsAny(s, ".:\\/@") {
		return
	}
	e.poolSeen[s] = true
	e.poolBytes += len(s)
	off := e.stmtOff
	if n != nil {
		off, _ = n.span()
	}
	e.pool = append(e.pool, pooled{text: s, layer: e.cur, off: off})
}

// runLayer parses and evaluates the text of layer idx.
func (e *evaluator) runLayer(idx int) {
	saved := e.cur
	e.cur = idx
	e.depth++
	e.ops = nil
	if idx > 0 && !e.reserveParse(e.layers[idx].Text) {
		e.depth--
		e.cur = saved
		return
	}
	body := parseScript(e.layers[idx].Text)
	e.runStmts(body)
	e.depth--
	e.cur = saved
}

// sink records text that would be executed as a new layer and evaluates it.
func (e *evaluator) sink(text, how string, at node) {
	if e.stopped {
		return
	}
	text = strings.TrimPrefix(text, "\ufeff")
	if strings.TrimSpace(text) == "" {
		return
	}
	off := 0
	if at != nil {
		off, _ = at.span()
	}
	e.sinks = append(e.sinks, sinkEvent{layer: e.cur, off: off, kind: how})
	e.consume(text)
	for _, l := range e.layers {
		if l.Text == text {
			return
		}
	}
	if len(e.layers) >= maxLayers || e.depth >= maxLayerDepth {
		return
	}
	// a layer keeps its text (decoded from a command line, it was not a
	// value the evaluator charged yet)
	if !e.reserve(int64(len(text))) {
		return
	}
	steps := append([]string(nil), e.ops...)
	desc := how
	if len(steps) > 0 {
		desc = strings.Join(steps, " → ") + " → " + how
	}
	e.ops = nil
	e.layers = append(e.layers, Layer{
		Index: len(e.layers), Parent: e.cur, ParentLine: lineOf(e.layers[e.cur].Text, off),
		Method: desc, Steps: append(steps, how), Text: text,
	})
	e.runLayer(len(e.layers) - 1)
}

// consume marks a string as an intermediate value.
func (e *evaluator) consume(v value) {
	if s, ok := v.(string); ok && len(s) >= 6 && e.poolSeen[s] {
		e.consumed[s] = true
	}
}

// livePool returns recorded strings that were not transformed further.
func (e *evaluator) livePool() []pooled {
	out := make([]pooled, 0, len(e.pool))
	for _, p := range e.pool {
		if !e.consumed[p.text] {
			out = append(out, p)
		}
	}
	return out
}

func (e *evaluator) runStmts(body []stmt) value {
	var out psArray
	for _, s := range body {
		if !e.tick() {
			return unknown
		}
		e.stmtOff, _ = s.span()
		v, has := e.runStmt(s)
		if e.flow != flowNone {
			break
		}
		if has {
			if arr, ok := v.(psArray); ok {
				out = append(out, arr...)
			} else if v != nil {
				out = append(out, v)
			}
			if !e.reserveElems(listLen(v)) {
				return unknown
			}
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (e *evaluator) runStmt(s stmt) (value, bool) {
	switch x := s.(type) {
	case *pipeline:
		v := e.runPipeline(x)
		return v, true
	case *assignStmt:
		e.assign(x)
		return nil, false
	case *ifStmt:
		return e.runIf(x), true
	case *loopStmt:
		return e.runLoop(x), true
	case *funcDef:
		if x.name != "" {
			e.funcs[x.name] = x
		}
		return nil, false
	case *tryStmt:
		v := e.runStmts(x.body)
		e.uncertainFlow() // any statement before a break in try may throw
		e.runStmts(x.finally)
		return v, true
	case *flowStmt:
		if e.setFlow(x.kind) {
			return nil, false
		}
		if x.value != nil {
			v, _ := e.runStmt(x.value)
			return v, x.kind == "return"
		}
	}
	return nil, false
}

func (e *evaluator) runIf(x *ifStmt) value {
	for i, c := range x.conds {
		var cv value = unknown
		if c != nil {
			cv, _ = e.runStmt(c)
		}
		b, ok := toBool(cv)
		if !ok {
			// unknown condition: look inside every branch
			for _, blk := range x.blocks[i:] {
				e.runStmts(blk)
				e.uncertainFlow()
			}
			e.runStmts(x.els)
			e.uncertainFlow()
			return unknown
		}
		if b {
			return e.runStmts(x.blocks[i])
		}
	}
	return e.runStmts(x.els)
}

func (e *evaluator) assign(a *assignStmt) {
	var v value = unknown
	if a.value != nil {
		v, _ = e.runStmt(a.value)
	}
	if s, ok := v.(string); ok {
		e.record(s, a)
		e.maybeLauncherString(s, a)
	}
	target := a.target
	if p, ok := target.(*pipeline); ok && len(p.elems) == 1 {
		target = p.elems[0]
	}
	if c, ok := target.(*castExpr); ok {
		v = e.cast(c.typ, v)
		target = c.x
	}
	if a.op != "=" {
		cur := e.eval(target)
		v = e.binary(strings.TrimSuffix(a.op, "="), cur, v)
	}
	switch t := target.(type) {
	case *varRef:
		e.setVar(t.name, v)
	case *indexExpr:
		e.setIndex(t, v)
	case *memberExpr:
		obj := e.eval(t.x)
		name, ok := e.memberNameOf(t)
		if o, isObj := obj.(*object); isObj && ok {
			if o.props == nil {
				o.props = map[string]value{}
			}
			o.props[strings.ToLower(name)] = v
		}
	}
}

func (e *evaluator) setVar(name string, v value) {
	if strings.HasPrefix(name, "env:") {
		if s, ok := e.toStr(v); ok {
			e.env[strings.TrimPrefix(name, "env:")] = s
		}
		return
	}
	e.vars[name] = v
}

func (e *evaluator) getVar(name string) value {
	if strings.HasPrefix(name, "env:") {
		if s, ok := e.env[strings.TrimPrefix(name, "env:")]; ok {
			return s
		}
		return unknown
	}
	if v, ok := e.vars[name]; ok {
		return v
	}
	if v, ok := autoVars[name]; ok {
		return v
	}
	return unknown
}

func (e *evaluator) runPipeline(pl *pipeline) value {
	var cur value
	for i, el := range pl.elems {
		if !e.tick() {
			return unknown
		}
		if c, ok := el.(*command); ok {
			cur = e.runCommand(c, cur, i > 0)
		} else {
			cur = e.eval(el)
		}
	}
	return cur
}
