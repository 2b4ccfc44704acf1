package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// formatDatetimeISO renders ticks as KQL prints a datetime:
// 2024-01-02T03:04:05Z, with seven fraction digits when the fraction is not zero.
func formatDatetimeISO(ticks int64) string {
	t := ticksToTime(ticks)
	frac := ticks % ticksPerSecond
	if frac < 0 {
		frac += ticksPerSecond
	}
	s := t.Format("2006-01-02T15:04:05")
	if frac != 0 {
		s += fmt.Sprintf(".%07d", frac)
	}
	return s + "Z"
}

// formatTimespan renders ticks as [-][d.]hh:mm:ss[.fffffff].
func formatTimespan(ticks int64) string {
	var b strings.Builder
	u := uint64(ticks)
	if ticks < 0 {
		b.WriteByte('-')
		u = uint64(-ticks)
	}
	days := u / uint64(ticksPerDay)
	rem := u % uint64(ticksPerDay)
	if days > 0 {
		b.WriteString(strconv.FormatUint(days, 10))
		b.WriteByte('.')
	}
	h := rem / uint64(ticksPerHour)
	rem %= uint64(ticksPerHour)
	m := rem / uint64(ticksPerMinute)
	rem %= uint64(ticksPerMinute)
	s := rem / uint64(ticksPerSecond)
	frac := rem % uint64(ticksPerSecond)
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if frac != 0 {
		fmt.Fprintf(&b, ".%07d", frac)
	}
	return b.String()
}

var datetimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999Z07:00",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01-02Z",
	"2006-01",
	"2006",
	time.RFC1123,
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 MST",
	time.RFC850,
	"01/02/2006 15:04:05",
	"01/02/2006 3:04:05 PM",
	"1/2/2006 3:04:05 PM",
	"01/02/2006",
	"1/2/2006",
	"20060102",
	"20060102T150405Z",
}

// parseDatetime parses the string forms KQL's datetime()/todatetime() accept.
func parseDatetime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, l := range datetimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return timeToTicks(t.UTC()), true
		}
	}
	return 0, false
}

var timespanUnits = map[string]int64{
	"d": ticksPerDay, "day": ticksPerDay, "days": ticksPerDay,
	"h": ticksPerHour, "hr": ticksPerHour, "hrs": ticksPerHour, "hour": ticksPerHour, "hours": ticksPerHour,
	"m": ticksPerMinute, "min": ticksPerMinute, "minute": ticksPerMinute, "minutes": ticksPerMinute,
	"s": ticksPerSecond, "sec": ticksPerSecond, "second": ticksPerSecond, "seconds": ticksPerSecond,
	"ms": 10_000, "milli": 10_000, "millis": 10_000, "millisecond": 10_000, "milliseconds": 10_000,
	"microsecond": 10, "microseconds": 10, "tick": 1, "ticks": 1,
}

// parseTimespan parses "1.02:03:04.5", "02:03", or a literal such as "1d", "1.5h", "100ms".
func parseTimespan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	} else if s[0] == '+' {
		s = s[1:]
	}
	var t int64
	var ok bool
	if strings.Contains(s, ":") {
		t, ok = parseClockSpan(s)
	} else {
		t, ok = parseUnitSpan(s)
	}
	if neg {
		t = -t
	}
	return t, ok
}

func parseUnitSpan(s string) (int64, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return 0, false
	}
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	mult, ok := timespanUnits[unit]
	if unit == "" {
		mult, ok = ticksPerDay, true
	}
	if !ok {
		return 0, false
	}
	if n, err := strconv.ParseInt(s[:i], 10, 64); err == nil {
		return n * mult, true
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	return int64(f*float64(mult) + 0.5), true
}

func parseClockSpan(s string) (int64, bool) {
	var days int64
	colon := strings.IndexByte(s, ':')
	if dot := strings.IndexByte(s[:colon], '.'); dot >= 0 {
		d, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	t := days*ticksPerDay + h*ticksPerHour + m*ticksPerMinute
	if len(parts) == 3 {
		sec := parts[2]
		frac := ""
		if dot := strings.IndexByte(sec, '.'); dot >= 0 {
			sec, frac = sec[:dot], sec[dot+1:]
		}
		n, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return 0, false
		}
		t += n * ticksPerSecond
		if frac != "" {
			if len(frac) > 7 {
				frac = frac[:7]
			}
			frac += strings.Repeat("0", 7-len(frac))
			f, err := strconv.ParseInt(frac, 10, 64)
			if err != nil {
				return 0, false
			}
			t += f
		}
	}
	return t, true
}

// formatDatetimeCustom implements format_datetime's .NET-like specifiers.
func formatDatetimeCustom(ticks int64, f string) string {
	t := ticksToTime(ticks)
	frac := ticks % ticksPerSecond
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		j := i
		for j < len(f) && f[j] == c {
			j++
		}
		n := j - i
		switch c {
		case 'y':
			if n <= 2 {
				fmt.Fprintf(&b, "%0*d", n, t.Year()%100)
			} else {
				fmt.Fprintf(&b, "%0*d", n, t.Year())
			}
		case 'M':
			fmt.Fprintf(&b, "%0*d", min(n, 2), int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Day())
		case 'H':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Hour())
		case 'h':
			fmt.Fprintf(&b, "%0*d", min(n, 2), (t.Hour()+11)%12+1)
		case 'm':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Minute())
		case 's':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Second())
		case 'f', 'F':
			digits := fmt.Sprintf("%07d", frac)[:min(n, 7)]
			if c == 'F' {
				digits = strings.TrimRight(digits, "0")
			}
			b.WriteString(digits)
		case 't':
			if t.Hour() < 12 {
				b.WriteString("AM"[:min(n, 2)])
			} else {
				b.WriteString("PM"[:min(n, 2)])
			}
		default:
			b.WriteString(f[i:j])
		}
		i = j
	}
	return b.String()
}

// formatTimespanCustom implements format_timespan's specifiers.
func formatTimespanCustom(ticks int64, f string) string {
	neg := ticks < 0
	if neg {
		ticks = -ticks
	}
	days := ticks / ticksPerDay
	rem := ticks % ticksPerDay
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(f); {
		c := f[i]
		j := i
		for j < len(f) && f[j] == c {
			j++
		}
		n := j - i
		switch c {
		case 'd':
			fmt.Fprintf(&b, "%0*d", n, days)
		case 'h', 'H':
			fmt.Fprintf(&b, "%0*d", min(n, 2), rem/ticksPerHour)
		case 'm':
			fmt.Fprintf(&b, "%0*d", min(n, 2), rem%ticksPerHour/ticksPerMinute)
		case 's':
			fmt.Fprintf(&b, "%0*d", min(n, 2), rem%ticksPerMinute/ticksPerSecond)
		case 'f', 'F':
			digits := fmt.Sprintf("%07d", rem%ticksPerSecond)[:min(n, 7)]
			if c == 'F' {
				digits = strings.TrimRight(digits, "0")
			}
			b.WriteString(digits)
		default:
			b.WriteString(f[i:j])
		}
		i = j
	}
	return b.String()
}
