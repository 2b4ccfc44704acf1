package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/secmcp/secmcp/tools"
)

// OpenAIConfig points the openai writer at an OpenAI-compatible chat
// completions endpoint (OpenAI, Azure OpenAI, a local server).
type OpenAIConfig struct {
	// URL is the full chat completions URL, e.g.
	// https://api.openai.com/v1/chat/completions or
	// https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21.
	URL string
	// Deployment is sent as the request's "model".
	Deployment string
	// Key is the API key (read by cmd from the environment variable the
	// operator names). Azure URLs (/openai/deployments/) get it in the
	// api-key header, others as a bearer token.
	Key string
	// Client is the HTTP client (default: 60 s timeout). Redirects are
	// never followed: requests go only where the operator points them.
	Client *http.Client
	// MaxTokens bounds the answer (default 1500).
	MaxTokens int
}

// Validate checks the configuration: an absolute https URL (http only to
// a loopback host) without credentials in it, and a deployment.
func (c OpenAIConfig) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("openai URL %q must be an absolute http(s) URL of a chat completions endpoint", c.URL)
	}
	if u.User != nil {
		return errors.New("openai URL must not carry credentials; put the key in the environment variable named by --openai-key-env")
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return fmt.Errorf("openai URL %q uses plain http to a non-loopback host; use https", c.URL)
	}
	if strings.TrimSpace(c.Deployment) == "" {
		return errors.New("openai deployment (model) is required")
	}
	return nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// OpenAIWriter writes with an OpenAI-compatible chat completions endpoint.
type OpenAIWriter struct{ cfg OpenAIConfig }

// NewOpenAIWriter validates cfg and returns the writer.
func NewOpenAIWriter(cfg OpenAIConfig) (*OpenAIWriter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 60 * time.Second}
	}
	c := *cfg.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.Client = &c
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = 1500
	}
	return &OpenAIWriter{cfg: cfg}, nil
}

// Name implements Writer.
func (*OpenAIWriter) Name() string { return WriterOpenAI }

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
	MaxTokens   int           `json:"max_tokens"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
}

// Write implements Writer.
func (w *OpenAIWriter) Write(ctx context.Context, _ tools.Call, q Request, set *Set) (string, error) {
	p := BuildPrompt(q, set)
	return w.Complete(ctx, p.System, p.User)
}

// Complete sends one system + user exchange to the configured endpoint and
// returns the model's answer; kql_generate uses it too.
func (w *OpenAIWriter) Complete(ctx context.Context, system, user string) (string, error) {
	body, err := json.Marshal(chatRequest{Model: w.cfg.Deployment, Temperature: 0, MaxTokens: w.cfg.MaxTokens,
		Messages: []chatMessage{{Role: "system", Content: system}, {Role: "user", Content: user}}})
	if err != nil {
		return "", fmt.Errorf("openai: encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("openai: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if w.cfg.Key != "" {
		if strings.Contains(req.URL.Path, "/openai/deployments/") {
			req.Header.Set("api-key", w.cfg.Key)
		} else {
			req.Header.Set("Authorization", "Bearer "+w.cfg.Key)
		}
	}
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("openai: request to %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("openai: read response: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("openai: %s answered %d: %s", req.URL.Host, resp.StatusCode, truncate(oneLine(string(raw)), 200))
	}
	var cr chatResponse
	if err := json.Unmarshal(raw, &cr); err != nil {
		return "", fmt.Errorf("openai: decode response: %w", err)
	}
	if len(cr.Choices) == 0 || strings.TrimSpace(cr.Choices[0].Message.Content) == "" {
		return "", errors.New("openai: the response has no answer")
	}
	return cr.Choices[0].Message.Content, nil
}
