package tools

import (
	"strconv"
	"strings"
	"time"
)

// MaxWindow is the widest time window a listing accepts.
const MaxWindow = 90 * 24 * time.Hour

// Window parses since/until arguments: a duration back from now ("30m",
// "24h", "7d", "2w") or an RFC 3339 time. Empty since means def back from
// now; empty until means now.
func Window(since, until string, now time.Time, def time.Duration) (time.Time, time.Time, error) {
	from := now.Add(-def)
	to := now
	var err error
	if since != "" {
		if from, err = parseWhen("since", since, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	if until != "" {
		if to, err = parseWhen("until", until, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, Errorf("since (%s) must be before until (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if to.Sub(from) > MaxWindow {
		return time.Time{}, time.Time{}, Errorf("the window %s … %s is longer than the 90-day maximum; narrow since/until", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

func parseWhen(arg, s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, ok := parseAgo(s)
	if !ok {
		return time.Time{}, Errorf("argument %q must be a duration back from now such as 24h or 7d, or an RFC 3339 time such as 2026-11-20T08:00:00Z; got %q", arg, s)
	}
	return now.Add(-d), nil
}

func parseAgo(s string) (time.Duration, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) < 2 {
		return 0, false
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if unit == 0 || err != nil || n <= 0 || n > 10000 {
		return 0, false
	}
	return time.Duration(n * float64(unit)), true
}
