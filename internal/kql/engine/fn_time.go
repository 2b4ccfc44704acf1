package engine

import (
	"math"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/text"
)

func registerTime() {
	register("now", 0, 1, fixed(kDatetime), true, func(c *callCtx, a []value) (value, error) {
		if len(a) == 1 {
			if a[0].k != kTimespan {
				return value{}, errorf("now: offset must be a timespan")
			}
			return dtV(c.now + a[0].i), nil
		}
		return dtV(c.now), nil
	})
	register("ago", 1, 1, fixed(kDatetime), true, func(c *callCtx, a []value) (value, error) {
		t := unwrapDyn(a[0])
		if t.k != kTimespan {
			t = convertTo(t, kTimespan)
			if t.null {
				return nullOf(kDatetime), nil
			}
		}
		return dtV(c.now - t.i), nil
	})
	register("bin,floor", 2, 2, binKind, true, func(_ *callCtx, a []value) (value, error) {
		return binValue(unwrapDyn(a[0]), unwrapDyn(a[1]), 0)
	})
	register("bin_at", 3, 3, argKind(0), true, func(_ *callCtx, a []value) (value, error) {
		v, at := unwrapDyn(a[0]), unwrapDyn(a[2])
		d, err := arith("-", v, at)
		if err != nil || d.null {
			return nullOf(v.k), err
		}
		b, err := binValue(d, unwrapDyn(a[1]), 0)
		if err != nil || b.null {
			return nullOf(v.k), err
		}
		return arith("+", b, at)
	})
	register("startofday", 1, 2, fixed(kDatetime), true, func(_ *callCtx, a []value) (value, error) {
		return shiftStart(a, func(t time.Time, n int) time.Time {
			return time.Date(t.Year(), t.Month(), t.Day()+n, 0, 0, 0, 0, time.UTC)
		})
	})
	register("startofweek", 1, 2, fixed(kDatetime), true, func(_ *callCtx, a []value) (value, error) {
		return shiftStart(a, func(t time.Time, n int) time.Time {
			return time.Date(t.Year(), t.Month(), t.Day()-int(t.Weekday())+7*n, 0, 0, 0, 0, time.UTC)
		})
	})
	register("startofmonth", 1, 2, fixed(kDatetime), true, func(_ *callCtx, a []value) (value, error) {
		return shiftStart(a, func(t time.Time, n int) time.Time {
			return time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		})
	})
	register("startofyear", 1, 2, fixed(kDatetime), true, func(_ *callCtx, a []value) (value, error) {
		return shiftStart(a, func(t time.Time, n int) time.Time {
			return time.Date(t.Year()+n, 1, 1, 0, 0, 0, 0, time.UTC)
		})
	})
	endOf := func(name string) {
		start := scalarTable["start"+name] // registered above; scalarFns() would wait on the Once running this
		register("end"+name, 1, 2, fixed(kDatetime), true, func(c *callCtx, a []value) (value, error) {
			b := append([]value{a[0]}, longV(1))
			if len(a) == 2 {
				n, _ := iArg(a[1])
				b[1] = longV(n + 1)
			}
			s, err := start.fn(c, b)
			if err != nil || s.null {
				return s, err
			}
			return dtV(s.i - 1), nil
		})
	}
	for _, n := range []string{"ofday", "ofweek", "ofmonth", "ofyear"} {
		endOf(n)
	}
	register("dayofweek", 1, 1, fixed(kTimespan), true, func(_ *callCtx, a []value) (value, error) {
		return tsV(int64(dtArg(a[0]).Weekday()) * ticksPerDay), nil
	})
	register("dayofmonth", 1, 1, fixed(kInt), true, func(_ *callCtx, a []value) (value, error) {
		return intV(int64(dtArg(a[0]).Day())), nil
	})
	register("dayofyear", 1, 1, fixed(kInt), true, func(_ *callCtx, a []value) (value, error) {
		return intV(int64(dtArg(a[0]).YearDay())), nil
	})
	register("hourofday", 1, 1, fixed(kInt), true, func(_ *callCtx, a []value) (value, error) {
		return intV(int64(dtArg(a[0]).Hour())), nil
	})
	register("monthofyear,getmonth", 1, 1, fixed(kInt), true, func(_ *callCtx, a []value) (value, error) {
		return intV(int64(dtArg(a[0]).Month())), nil
	})
	register("getyear", 1, 1, fixed(kInt), true, func(_ *callCtx, a []value) (value, error) {
		return intV(int64(dtArg(a[0]).Year())), nil
	})
	register("weekofyear,week_of_year", 1, 1, fixed(kInt), true, func(_ *callCtx, a []value) (value, error) {
		_, w := dtArg(a[0]).ISOWeek()
		return intV(int64(w)), nil
	})
	register("datetime_add", 3, 3, fixed(kDatetime), true, fnDatetimeAdd)
	register("datetime_diff", 3, 3, fixed(kLong), true, fnDatetimeDiff)
	register("datetime_part,datepart", 2, 2, fixed(kInt), true, fnDatetimePart)
	register("format_datetime", 2, 2, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		if a[0].null {
			return strV(""), nil
		}
		return strV(formatDatetimeCustom(dtArgTicks(a[0]), sArg(a[1]))), nil
	})
	register("format_timespan", 2, 2, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		t := convertTo(a[0], kTimespan)
		if t.null {
			return strV(""), nil
		}
		return strV(formatTimespanCustom(t.i, sArg(a[1]))), nil
	})
	register("make_datetime", 3, 7, fixed(kDatetime), true, fnMakeDatetime)
	register("make_timespan", 2, 4, fixed(kTimespan), true, fnMakeTimespan)
	register("unixtime_seconds_todatetime", 1, 1, fixed(kDatetime), true, unixTo(float64(ticksPerSecond)))
	register("unixtime_milliseconds_todatetime", 1, 1, fixed(kDatetime), true, unixTo(10_000))
	register("unixtime_microseconds_todatetime", 1, 1, fixed(kDatetime), true, unixTo(10))
	register("unixtime_nanoseconds_todatetime", 1, 1, fixed(kDatetime), true, unixTo(0.01))
	register("datetime_utc_to_local,datetime_local_to_utc", 2, 2, fixed(kDatetime), true, func(_ *callCtx, _ []value) (value, error) {
		return value{}, notSupported("time zone conversion (the sandbox has no time zone database)")
	})
}

