package plugins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/secmcp/secmcp/internal/outbound"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// MaxAPIResponse is how much of an API's answer is read; the rest is cut.
const MaxAPIResponse = 1 << 20

// MaxAPIResult is the tool's output budget: an answer larger than this is
// returned and cited as its first MaxAPIResult bytes of text (the size the
// MCP plugin servers' results are cut to by default).
const MaxAPIResult = 256 << 10

// APIResult is an API skill's result.
type APIResult struct {
	Tenant    string `json:"tenant"`
	Plugin    string `json:"plugin"`
	Operation string `json:"operation"`
	// Sent is the request as sent, without secrets.
	Sent        string          `json:"sent"`
	Status      int             `json:"status"`
	ContentType string          `json:"contentType,omitempty"`
	Body        any             `json:"body"`
	Bytes       int             `json:"bytes"`
	Truncated   bool            `json:"truncated"`
	Note        string          `json:"note,omitempty"`
	Sources     []resources.Ref `json:"sources"`
}

var apiOutputSchema = json.RawMessage(`{"type":"object","properties":{"tenant":{"type":"string"},"plugin":{"type":"string"},"operation":{"type":"string"},"sent":{"type":"string"},"status":{"type":"integer"},"contentType":{"type":"string"},"body":{},"bytes":{"type":"integer"},"truncated":{"type":"boolean"},"note":{"type":"string"},"sources":{"type":"array","items":{"type":"object","properties":{"uri":{"type":"string"},"portal":{"type":"string"}},"required":["uri"]}}},"required":["tenant","plugin","operation","sent","status","body","bytes","truncated","sources"]}`)

// Text renders the result.
func (r APIResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d from plugin %s operation %s in %s (%s", r.Status, r.Plugin, r.Operation, r.Tenant, text.Bytes(int64(r.Bytes)))
	if r.Truncated {
		b.WriteString("; " + r.Note)
	}
	b.WriteString(").\n")
	body, _ := json.MarshalIndent(r.Body, "", "  ")
	if s, ok := r.Body.(string); ok {
		body = []byte(s)
	}
	if len(body) > 16<<10 {
		body = append(body[:16<<10:16<<10], []byte("\n… (cut; the structured result has the rest)")...)
	}
	b.Write(body)
	if len(r.Sources) > 0 {
		b.WriteString("\nSource: " + r.Sources[0].URI + "\n")
	}
	return b.String()
}

// handler calls the operation.
func (sk *APISkill) handler(env *Env) tools.Handler {
	return func(ctx context.Context, call tools.Call, raw json.RawMessage) (any, error) {
		sk := sk.forTenant(call.Tenant.Alias)
		args, err := sk.decodeArgs(raw)
		if err != nil {
			return nil, err
		}
		req, sent, secret, err := sk.request(ctx, env, call, args)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, sk.Timeout)
		defer cancel()
		resp, err := sk.client(env).Do(req.WithContext(ctx))
		if err != nil {
			return nil, sk.transportError(err, secret, sent)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAPIResponse+1))
		if err != nil {
			return nil, &tools.ToolError{Kind: "upstream", Msg: fmt.Sprintf("%s: reading the answer of %s: %v", sk.Tool, firstLine(sent), redact(err.Error(), secret))}
		}
		if secret != "" {
			data = bytes.ReplaceAll(data, []byte(secret), []byte("[redacted]"))
		}
		if resp.StatusCode/100 != 2 {
			return nil, sk.statusError(resp, data, sent)
		}
		res := APIResult{Tenant: call.Tenant.Alias, Plugin: sk.PluginName, Operation: sk.Op.ID, Sent: sent,
			Status: resp.StatusCode, ContentType: cleanDescription(resp.Header.Get("Content-Type")), Bytes: len(data), Sources: []resources.Ref{}}
		res.Body, res.Truncated, res.Note = budgetBody(data)
		if res.Bytes > MaxAPIResponse {
			res.Bytes = MaxAPIResponse
		}
		if uri, ok := env.Runs.KeepAPI(call.Tenant.Alias, sk, sent, map[string]any{"status": res.Status, "contentType": res.ContentType, "body": res.Body}); ok {
			res.Sources = append(res.Sources, resources.Ref{URI: uri})
		}
		return res, nil
	}
}

// budgetBody is the answer as returned and cited: JSON kept as JSON when
// it is whole and within MaxAPIResult, else text cut to MaxAPIResult.
func budgetBody(data []byte) (body any, truncated bool, note string) {
	size := text.Bytes(int64(len(data)))
	if len(data) > MaxAPIResponse {
		size = "more than " + text.Bytes(MaxAPIResponse)
	}
	if len(data) <= MaxAPIResult {
		return decodeBody(data, false), false, ""
	}
	cut := data[:MaxAPIResult]
	for !utf8.Valid(cut) && len(cut) > MaxAPIResult-3 {
		cut = cut[:len(cut)-1] // do not split the last character
	}
	return decodeBody(cut, true), true, fmt.Sprintf("the answer is %s; the first %s are shown, as text", size, text.Bytes(int64(len(cut))))
}

// decodeBody is the answer as JSON when it is, else as text.
func decodeBody(data []byte, truncated bool) any {
	if !truncated && json.Valid(data) && len(bytes.TrimSpace(data)) > 0 {
		return json.RawMessage(data)
	}
	return tools.SanitizeText(strings.ToValidUTF8(string(data), "\uFFFD"))
}

// client calls only the skill's server: a redirect to another scheme or
// host is refused (the request is not sent there).
func (sk *APISkill) client(env *Env) *http.Client {
	var tr http.RoundTripper = guardedTransport()
	if env.APITransport != nil {
		tr = env.APITransport
	}
	return &http.Client{Transport: tr, CheckRedirect: outbound.SameHost(sk.Base)}
}

func (sk *APISkill) transportError(err error, secret, sent string) error {
	var re *outbound.RedirectError
	switch {
	case errors.As(err, &re):
		return &tools.ToolError{Kind: "refused", Msg: fmt.Sprintf("%s: the API redirected to %s; refused: plugin %s calls only %s (the servers its OpenAPI document names)", sk.Tool, re.To, sk.PluginName, sk.Base.Host)}
	case errors.Is(err, context.DeadlineExceeded):
		return &tools.ToolError{Kind: "upstream", Msg: fmt.Sprintf("%s: %s did not answer within %s", sk.Tool, sk.Base.Host, sk.Timeout)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text holds the URL, which may carry the key
	}
	return &tools.ToolError{Kind: "upstream", Msg: fmt.Sprintf("%s: %s failed: %s", sk.Tool, firstLine(sent), redact(err.Error(), secret))}
}

func (sk *APISkill) statusError(resp *http.Response, data []byte, sent string) error {
	msg := fmt.Sprintf("%s: HTTP %s from %s", sk.Tool, resp.Status, firstLine(sent))
	code := fmt.Sprint(resp.StatusCode)
	if d := firstNonEmpty(sk.Op.Responses[code], sk.Op.Responses[code[:1]+"XX"]); d != "" {
		msg += fmt.Sprintf(" (the API documents %s as: %s)", code, cleanDescription(d))
	}
	if s := cleanDescription(strings.ToValidUTF8(string(data), "")); s != "" {
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		msg += ": " + s
	}
	kind := "upstream"
	if resp.StatusCode == http.StatusNotFound {
		kind = "not_found"
	}
	return &tools.ToolError{Kind: kind, Msg: msg}
}

func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
