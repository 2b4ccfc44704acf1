package nl2kql

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Limits bound the work one request may cost. The question is caller input:
// the planner's stages (literal extraction, vocabulary, example similarity,
// table scoring) grow faster than linearly with its length — a 100 KB
// question took 8 s before these bounds — so the question and the table
// hints are bounded before any stage runs, and a model's answer before it
// is validated. Zero fields mean the defaults.
type Limits struct {
	// QuestionBytes bounds the question (default 8 KiB: kql_generate
	// accepts 2,000 characters, up to 8 KiB of UTF-8).
	QuestionBytes int
	// QuestionWords bounds its words and literals (default 1,000).
	QuestionWords int
	// TableHints bounds the table hints (default 16, each at most 128 bytes).
	TableHints int
	// QueryBytes bounds a model-written query before it is validated
	// (default 64 KiB); a larger answer falls back to the templates.
	QueryBytes int
}

// Defaults of Limits.
const (
	DefaultQuestionBytes = 8 << 10
	DefaultQuestionWords = 1000
	DefaultTableHints    = 16
	DefaultQueryBytes    = 64 << 10
	maxHintBytes         = 128
)

func (l Limits) withDefaults() Limits {
	if l.QuestionBytes <= 0 {
		l.QuestionBytes = DefaultQuestionBytes
	}
	if l.QuestionWords <= 0 {
		l.QuestionWords = DefaultQuestionWords
	}
	if l.TableHints <= 0 {
		l.TableHints = DefaultTableHints
	}
	if l.QueryBytes <= 0 {
		l.QueryBytes = DefaultQueryBytes
	}
	return l
}

// ErrTooLarge is matched (errors.Is) by every refusal of a request over its
// Limits; the message names the limit and what to change.
var ErrTooLarge = errors.New("too large")

// ErrTooSlow is matched by a request stopped by its context's deadline.
var ErrTooSlow = errors.New("too slow")

type limitError struct {
	kind error
	msg  string
}

func (e *limitError) Error() string        { return "nl2kql: " + e.msg }
func (e *limitError) Is(target error) bool { return target == e.kind }

// check refuses a request over the limits before any work is done on it.
func (l Limits) check(req Request) error {
	if n := len(req.Question); n > l.QuestionBytes {
		return &limitError{ErrTooLarge, fmt.Sprintf("too large: the question is %d bytes (limit %d); keep it to what to find, its literals and the time range", n, l.QuestionBytes)}
	}
	if n := countWords(req.Question, l.QuestionWords+1); n > l.QuestionWords {
		return &limitError{ErrTooLarge, fmt.Sprintf("too large: the question has more than %d words (limit %d); keep it to what to find, its literals and the time range", l.QuestionWords, l.QuestionWords)}
	}
	if n := len(req.Tables); n > l.TableHints {
		return &limitError{ErrTooLarge, fmt.Sprintf("too large: %d table hints (limit %d); pass the few tables to consider", n, l.TableHints)}
	}
	for _, h := range req.Tables {
		if len(h) > maxHintBytes {
			return &limitError{ErrTooLarge, fmt.Sprintf("too large: a table hint of %d bytes (limit %d); pass table names such as SigninLogs", len(h), maxHintBytes)}
		}
	}
	return nil
}

// countWords counts the whitespace-separated words of s, stopping at most.
func countWords(s string, most int) int {
	n := 0
	for range strings.FieldsSeq(s) {
		if n++; n >= most {
			break
		}
	}
	return n
}

// alive reports a context that ended as a "too slow" error naming the stage.
func alive(ctx context.Context, stage string) error {
	if err := ctx.Err(); err != nil {
		return &limitError{ErrTooSlow, fmt.Sprintf("too slow: the call's deadline passed while %s (%v); ask a shorter question or retry", stage, err)}
	}
	return nil
}
