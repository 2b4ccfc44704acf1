package nl2kql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Window is the time range a question asks about, as KQL: the query keeps
// rows with Time > Start (and Time < End when End is set).
type Window struct {
	Start string `json:"start"`         // a KQL datetime expression, e.g. ago(7d)
	End   string `json:"end,omitempty"` // "" means now
	// Span is the window's length in hours (for choosing a bin size).
	Span float64 `json:"-"`
	// Phrase is the text the window was read from ("" when defaulted).
	Phrase string `json:"phrase,omitempty"`
}

// DefaultWindow is used when a question names no time range.
var DefaultWindow = Window{Start: "ago(7d)", Span: 7 * 24}

var (
	reLastN = lazyre.New(`(?i)\b(?:last|past|previous|prior|recent|within(?:\s+the)?(?:\s+(?:last|past))?|in\s+the\s+(?:last|past))\s+(\d{1,4}|one|two|three|four|five|six|seven|ten|twelve|fourteen|thirty|ninety)\s*(minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|w|months?|years?)\b`)
	reNAgo  = lazyre.New(`(?i)\b(\d{1,4})\s*(minutes?|hours?|days?|weeks?|months?)\s+ago\b`)
	reLastU = lazyre.New(`(?i)\b(?:last|past|previous|this)\s+(minute|hour|day|week|fortnight|month|quarter|year)\b`)
	reToday = lazyre.New(`(?i)\btoday\b|\bthis\s+morning\b`)
	reYday  = lazyre.New(`(?i)\byesterday\b`)
	reRecnt = lazyre.New(`(?i)\brecent(ly)?\b|\blately\b`)
)

var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "ninety": 90}

// unitHours converts a unit word to hours and the KQL timespan suffix.
func unitHours(u string) (float64, string) {
	u = strings.ToLower(u)
	switch {
	case strings.HasPrefix(u, "min"):
		return 1.0 / 60, "m"
	case strings.HasPrefix(u, "h"):
		return 1, "h"
	case strings.HasPrefix(u, "d"):
		return 24, "d"
	case strings.HasPrefix(u, "w"):
		return 24 * 7, "w"
	case strings.HasPrefix(u, "fortnight"):
		return 24 * 14, "w"
	case strings.HasPrefix(u, "month"):
		return 24 * 30, "mo"
	case strings.HasPrefix(u, "quarter"):
		return 24 * 90, "q"
	case strings.HasPrefix(u, "y"):
		return 24 * 365, "y"
	}
	return 24, "d"
}

// span renders n units as a KQL timespan literal (weeks and months as days).
func span(n int, unit string) (string, float64) {
	h, suffix := unitHours(unit)
	total := float64(n) * h
	switch suffix {
	case "m":
		return fmt.Sprintf("%dm", n), total
	case "h":
		return fmt.Sprintf("%dh", n), total
	}
	return fmt.Sprintf("%dd", int(total/24)), total
}

// parseWindow reads the time range of a question. ok is false when the
// question names none.
func parseWindow(q string) (w Window, assumption string, ok bool) {
	if m := reLastN.FindStringSubmatch(q); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = numberWords[strings.ToLower(m[1])]
		}
		if n > 0 {
			lit, h := span(n, m[2])
			return Window{Start: "ago(" + lit + ")", Span: h, Phrase: m[0]}, "", true
		}
	}
	if m := reNAgo.FindStringSubmatch(q); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n > 0 {
			lit, h := span(n, m[2])
			return Window{Start: "ago(" + lit + ")", Span: h, Phrase: m[0]}, "", true
		}
	}
	if m := reLastU.FindStringSubmatch(q); m != nil {
		lit, h := span(1, m[1])
		if strings.EqualFold(m[1], "fortnight") {
			lit, h = "14d", 14*24
		}
		return Window{Start: "ago(" + lit + ")", Span: h, Phrase: m[0]}, "", true
	}
	if m := reYday.FindString(q); m != "" {
		return Window{Start: "startofday(ago(1d))", End: "startofday(now())", Span: 24, Phrase: m}, "", true
	}
	if m := reToday.FindString(q); m != "" {
		return Window{Start: "startofday(now())", Span: 24, Phrase: m}, "", true
	}
	if m := reRecnt.FindString(q); m != "" {
		w := DefaultWindow
		w.Phrase = m
		return w, fmt.Sprintf("interpreted %q as the last 7 days", m), true
	}
	return DefaultWindow, noRangeNote + ": searched the last 7 days", false
}

// noRangeNote starts the assumption of every plan that got a default
// window because the question gave none (dropDefaultWindowNote finds it).
const noRangeNote = "no time range given"

// reBin finds a named bin size: "per hour", "hourly", "by day", "each week".
var reBin = lazyre.New(`(?i)\b(?:per|by|each|every|a|in)\s+(minute|hour|day|week|month)\b|\b(hourly|daily|weekly|monthly)\b`)

// binFor picks a bin size for a time series over the window, unless the
// question names one.
func binFor(q string, w Window) string {
	if m := reBin.FindStringSubmatch(q); m != nil {
		switch strings.ToLower(firstNonEmpty(m[1], m[2])) {
		case "minute":
			return "1m"
		case "hour", "hourly":
			return "1h"
		case "day", "daily":
			return "1d"
		case "week", "weekly":
			return "7d"
		case "month", "monthly":
			return "30d"
		}
	}
	switch {
	case w.Span <= 24:
		return "1h"
	case w.Span > 24*60:
		return "7d"
	}
	return "1d"
}
