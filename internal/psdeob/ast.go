package psdeob

// The AST is deliberately small: it covers the expression and command forms
// that obfuscators use. Anything the parser does not understand becomes an
// opaque node, never an error.

type node interface{ span() (int, int) }

type pos struct{ start, end int }

func (p pos) span() (int, int) { return p.start, p.end }

type (
	strLit struct {
		pos
		val string
	}
	expStr struct { // double-quoted, expanded at evaluation time
		pos
		raw string
	}
	numLit struct {
		pos
		text string
	}
	varRef struct {
		pos
		name string
	}
	wordLit struct { // bareword argument or command name
		pos
		text string
	}
	paramTok struct { // -Name in argument mode
		pos
		name string
	}
	typeLit struct {
		pos
		name string
	}
	subExpr struct { // $( ... ), @( ... ), ( ... )
		pos
		body  []stmt
		array bool
	}
	scriptBlock struct {
		pos
		body []stmt
		text string
	}
	hashLit struct {
		pos
		keys, vals []node
	}
	arrayLit struct {
		pos
		elems []node
	}
	castExpr struct {
		pos
		typ string
		x   node
	}
	unaryExpr struct {
		pos
		op string
		x  node
	}
	binaryExpr struct {
		pos
		op   string
		l, r node
	}
	memberExpr struct {
		pos
		x      node
		name   node // strLit for plain names, any node for dynamic names
		static bool
	}
	invokeExpr struct {
		pos
		target *memberExpr
		args   []node
	}
	indexExpr struct {
		pos
		x, idx node
	}
	incDec struct {
		pos
		op string
		x  node
	}
	opaque struct{ pos }
)

// Statements.
type stmt interface{ node }

type (
	pipeline struct {
		pos
		elems []node // first may be any expression; others are *command
	}
	command struct {
		pos
		call string // "&", "." or ""
		name node
		args []node
	}
	assignStmt struct {
		pos
		op     string
		target node
		value  stmt
	}
	ifStmt struct {
		pos
		conds  []stmt
		blocks [][]stmt
		els    []stmt
	}
	loopStmt struct {
		pos
		kind string // foreach, for, while, do, switch
		vr   string
		coll stmt
		body []stmt
		// for (init; cond; iter), while (cond), do {} while|until (cond)
		init, cond, iter stmt
		until            bool
	}
	funcDef struct {
		pos
		name   string
		params []string
		body   []stmt
	}
	tryStmt struct {
		pos
		body, catch, finally []stmt
	}
	flowStmt struct { // return / throw / exit / break / continue
		pos
		kind  string
		value stmt
	}
)
