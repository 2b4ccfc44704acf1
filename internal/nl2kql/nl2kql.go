// Package nl2kql turns a plain-language security question into a KQL query
// over the built-in Defender XDR and Sentinel tables, deterministically and
// without a language model. It is the engine of kql_generate.
//
// The pipeline has four stages:
//
//  1. Schema refiner (Service.Plan): extracts literals (UPNs, IPs, hashes,
//     device and file names, domains, CVEs, quoted text) and the time
//     range, normalises the vocabulary ("logon" ~ "sign-in", "process" ~
//     "command line"), and rates the tables by the words that name them,
//     the concepts they implement ("failed sign-ins"), the entities they can
//     hold, the target platform and the tables of similar examples. Words
//     are compared by a lemma key ("phished" meets "phish"), and the words
//     of a table's catalogue columns and description that no profile knows
//     count by their rarity across the catalogue (evidence.go).
//  2. Few-shot selector (Library): the hand-written question/query pairs
//     nearest the question by TF-IDF cosine; they vote for tables here, and
//     a model-backed Generator receives them as examples.
//     Phrasing cues (cues.go) run first: detection preambles ("Detects
//     when …") are dropped, alert pivots ("When Defender for Identity
//     detects …") and privileged-user restrictions are recognised, and
//     endpoint tables lose points to questions with only cloud cues.
//  3. Generator: Templates composes the query from the plan (filters by
//     time, entity and concept, then a shape: list, count, top-N, distinct,
//     time series, first/last seen, new since a baseline, dormant keys,
//     thresholds, shares, latest row per entity of snapshot tables, an
//     alert pivot through SecurityAlert's entities, a join of two tables
//     on a shared key, or two steps when the question names two kinds of
//     evidence — twokinds.go, followup.go). A question without a time range gets a default
//     window per intent, stated in the assumptions.
//     A model-backed implementation of Generator (MCP sampling, OpenAI) can
//     replace it; the plan is its prompt material.
//  4. Query refiner (Refine): validates with internal/kqlcheck and repairs
//     in a loop: unknown table → closest or best-scoring table, unknown
//     column → the analyzer's did-you-mean or the nearest column of that
//     table by name parts, syntax errors → the analyzer's fix, until the
//     query validates or no repair applies.
//
// Why templates rather than retrieval of the nearest example: an example
// answers its own question; templates compose the literals, time range and
// conditions of this one, and every query they write is checked against
// the schema before it is returned.
package nl2kql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
	"github.com/secmcp/secmcp/internal/kqlcheck"
)

// Request is a question to answer with KQL.
type Request struct {
	Question string
	// Tables are hints: when set, only these tables are considered.
	Tables []string
	// Target is "defender", "sentinel" or "" (each table's native form).
	Target string
}

// Plan is what the schema refiner and the few-shot selector found: the
// input of a Generator.
type Plan struct {
	Question string   `json:"question"`
	Target   string   `json:"target,omitempty"`
	Entities []Entity `json:"entities"`
	Window   Window   `json:"window"`
	Intent   Intent   `json:"intent"`
	// Tables are the candidate tables, best first (at most five).
	Tables   []TableChoice `json:"tables"`
	Examples []Scored      `json:"examples"`
	// Concepts are the ids of the analyst concepts recognised.
	Concepts    []string `json:"concepts"`
	Assumptions []string `json:"assumptions"`
	// Cues are the phrasing cues recognised (see cues.go): "detection
	// description", "alert pivot", "privileged users".
	Cues []string `json:"cues,omitempty"`
	// AlertProduct is the SecurityAlert ProductName an alert pivot names.
	AlertProduct string `json:"alertProduct,omitempty"`

	// checker and schema are the target product's (nil: the service's own);
	// writeFor is that product ("" when none was chosen).
	checker     *kqlcheck.Checker
	writeFor    string
	schema      *schema.Schema
	alertPivot  bool
	privileged  bool
	windowGiven bool
	concepts    []concept
	normalized  string
	words       map[string]bool
}

// Draft is a generator's query and the assumptions it made.
type Draft struct {
	Query       string
	Assumptions []string
}

// Generator writes a KQL query for a plan. Templates is the deterministic
// implementation; a model-backed one (MCP sampling, an OpenAI-compatible
// endpoint) can be plugged into Options.Generator.
type Generator interface {
	Generate(ctx context.Context, p *Plan) (Draft, error)
}

// ErrNoTable is returned when no table matches the question.
var ErrNoTable = errors.New("nl2kql: no table matches the question")

