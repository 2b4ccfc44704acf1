package synth

import (
	"context"
	"errors"

	"github.com/secmcp/secmcp/tools"
)

// Writer names.
const (
	WriterBuiltin  = "builtin"
	WriterSampling = "sampling"
	WriterOpenAI   = "openai"
)

// Writer turns the question and the evidence into a Markdown answer citing
// evidence ids.
type Writer interface {
	// Name is the writer's config name.
	Name() string
	// Write returns the answer, or an error when the writer cannot answer
	// (the caller then falls back to the builtin writer).
	Write(ctx context.Context, call tools.Call, q Request, set *Set) (string, error)
}

// BuiltinWriter is the deterministic writer (see Builtin).
type BuiltinWriter struct{}

// Name implements Writer.
func (BuiltinWriter) Name() string { return WriterBuiltin }

// Write implements Writer.
func (BuiltinWriter) Write(_ context.Context, _ tools.Call, q Request, set *Set) (string, error) {
	return Builtin(q, set), nil
}

// SamplingWriter asks the client's own model through MCP sampling.
type SamplingWriter struct {
	// MaxTokens bounds the model's answer (default 1500).
	MaxTokens int
}

// ErrNoSampling is returned when the client did not declare sampling.
var ErrNoSampling = errors.New("the client does not support sampling")

// Name implements Writer.
func (SamplingWriter) Name() string { return WriterSampling }

// Write implements Writer.
func (w SamplingWriter) Write(ctx context.Context, call tools.Call, q Request, set *Set) (string, error) {
	if call.Sample == nil {
		return "", ErrNoSampling
	}
	p := BuildPrompt(q, set)
	max := w.MaxTokens
	if max <= 0 {
		max = 1500
	}
	out, err := call.Sample(ctx, tools.SampleRequest{System: p.System, Prompt: p.User, MaxTokens: max})
	if err != nil {
		return "", err // the adapter's error already says "sampling: …"
	}
	if out == "" {
		return "", errors.New("sampling: the client's model returned an empty answer")
	}
	return out, nil
}
