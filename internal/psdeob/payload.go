package psdeob

import "strings"

// Decoded byte payloads (shellcode, PE images) are not code the evaluator can
// read, but stagers carry their C2 address as a plain string: a reverse-HTTP
// stager holds the host ("192.0.2.7") and the user agent as NUL-terminated
// ASCII. recordPayload keeps such strings as computed indicator candidates,
// with high confidence only: a printable run counts when the whole run is an
// IPv4 address or a URL with a real host — never a substring of a longer
// run, so random bytes and text do not produce indicators.

const (
	maxPayloadScan = 8 << 20 // bytes scanned per analysis
	minPayloadRun  = 7       // "1.2.3.4"
	maxPayloadRun  = 2048
)

func (e *evaluator) recordPayload(b []byte) {
	if e.quiet > 0 || len(b) < 32 || e.payloadScanned >= maxPayloadScan {
		return
	}
	if len(b) > maxPayloadScan-e.payloadScanned {
		b = b[:maxPayloadScan-e.payloadScanned]
	}
	e.payloadScanned += len(b)
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] >= 0x20 && b[i] < 0x7f {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= minPayloadRun && i-start <= maxPayloadRun {
			if run := string(b[start:i]); payloadIndicator(run) {
				e.record(run, nil)
			}
		}
		start = -1
	}
}

// payloadIndicator reports whether a whole printable run is an IPv4 address
// or a URL.
func payloadIndicator(run string) bool {
	if validIPv4(run) {
		return true
	}
	loc := urlRe.FindStringIndex(run)
	if loc == nil || loc[0] != 0 || loc[1] != len(run) || strings.Contains(run, "[") {
		return false
	}
	_, _, ok := cleanURL(run)
	return ok
}
