package httppolicy

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryAfter reads the upstream's back-off advice from h: the Azure
// "retry-after-ms" / "x-ms-retry-after-ms" headers (milliseconds) first, then
// the standard Retry-After in delta-seconds or HTTP-date form. ok is false when
// no usable advice is present. A date in the past yields 0, true.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	for _, name := range []string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 {
				return clampDuration(ms, time.Millisecond), true
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return clampDuration(secs, time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// clampDuration multiplies n by unit without overflowing (hostile headers
// such as "Retry-After: 99999999999999" must not wrap to a negative wait).
func clampDuration(n int64, unit time.Duration) time.Duration {
	const maxWait = 24 * time.Hour
	if n > int64(maxWait/unit) {
		return maxWait
	}
	return time.Duration(n) * unit
}