func binKind(a []kind) kind {
	if len(a) == 2 && a[0] == kInt && a[1] == kReal || len(a) == 2 && a[0] == kLong && a[1] == kReal {
		return kReal
	}
	if len(a) > 0 && a[0] == kInt {
		return kLong
	}
	return argKind(0)(a)
}

// binValue rounds v down to a multiple of size (relative to origin for datetimes).
func binValue(v, size value, origin int64) (value, error) {
	switch v.k {
	case kDatetime, kTimespan:
		s := size
		if s.k != kTimespan {
			s = convertTo(s, kTimespan)
		}
		if s.null || s.i <= 0 {
			return nullOf(v.k), nil
		}
		return value{k: v.k, i: origin + floorDiv(v.i-origin, s.i)*s.i}, nil
	case kInt, kLong:
		if size.k == kReal {
			f := math.Floor(float64(v.i)/size.f) * size.f
			if size.f <= 0 {
				return nullOf(kReal), nil
			}
			return realV(f), nil
		}
		n, ok := iArg(size)
		if !ok || n <= 0 {
			return nullOf(kLong), nil
		}
		return longV(floorDiv(v.i, n) * n), nil
	case kReal:
		f, ok := fArg(size)
		if !ok || f <= 0 {
			return nullOf(kReal), nil
		}
		return realV(math.Floor(v.f/f) * f), nil
	}
	return nullValue, errorf("bin: cannot bin %s", text.WithArticle(v.k.String()))
}

func dtArg(v value) time.Time { return ticksToTime(dtArgTicks(v)) }

func dtArgTicks(v value) int64 {
	v = unwrapDyn(v)
	if v.k == kString {
		v = convertTo(v, kDatetime)
	}
	return v.i
}

func shiftStart(a []value, f func(time.Time, int) time.Time) (value, error) {
	v := unwrapDyn(a[0])
	if v.k != kDatetime {
		v = convertTo(v, kDatetime)
		if v.null {
			return v, nil
		}
	}
	n := int64(0)
	if len(a) == 2 {
		n, _ = iArg(a[1])
	}
	return timeV(f(v.time(), int(n))), nil
}

var partTicks = map[string]int64{
	"day": ticksPerDay, "hour": ticksPerHour, "minute": ticksPerMinute, "second": ticksPerSecond,
	"millisecond": 10_000, "microsecond": 10, "nanosecond": 1,
}

func normPart(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "years":
		return "year"
	case "months":
		return "month"
	case "weeks", "week_of_year":
		return "week"
	case "days", "d":
		return "day"
	case "hours", "h":
		return "hour"
	case "minutes", "m":
		return "minute"
	case "seconds", "s":
		return "second"
	}
	return p
}

