package contract

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// HuntingDefaultSpan is runHuntingQuery's Timespan when a request has none
// ("The default value is 30 days", DocHunting): rows older than that are
// invisible to the query, whatever its own filter says.
const HuntingDefaultSpan = 30 * 24 * time.Hour

var agoLiteral = lazyre.New(`(?i)\bago\s*\(\s*(\d+(?:\.\d+)?)\s*(d|h|m|s|ms|tick)?\s*\)`)

var agoUnits = map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second,
	"ms": time.Millisecond, "tick": 100 * time.Nanosecond, "": 24 * time.Hour}

// HuntingTimespan is the Timespan a client sends with a hunting query: the
// query's own time window, i.e. its largest ago(...) lookback rounded up to
// whole days, as an ISO 8601 duration ("P90D"). A query without ago() gets
// the service's default, sent explicitly. reason says which, in words a
// tool can show.
func HuntingTimespan(query string) (iso string, span time.Duration, reason string) {
	var longest time.Duration
	for _, m := range agoLiteral.FindAllStringSubmatch(query, -1) {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil || n > 1e6 {
			continue
		}
		d := time.Duration(n * float64(agoUnits[strings.ToLower(m[2])]))
		longest = max(longest, d)
	}
	if longest <= 0 {
		return "P30D", HuntingDefaultSpan, "the query has no ago() window, so the service's 30-day default applies"
	}
	days := max(1, int(math.Ceil(longest.Hours()/24)))
	span = time.Duration(days) * 24 * time.Hour
	return fmt.Sprintf("P%dD", days), span, fmt.Sprintf("the query's own window: its longest lookback is ago(%s)", fmtSpan(longest))
}

func fmtSpan(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
