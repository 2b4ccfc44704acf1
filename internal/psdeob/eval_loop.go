package psdeob

import "strings"

// Loops. foreach runs over a computed collection. for, while and do loops run
// for real when their condition can be computed, bounded by maxCountedIters
// iterations and maxCountedSteps evaluation steps per loop (and
// maxAllLoopSteps per analysis, so an endless beacon loop cannot starve the
// rest of the script). While a counted loop runs, intermediate strings are not
// recorded as indicator candidates — a string built one character per
// iteration would otherwise leave every prefix of a URL behind — and the
// final values of the variables it assigned are recorded once it ends. A loop
// that hits a bound, or whose condition becomes unknown part-way, leaves the
// variables it assigned unknown rather than half-computed. A loop whose
// condition is unknown from the start, or false at once, is looked into once
// as before, so code inside it is still seen.
const (
	maxCountedIters = 1 << 17
	maxCountedSteps = 1 << 20
	maxAllLoopSteps = 3 << 20 / 2
)

type flow int

const (
	flowNone flow = iota
	flowBreak
	flowContinue
)

// setFlow records break/continue inside a loop; it reports whether kind was one.
func (e *evaluator) setFlow(kind string) bool {
	if e.loopDepth == 0 || (kind != "break" && kind != "continue") {
		return false
	}
	if kind == "break" {
		e.flow = flowBreak
	} else {
		e.flow = flowContinue
	}
	return true
}

// uncertainFlow handles a break/continue met while exploring a branch whose
// condition is unknown: exploration goes on, but the enclosing counted loop's
// result becomes unknown.
func (e *evaluator) uncertainFlow() {
	if e.flow != flowNone {
		e.flow = flowNone
		e.flowTainted = true
	}
}

func (e *evaluator) runLoop(x *loopStmt) value {
	e.loopDepth++
	defer func() { e.loopDepth--; e.flow = flowNone }()
	switch {
	case x.kind == "foreach" && x.coll != nil && x.vr != "":
		coll, _ := e.runStmt(x.coll)
		items := toList(coll)
		if !isUnknown(coll) && len(items) <= 4096 {
			var out psArray
			for _, it := range items {
				if !e.tick() {
					break
				}
				e.vars[x.vr] = it
				// break is not honoured here: foreach is how scripts try
				// each of several URLs, and every item is worth seeing.
				v := e.runStmts(x.body)
				if !e.reserveElems(listLen(v)) {
					break
				}
				out = append(out, toList(v)...)
				e.flow = flowNone
			}
			return out
		}
		e.vars[x.vr] = unknown
	case x.kind == "for" || (x.kind == "while" || x.kind == "do") && x.cond != nil:
		if e.countedLoop(x) {
			return unknown
		}
	}
	e.exploreOnce(x)
	return unknown
}

// exploreOnce runs a loop's parts once, in source order, to look inside it.
func (e *evaluator) exploreOnce(x *loopStmt) {
	for _, s := range []stmt{x.init, x.cond, x.iter} {
		if s != nil {
			e.runStmt(s)
		}
	}
	e.flow = flowNone
	e.runStmts(x.body)
	e.flow = flowNone
}

// countedLoop runs x while its condition is known and true. It reports
// whether it handled the loop; false means the caller should explore it once
// (the condition was unknown or false before the first iteration).
func (e *evaluator) countedLoop(x *loopStmt) bool {
	if x.init != nil {
		e.runStmt(x.init)
	}
	start, n := e.steps, 0
	e.quiet++
	finished := false
	for n < maxCountedIters && e.steps-start < maxCountedSteps && e.loopSteps+e.steps-start < maxAllLoopSteps && !e.stopped {
		if x.kind != "do" || n > 0 {
			ok, known := e.loopCond(x)
			if !known {
				break
			}
			if !ok {
				finished = true
				break
			}
		}
		e.flowTainted = false
		e.runStmts(x.body)
		f := e.flow
		e.flow = flowNone
		n++
		if e.flowTainted {
			break
		}
		if f == flowBreak {
			finished = true
			break
		}
		if x.iter != nil {
			e.runStmt(x.iter)
		}
	}
	e.quiet--
	e.loopSteps += e.steps - start
	if n == 0 && x.kind != "do" {
		return false
	}
	for _, name := range assignedVars(x) {
		if !finished {
			e.vars[name] = unknown
		} else if s, ok := e.vars[name].(string); ok {
			e.record(s, x)
		}
	}
	return true
}

