// Package psdeob statically de-obfuscates PowerShell the way analysts need
// it for alert triage: it peels encoding layers (launchers, -EncodedCommand,
// Base64, Deflate/GZip, -bxor, SecureString, char arrays, format/replace/
// reverse/concat tricks and computed "iex" spellings), then extracts
// indicators, maps behaviours to MITRE ATT&CK techniques, gives a verdict
// and writes a plain-English walk-through.
//
// Nothing is ever executed. A small tokenizer (package pstoken), parser and
// evaluator compute pure string and byte expressions only; cmdlets, I/O,
// network and reflection are modelled as opaque values. Whatever would be
// passed to Invoke-Expression (or an equivalent sink) becomes the next layer.
// Work is bounded: input size, layer count and depth, decompressed size
// (8 MiB), and a per-call budget (Limits: bytes of values built, checked
// before each value is built, and evaluation steps) and the context
// deadline, both observed as the evaluation goes. A budget that runs out
// does not fail the analysis: what was recovered until then is returned,
// and Analysis.Incomplete names the limit.
package psdeob

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Options tunes the analysis. The zero value is usable.
type Options struct {
	// MaxInputBytes rejects larger inputs (default 4 MiB).
	MaxInputBytes int `json:"max_input_bytes,omitempty"`
	// Timeout bounds the analysis when ctx has no earlier deadline (default 10 s).
	Timeout time.Duration `json:"timeout,omitempty"`
	// Limits is the work budget of the analysis (zero fields: defaults).
	Limits Limits `json:"limits,omitempty"`
	// MaxLayerBytes truncates each layer's text in the result (default 256 KiB); 0 keeps the default, -1 keeps all.
	MaxLayerBytes int `json:"max_layer_bytes,omitempty"`
}

// Layer is one decoded stage of the script.
type Layer struct {
	Index      int      `json:"index"`
	Parent     int      `json:"parent"`      // layer whose evaluation produced this one (0 for the input itself)
	ParentLine int      `json:"parent_line"` // line in the parent layer of the executing statement
	Method     string   `json:"method"`      // how it was obtained, e.g. "base64 decode → gzip decompress → Invoke-Expression"
	Steps      []string `json:"steps"`       // the same as a list
	Text       string   `json:"text"`
	Truncated  bool     `json:"truncated,omitempty"`
}

// Indicator is one observable extracted from a layer or from a string the
// evaluator computed.
type Indicator struct {
	Type     string `json:"type"`     // url, domain, ip, path, registry, email, hash, useragent, scheduledtask, service
	Value    string `json:"value"`    // as it appears in the script (refanged)
	Defanged string `json:"defanged"` // safe to display: hxxp, [.]
	Layer    int    `json:"layer"`
	Line     int    `json:"line"`
	Computed bool   `json:"computed,omitempty"` // found in a computed string rather than in layer text
}

// Technique is an ATT&CK technique observed in some layer.
type Technique struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Tactic   string `json:"tactic"`
	Evidence string `json:"evidence"`
	Layer    int    `json:"layer"`
	Line     int    `json:"line"`
}

// HuntingHints are facts a caller can turn into hunting queries.
type HuntingHints struct {
	URLs                 []string `json:"urls"`
	Domains              []string `json:"domains"`
	IPs                  []string `json:"ips"`
	FileNames            []string `json:"file_names"`
	RegistryKeys         []string `json:"registry_keys"`
	UserAgents           []string `json:"user_agents"`
	CommandLineFragments []string `json:"command_line_fragments"`
}

// Analysis is the result of Analyze.
type Analysis struct {
	Layers       []Layer      `json:"layers"`
	FinalLayer   int          `json:"final_layer"`
	Indicators   []Indicator  `json:"indicators"`
	Techniques   []Technique  `json:"techniques"`
	Obfuscation  []string     `json:"obfuscation"` // obfuscation techniques seen (vocabulary in obfuscationTags)
	Verdict      string       `json:"verdict"`     // malicious | suspicious | benign-looking
	Reasons      []string     `json:"reasons"`
	Explanation  string       `json:"explanation"`
	HuntingHints HuntingHints `json:"hunting_hints"`
	Incomplete   string       `json:"incomplete,omitempty"` // set when a limit stopped the evaluation early
	// Limit is the budget that stopped the evaluation (nil when none did);
	// Incomplete is its message. errors.Is(Limit, ErrTooLarge / ErrTooSlow).
	Limit *LimitError `json:"-"`
	// Used is the work the analysis took, in the units of Options.Limits.
	Used Limits `json:"-"`
}