// addMonths adds n months clamping the day to the target month's length, like .NET.
func addMonths(t time.Time, n int) time.Time {
	y, m := t.Year(), int(t.Month())-1+n
	y += m / 12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	last := time.Date(y, time.Month(m+2), 0, 0, 0, 0, 0, time.UTC).Day()
	d := min(t.Day(), last)
	return time.Date(y, time.Month(m+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func fnDatetimeAdd(_ *callCtx, a []value) (value, error) {
	part := normPart(sArg(a[0]))
	n, ok := iArg(a[1])
	if !ok {
		return nullOf(kDatetime), nil
	}
	t := dtArgTicks(a[2])
	switch part {
	case "year":
		return timeV(addMonths(ticksToTime(t), int(n)*12)), nil
	case "quarter":
		return timeV(addMonths(ticksToTime(t), int(n)*3)), nil
	case "month":
		return timeV(addMonths(ticksToTime(t), int(n))), nil
	case "week":
		return dtV(t + n*7*ticksPerDay), nil
	}
	if u, ok := partTicks[part]; ok {
		if part == "nanosecond" {
			return dtV(t + n/100), nil
		}
		return dtV(t + n*u), nil
	}
	return value{}, errorf("datetime_add: unknown part %q", part)
}

func fnDatetimeDiff(_ *callCtx, a []value) (value, error) {
	part := normPart(sArg(a[0]))
	t1, t2 := dtArgTicks(a[1]), dtArgTicks(a[2])
	d1, d2 := ticksToTime(t1), ticksToTime(t2)
	switch part {
	case "year":
		return longV(int64(d1.Year() - d2.Year())), nil
	case "quarter":
		q := func(t time.Time) int { return t.Year()*4 + (int(t.Month())-1)/3 }
		return longV(int64(q(d1) - q(d2))), nil
	case "month":
		m := func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }
		return longV(int64(m(d1) - m(d2))), nil
	case "week":
		w := func(k int64) int64 {
			day := floorDiv(k, ticksPerDay)
			return floorDiv(day+1, 7) // 0001-01-01 is a Monday; weeks start on Sunday
		}
		return longV(w(t1) - w(t2)), nil
	case "nanosecond":
		return longV((t1 - t2) * 100), nil
	}
	if u, ok := partTicks[part]; ok {
		return longV(floorDiv(t1, u) - floorDiv(t2, u)), nil
	}
	return value{}, errorf("datetime_diff: unknown part %q", part)
}

func fnDatetimePart(_ *callCtx, a []value) (value, error) {
	part := normPart(sArg(a[0]))
	k := dtArgTicks(a[1])
	t := ticksToTime(k)
	frac := k % ticksPerSecond
	var n int64
	switch part {
	case "year":
		n = int64(t.Year())
	case "quarter":
		n = int64((int(t.Month())-1)/3 + 1)
	case "month":
		n = int64(t.Month())
	case "week":
		_, w := t.ISOWeek()
		n = int64(w)
	case "day":
		n = int64(t.Day())
	case "dayofyear":
		n = int64(t.YearDay())
	case "hour":
		n = int64(t.Hour())
	case "minute":
		n = int64(t.Minute())
	case "second":
		n = int64(t.Second())
	case "millisecond":
		n = frac / 10_000
	case "microsecond":
		n = frac / 10
	case "nanosecond":
		n = frac * 100
	default:
		return value{}, errorf("datetime_part: unknown part %q", part)
	}
	return intV(n), nil
}

func fnMakeDatetime(_ *callCtx, a []value) (value, error) {
	var p [7]float64
	for i, v := range a {
		f, ok := fArg(v)
		if !ok {
			return nullOf(kDatetime), nil
		}
		p[i] = f
	}
	sec := math.Floor(p[5])
	t := time.Date(int(p[0]), time.Month(p[1]), int(p[2]), int(p[3]), int(p[4]), int(sec), 0, time.UTC)
	if t.Year() != int(p[0]) || int(t.Month()) != int(p[1]) || t.Day() != int(p[2]) {
		return nullOf(kDatetime), nil
	}
	return dtV(timeToTicks(t) + int64((p[5]-sec)*float64(ticksPerSecond)+0.5)), nil
}

func fnMakeTimespan(_ *callCtx, a []value) (value, error) {
	units := []int64{ticksPerHour, ticksPerMinute, ticksPerSecond}
	if len(a) == 4 {
		units = []int64{ticksPerDay, ticksPerHour, ticksPerMinute, ticksPerSecond}
	} else if len(a) == 2 {
		units = units[:2]
	}
	var t float64
	for i, v := range a {
		f, ok := fArg(v)
		if !ok {
			return nullOf(kTimespan), nil
		}
		t += f * float64(units[i])
	}
	return tsV(int64(t)), nil
}

func unixTo(ticksPerUnit float64) func(*callCtx, []value) (value, error) {
	return func(_ *callCtx, a []value) (value, error) {
		f, ok := fArg(a[0])
		if !ok {
			return nullOf(kDatetime), nil
		}
		t := unixEpochTicks + int64(f*ticksPerUnit)
		if t < 0 || t > maxDatetimeTick {
			return nullOf(kDatetime), nil
		}
		return dtV(t), nil
	}
}