// Options configure a Service. Every field is optional.
type Options struct {
	// Checker validates generated queries; nil means kqlcheck.Default().
	Checker *kqlcheck.Checker
	// Generator writes the query; nil means Templates over the checker's schema.
	Generator Generator
	// Examples are the few-shot library; nil means DefaultExamples().
	Examples []Example
	// MaxRepairs bounds the query refiner's rounds (default 5).
	MaxRepairs int
	// Limits bound the work on one request (zero fields: defaults).
	Limits Limits
}

// Service generates KQL from questions. It is safe for concurrent use.
type Service struct {
	checker *kqlcheck.Checker
	schema  *schema.Schema
	gen     Generator
	lib     *Library
	repairs int
	limits  Limits
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{checker: o.Checker, gen: o.Generator, repairs: o.MaxRepairs, limits: o.Limits.withDefaults()}
	if s.checker == nil {
		s.checker = kqlcheck.Default()
	}
	s.schema = s.checker.Schema()
	if s.schema == nil {
		s.schema = kqlcheck.BuiltinSchema()
	}
	if s.gen == nil {
		s.gen = &Templates{Schema: s.schema}
	}
	ex := o.Examples
	if ex == nil {
		ex = DefaultExamples()
	}
	s.lib = NewLibrary(ex, s.schema)
	if s.repairs <= 0 {
		s.repairs = 5
	}
	return s
}

// DefaultGenerator is the service's own generator (the templates unless
// Options.Generator was set).
func (s *Service) DefaultGenerator() Generator { return s.gen }

// Checker is the service's validator.
func (s *Service) Checker() *kqlcheck.Checker { return s.checker }

// Library returns the service's few-shot library.
func (s *Service) Library() *Library { return s.lib }

// Result is a generated, validated query.
type Result struct {
	Query string `json:"query"`
	// Tables are the tables the query reads.
	Tables []string `json:"tables"`
	// Valid is true when the query has no syntax or schema errors.
	Valid bool `json:"valid"`
	// Product is the product whose tables and columns the query was
	// written and validated for: the target, or the main table's native
	// product ("" when the service validates against its own schema).
	Product string `json:"product,omitempty"`
	// Steps explain the query operator by operator.
	Steps       []analyze.Step        `json:"steps"`
	Assumptions []string              `json:"assumptions"`
	Repairs     []string              `json:"repairs"`
	Diagnostics []kqlcheck.Diagnostic `json:"diagnostics"`
	Plan        *Plan                 `json:"plan"`
}

// Generate answers req: plan, generate, refine.
func (s *Service) Generate(ctx context.Context, req Request) (*Result, error) {
	return s.GenerateWith(ctx, req, s.gen)
}

// GenerateWith is Generate with another generator for this request (a
// ModelGenerator bound to the caller's model; see DefaultGenerator for its
// fallback).
func (s *Service) GenerateWith(ctx context.Context, req Request, gen Generator) (*Result, error) {
	p, err := s.PlanContext(ctx, req)
	if err != nil {
		return nil, err
	}
	d, err := gen.Generate(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("nl2kql: generate: %w", err)
	}
	if err := alive(ctx, "writing the query"); err != nil {
		return nil, err
	}
	if len(d.Query) > s.limits.QueryBytes {
		return nil, &limitError{ErrTooLarge, fmt.Sprintf("too large: the generated query is %d bytes (limit %d)", len(d.Query), s.limits.QueryBytes)}
	}
	chk := s.checker
	if p.checker != nil {
		chk = p.checker
	}
	ref := refine(ctx, chk, d.Query, p, s.repairs)
	if err := alive(ctx, "validating the query"); err != nil {
		return nil, err
	}
	res := &Result{Query: ref.Query, Tables: ref.Report.Tables, Valid: ref.Report.Valid && ref.Report.Errors == 0,
		Assumptions: append(append([]string{}, p.Assumptions...), d.Assumptions...), Repairs: ref.Repairs,
		Diagnostics: errorsOnly(ref.Report.Diagnostics), Plan: p, Steps: []analyze.Step{}, Product: p.product()}
	if script, diags := syntax.Parse(ref.Query); !syntax.HasErrors(diags) {
		res.Steps = analyze.Explain(script)
	}
	if res.Tables == nil {
		res.Tables = []string{}
	}
	return res, nil
}