// Verdicts.
const (
	VerdictMalicious  = "malicious"
	VerdictSuspicious = "suspicious"
	VerdictBenign     = "benign-looking"
)

// ErrInputTooLarge is returned when the script exceeds Options.MaxInputBytes.
var ErrInputTooLarge = errors.New("psdeob: input too large")

// Analyze de-obfuscates script statically and reports layers, indicators,
// techniques, a verdict and an explanation. It never executes the script.
// It returns an error only for oversize input or a context that is already
// done. A budget (Options.Limits, the deadline) hit during analysis does not
// fail it: the layers and findings recovered until then are returned, with
// Analysis.Incomplete saying which limit stopped the evaluation and
// Analysis.Limit holding it as a *LimitError.
func Analyze(ctx context.Context, script string, opts Options) (a *Analysis, err error) {
	if opts.MaxInputBytes <= 0 {
		opts.MaxInputBytes = 4 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if len(script) > opts.MaxInputBytes {
		return nil, fmt.Errorf("analyze: %d bytes: %w", len(script), ErrInputTooLarge)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	timeLimit := opts.Timeout
	if d, ok := ctx.Deadline(); ok {
		timeLimit = time.Until(d)
	}
	// The evaluation stops early enough for the findings, which read a
	// bounded view of the layers (scanView), to be done by the deadline.
	outer := ctx
	ctx, cancelEval := context.WithTimeout(ctx, timeLimit-min(timeLimit/5, 2*time.Second))
	defer cancelEval()
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("analyze: internal error: %v", r)
		}
	}()
	if !utf8.ValidString(script) {
		script = strings.ToValidUTF8(script, "\uFFFD")
	}
	e := newEvaluator(ctx, opts.Limits)
	e.timeLimit = timeLimit
	e.reserve(int64(len(script)))
	e.layers = []Layer{{Index: 0, Method: "input", Steps: []string{"input"}, Text: script}}
	e.peel(script)
	return e.buildAnalysis(outer, opts), nil
}

// peel decodes the input layer: command lines, bare Base64, else script.
func (e *evaluator) peel(script string) {
	trim := strings.TrimSpace(script)
	switch {
	case looksLikeCommandLine(trim):
		e.cur = 0
		e.processCommandLine(trim, "", nil)
		if len(e.layers) == 1 {
			e.runLayer(0)
		}
	case isBareBase64(trim):
		b, _ := decodeBase64(trim)
		if looksUTF16LE(b) {
			e.sink(utf16leToString(b), "base64 (UTF-16LE) of the whole input, as passed to -EncodedCommand", nil)
		} else if s := string(b); utf8.ValidString(s) && printableRatio(s) > 0.95 {
			e.sink(s, "base64 (UTF-8) of the whole input", nil)
		} else {
			e.runLayer(0)
		}
	default:
		e.runLayer(0)
	}
}

func isBareBase64(s string) bool {
	if len(s) < 16 || len(s) > 32<<20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '\r' || c == '\n') {
			return false
		}
	}
	_, err := decodeBase64(s)
	return err == nil
}