// loopCond evaluates the loop condition; known is false when it cannot be.
func (e *evaluator) loopCond(x *loopStmt) (ok, known bool) {
	if x.cond == nil {
		return true, true // for (;;)
	}
	v, _ := e.runStmt(x.cond)
	b, known := toBool(v)
	if isUnknown(v) {
		return false, false
	}
	return b != x.until, known
}

// setIndex assigns $a[i] = v for byte arrays, arrays and hashtables, in place:
// PowerShell arrays are references, so every name for the array sees it.
func (e *evaluator) setIndex(t *indexExpr, v value) {
	base, idx := e.eval(t.x), e.eval(t.idx)
	if isUnknown(base) || isUnknown(idx) {
		e.unknownBase(t.x)
		return
	}
	if h, ok := base.(*psHash); ok {
		k, ok := e.toStr(idx)
		if !ok {
			return
		}
		lk := strings.ToLower(k)
		if _, exists := h.vals[lk]; !exists {
			if !e.reserve(2*elemBytes + 2*int64(len(k))) {
				return
			}
			h.keys = append(h.keys, k)
		}
		h.vals[lk] = v
		return
	}
	i, ok := toInt(idx)
	if !ok {
		e.unknownBase(t.x)
		return
	}
	switch c := base.(type) {
	case []byte:
		if i < 0 {
			i += int64(len(c))
		}
		b, ok := toInt(v)
		if i < 0 || i >= int64(len(c)) || !ok || b < 0 || b > 255 {
			e.unknownBase(t.x)
			return
		}
		c[i] = byte(b)
	case psArray:
		if i < 0 {
			i += int64(len(c))
		}
		if i >= 0 && i < int64(len(c)) {
			c[i] = v
		}
	}
}

// unknownBase forgets a variable whose element could not be assigned.
func (e *evaluator) unknownBase(x node) {
	if v, ok := x.(*varRef); ok {
		e.setVar(v.name, unknown)
	}
}

// assignedVars lists the variables a loop assigns (directly, by element, or
// with ++/--), including in nested blocks.
func assignedVars(x *loopStmt) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n node) {
		for {
			switch t := n.(type) {
			case *castExpr:
				n = t.x
				continue
			case *indexExpr:
				n = t.x
				continue
			case *varRef:
				if !seen[t.name] {
					seen[t.name] = true
					out = append(out, t.name)
				}
			}
			return
		}
	}
	var walk func(stmts ...stmt)
	walk = func(stmts ...stmt) {
		for _, s := range stmts {
			switch t := s.(type) {
			case *assignStmt:
				add(t.target)
				walk(t.value)
			case *pipeline:
				for _, el := range t.elems {
					if d, ok := el.(*incDec); ok {
						add(d.x)
					}
				}
			case *ifStmt:
				walk(t.conds...)
				for _, b := range t.blocks {
					walk(b...)
				}
				walk(t.els...)
			case *loopStmt:
				if t.vr != "" {
					add(&varRef{name: t.vr})
				}
				walk(t.init, t.cond, t.iter)
				walk(t.body...)
			case *tryStmt:
				walk(t.body...)
				walk(t.catch...)
				walk(t.finally...)
			}
		}
	}
	walk(x.init, x.cond, x.iter)
	walk(x.body...)
	return out
}
