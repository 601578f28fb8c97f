// Package mask removes card numbers, PINs and PIN blocks from text before it is kept
// anywhere (journal, logs): a PAN shows its first 6 and last 4 digits, a PIN field is
// replaced whole.
package mask

import (
	"bytes"
	"regexp"
)

// PAN masks one card number as first 6 / last 4 (608040XXXXXX6857).
func PAN(pan string) string {
	if len(pan) < 11 {
		return pan
	}
	b := []byte(pan)
	for i := 6; i < len(b)-4; i++ {
		b[i] = 'X'
	}
	return string(b)
}

// secretFields are JSON fields whose value is never kept: PINs and PIN blocks, passwords,
// secrets and OTPs.
var secretField = regexp.MustCompile(`(?i)("(?:pin|pinBlock|newPin|oldPin|password|appSecret|client_secret|otp)"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9]+)`)

// Body masks a request or response body. It is cheap when there is nothing to mask: the
// common case on the hot path.
func Body(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	if hasLongDigitRun(b) {
		b = maskDigitRuns(b)
	}
	if bytes.Contains(b, []byte(`"`)) && secretField.Match(b) {
		b = secretField.ReplaceAll(b, []byte(`${1}"****"`))
	}
	return b
}

// A PAN has 13 to 19 digits.
const minPAN, maxPAN = 13, 19

func hasLongDigitRun(b []byte) bool {
	run := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			run++
			if run >= minPAN {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// maskDigitRuns masks every run of 13-19 digits in a copy of b.
func maskDigitRuns(b []byte) []byte {
	out := append([]byte(nil), b...)
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start >= minPAN && end-start <= maxPAN {
			for i := start + 6; i < end-4; i++ {
				out[i] = 'X'
			}
		}
		start = -1
	}
	for i, c := range out {
		if c >= '0' && c <= '9' {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
	}
	flush(len(out))
	return out
}