// buildAnalysis turns the evaluation into findings; they stop reading
// further layers once ctx (the analysis deadline) is done.
func (e *evaluator) buildAnalysis(ctx context.Context, opts Options) *Analysis {
	a := &Analysis{Layers: e.layers, FinalLayer: finalLayer(e.layers)}
	a.Used = Limits{Bytes: e.bytes, Steps: int64(e.steps)}
	if e.limitErr != nil {
		a.Limit = e.limitErr
		a.Incomplete = e.limitErr.Error()
	}
	// The findings are read from a bounded view of the layers, so the time
	// they take after the evaluation stays bounded too.
	a.Layers = scanView(e.layers)
	done := func() bool { return ctx.Err() != nil }
	a.Indicators = extractIndicators(a.Layers, e.livePool(), done)
	a.Obfuscation = obfuscationTags(a.Layers, e.allOps, done)
	a.Techniques = detectTechniques(a.Layers, e.allOps, a.Obfuscation, done)
	if done() && a.Limit == nil {
		a.Limit = deadlineError(ctx.Err(), e.timeLimit)
		a.Incomplete = a.Limit.Error()
	}
	a.Verdict, a.Reasons = verdict(a)
	a.HuntingHints = huntingHints(a, done)
	a.Layers = e.layers
	a.Explanation = explain(a)
	limit := opts.MaxLayerBytes
	if limit == 0 {
		limit = 256 << 10
	}
	if limit > 0 {
		out := make([]Layer, len(a.Layers))
		for i, l := range a.Layers {
			if len(l.Text) > limit {
				cut := limit
				for cut > 0 && !utf8.RuneStart(l.Text[cut]) {
					cut--
				}
				l.Text = l.Text[:cut]
				l.Truncated = true
			}
			out[i] = l
		}
		a.Layers = out
	}
	return a
}

// Bounds of the text the findings are read from: per layer, and in total.
const (
	maxScanLayerBytes = 256 << 10
	maxScanBytes      = 512 << 10
)

// scanView is layers with each text cut to what the findings read: at most
// maxScanLayerBytes per layer — what the result shows of a layer by default
// (Options.MaxLayerBytes) — and maxScanBytes in all (shared evenly when the
// layers together are larger, but never under 8 KiB a layer). Reading them
// takes about 0.2 s of CPU at worst (dense indicator text), so the findings
// end soon after the evaluation's deadline.
func scanView(layers []Layer) []Layer {
	total := 0
	for _, l := range layers {
		total += min(len(l.Text), maxScanLayerBytes)
	}
	per := maxScanLayerBytes
	if total > maxScanBytes {
		per = max(8<<10, maxScanBytes/len(layers))
	}
	out := make([]Layer, len(layers))
	for i, l := range layers {
		if len(l.Text) > per {
			cut := per
			for cut > 0 && !utf8.RuneStart(l.Text[cut]) {
				cut--
			}
			l.Text = l.Text[:cut]
		}
		out[i] = l
	}
	return out
}

// finalLayer is the deepest layer (ties: the last one found).
func finalLayer(ls []Layer) int {
	best, bestDepth := 0, 0
	for i := range ls {
		d := 0
		for j := i; j != 0 && d < len(ls); j = ls[j].Parent {
			d++
		}
		if d >= bestDepth {
			best, bestDepth = i, d
		}
	}
	return best
}

// lineIndex answers lineOf for many offsets of one text in O(4 KiB) each:
// it keeps the line count at every 4 KiB block.
type lineIndex struct {
	text   string
	blocks []int // blocks[i]: newlines in text[:i*4096]
}

func newLineIndex(text string) *lineIndex {
	li := &lineIndex{text: text, blocks: make([]int, 0, len(text)/4096+1)}
	n := 0
	for i := 0; i < len(text); i += 4096 {
		li.blocks = append(li.blocks, n)
		n += strings.Count(text[i:min(i+4096, len(text))], "\n")
	}
	return li
}

// at is lineOf(text, off).
func (li *lineIndex) at(off int) int {
	off = max(0, min(off, len(li.text)))
	b := off / 4096
	if b >= len(li.blocks) {
		return lineOf(li.text, off)
	}
	return li.blocks[b] + strings.Count(li.text[b*4096:off], "\n") + 1
}

// lineOf returns the 1-based line number of byte offset off in text.
func lineOf(text string, off int) int {
	if off > len(text) {
		off = len(text)
	}
	if off < 0 {
		off = 0
	}
	return strings.Count(text[:off], "\n") + 1
}
