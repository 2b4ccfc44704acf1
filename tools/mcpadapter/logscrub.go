package mcpadapter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// A session ID is a bearer credential for its session, so it must never
// reach a log: mcp-go logs it at INFO under "session" (and "sessionID" on
// some paths) and inside error strings. scrubHandler wraps the handler given
// to mcp-go (and the gate's own logging): every attribute whose key names a
// session, and every ID-shaped substring of any message or value, is
// replaced by "sid:" and a short HMAC under a key made at start, so log
// lines of one session still correlate within one process.

var sessionIDPattern = lazyre.New(regexp.QuoteMeta(sessionIDPrefix) + `[A-Za-z0-9_-]{16,}`)

type scrubHandler struct {
	next slog.Handler
	key  []byte
}

// scrubLogger returns l with session IDs scrubbed, or a discarding logger
// when l is nil.
func scrubLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return slog.New(&scrubHandler{next: l.Handler(), key: key})
}

func (h *scrubHandler) Enabled(ctx context.Context, lvl slog.Level) bool {
	return h.next.Enabled(ctx, lvl)
}

func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.scrubString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.scrub(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.scrub(a)
	}
	return &scrubHandler{next: h.next.WithAttrs(clean), key: h.key}
}

func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{next: h.next.WithGroup(name), key: h.key}
}

func (h *scrubHandler) scrub(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch {
	case v.Kind() == slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.scrub(ga)
		}
		return slog.Group(a.Key, clean...)
	case strings.Contains(strings.ToLower(a.Key), "session") && v.Kind() == slog.KindString:
		return slog.String(a.Key, h.tag(v.String()))
	case v.Kind() == slog.KindString:
		return slog.String(a.Key, h.scrubString(v.String()))
	case v.Kind() == slog.KindAny:
		if s := fmt.Sprint(v.Any()); sessionIDPattern.MatchString(s) {
			return slog.String(a.Key, h.scrubString(s))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h *scrubHandler) scrubString(s string) string {
	if !strings.Contains(s, sessionIDPrefix) {
		return s
	}
	return sessionIDPattern.ReplaceAllStringFunc(s, h.tag)
}

// tag is the short keyed hash that stands for a session ID in logs.
func (h *scrubHandler) tag(id string) string {
	if id == "" {
		return ""
	}
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(id))
	return "sid:" + hex.EncodeToString(m.Sum(nil)[:6])
}