func errorsOnly(ds []kqlcheck.Diagnostic) []kqlcheck.Diagnostic {
	out := []kqlcheck.Diagnostic{}
	for _, d := range ds {
		if d.Severity == kqlcheck.SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Plan runs the schema refiner and the few-shot selector.
func (s *Service) Plan(req Request) (*Plan, error) {
	return s.PlanContext(context.Background(), req)
}

// PlanContext is Plan under ctx: a request over the service's Limits is
// refused before any work (ErrTooLarge), and the stages stop when ctx ends
// (ErrTooSlow).
func (s *Service) PlanContext(ctx context.Context, req Request) (*Plan, error) {
	if err := s.limits.check(req); err != nil {
		return nil, err
	}
	if err := alive(ctx, "reading the question"); err != nil {
		return nil, err
	}
	q := strings.TrimSpace(req.Question)
	if q == "" {
		return nil, errors.New("nl2kql: the question is empty")
	}
	if req.Target != "" && req.Target != PlatformDefender && req.Target != PlatformSentinel {
		return nil, fmt.Errorf("nl2kql: unknown target %q (use defender or sentinel)", req.Target)
	}
	p := &Plan{Question: q, Target: req.Target, Entities: []Entity{}, Concepts: []string{}, Assumptions: []string{}}
	if c := s.checkerFor(req.Target); c != s.checker {
		p.checker, p.schema, p.writeFor = c, c.Schema(), req.Target
	}
	ents, rest := extractEntities(q)
	p.Entities = append(p.Entities, ents...)
	w, assumption, given := parseWindow(q)
	p.Window, p.windowGiven = w, given
	rest = s.readCues(p, rest)
	p.words = map[string]bool{}
	cw := concepts(p.normalized)
	for _, x := range cw {
		p.words[x] = true
	}
	p.matchConcepts()
	p.Intent = parseIntent(p.normalized, w)
	refineIntent(&p.Intent, p.normalized, p.Window)
	readOutlier(&p.Intent, p.normalized)
	subjectKey(&p.Intent, p.normalized)
	readAbsent(&p.Intent, p.normalized)
	if a := p.defaultWindow(assumption); a != "" {
		p.Assumptions = append(p.Assumptions, a)
	}
	if err := alive(ctx, "reading the question"); err != nil {
		return nil, err
	}
	p.Examples = s.lib.Select(rest, 3)
	if p.Examples == nil {
		p.Examples = []Scored{}
	}
	if err := alive(ctx, "choosing examples"); err != nil {
		return nil, err
	}
	cands, err := s.candidates(req, p, cw, squash(rest))
	if err != nil {
		return nil, err
	}
	p.Tables = cands
	s.nativeForm(p)
	p.everWindow()
	return p, nil
}

// candidates scores the tables (restricted to the hints when given).
func (s *Service) candidates(req Request, p *Plan, cw []string, squashed string) ([]TableChoice, error) {
	sch := s.schema
	if p.schema != nil {
		sch = p.schema
		for _, h := range req.Tables {
			n := nearestTable(s.schema, strings.TrimSpace(h))
			if _, ok := p.schema.Table(n); n != "" && !ok {
				// A hinted table the target lacks: honour the hint, write
				// against every built-in table, and say so (the result's
				// suggestions name where the table lives).
				p.Assumptions = append(p.Assumptions, fmt.Sprintf("%s was named although %s does not have it", n, p.Target))
				p.checker, p.schema, sch = nil, nil, s.schema
				break
			}
		}
	}
	scored := scoreTables(sch, p, cw, squashed, p.Examples)
	if len(req.Tables) > 0 {
		allowed := map[string]bool{}
		for _, h := range req.Tables {
			n := nearestTable(sch, strings.TrimSpace(h))
			if n == "" {
				return nil, fmt.Errorf("nl2kql: unknown table hint %q", h)
			}
			if n != h {
				p.Assumptions = append(p.Assumptions, fmt.Sprintf("read the table hint %q as %s", h, n))
			}
			allowed[n] = true
		}
		var kept []TableChoice
		for _, tc := range scored {
			if allowed[tc.Name] {
				kept = append(kept, tc)
				delete(allowed, tc.Name)
			}
		}
		for _, h := range req.Tables {
			n := nearestTable(sch, strings.TrimSpace(h))
			if allowed[n] {
				t, _ := sch.Table(n)
				kept = append(kept, TableChoice{Name: n, TimeColumn: timeColumn(t, p.Target), Why: []string{"table hint"}})
				delete(allowed, n)
			}
		}
		scored = kept
	}
	if len(scored) == 0 {
		return nil, ErrNoTable
	}
	if len(scored) > 5 {
		scored = scored[:5]
	}
	for i := range scored {
		t, _ := sch.Table(scored[i].Name)
		scored[i].Columns = mentionedColumns(t, p.Question, p.words)
		if scored[i].Columns == nil {
			scored[i].Columns = []string{}
		}
	}
	return scored, nil
}
