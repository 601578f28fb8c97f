// Package mask removes card numbers, PINs and PIN blocks from text before it is kept
// anywhere (journal, logs): a PAN shows its first 6 and last 4 digits, a PIN field is
// replaced whole.
package mask

import (
	"bytes"
	"strings"
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

// secretFields are JSON keys whose value is never kept: PINs and PIN blocks, passwords,
// secrets and OTPs. Matched case-insensitively.
var secretFields = []string{"pin", "pinBlock", "newPin", "oldPin", "password", "appSecret", "client_secret", "otp"}

// PANs masks every card number in b (a copy if there is one to mask). Responses need only
// this: the sandbox writes them from contracts that have no PIN, password or OTP field.
func PANs(b []byte) []byte {
	if hasLongDigitRun(b) {
		return maskDigitRuns(b)
	}
	return b
}

// Body masks a request body: card numbers, and the values of secret fields. It is cheap
// when there is nothing to mask (the common case on the hot path): a linear scan, no
// allocation.
func Body(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	if hasLongDigitRun(b) {
		b = maskDigitRuns(b)
	}
	if spans := secretValues(b); len(spans) > 0 {
		b = replaceSpans(b, spans)
	}
	return b
}

// secretValues finds the value spans of secret keys: `"pin": "…"` or `"pin": 1234`. It
// jumps from colon to colon (a fast byte search) and looks back for a quoted key.
func secretValues(b []byte) [][2]int {
	var spans [][2]int
	for i := 0; i < len(b); {
		c := bytes.IndexByte(b[i:], ':')
		if c < 0 {
			break
		}
		colon := i + c
		i = colon + 1
		k := colon - 1
		for k >= 0 && isSpace(b[k]) {
			k--
		}
		if k < 1 || b[k] != '"' {
			continue
		}
		open := bytes.LastIndexByte(b[max(0, k-14):k], '"')
		if open < 0 {
			continue
		}
		key := b[max(0, k-14)+open+1 : k]
		if !maybeSecret(key) || !isSecret(key) {
			continue
		}
		start := colon + 1
		for start < len(b) && isSpace(b[start]) {
			start++
		}
		end := start
		if end < len(b) && b[end] == '"' {
			end++
			for end < len(b) && b[end] != '"' {
				if b[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end+1, len(b))
		} else {
			for end < len(b) && (b[end] == '-' || isDigit(b[end])) {
				end++
			}
		}
		if end > start {
			spans = append(spans, [2]int{start, end})
			i = end
		}
	}
	return spans
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// maybeSecret is a cheap first filter on the key's length.
func maybeSecret(key []byte) bool {
	switch len(key) {
	case 3, 6, 8, 9, 13:
		return true
	}
	return false
}

func isSecret(key []byte) bool {
	for _, s := range secretFields {
		if len(key) == len(s) && strings.EqualFold(string(key), s) {
			return true
		}
	}
	return false
}

func replaceSpans(b []byte, spans [][2]int) []byte {
	out := make([]byte, 0, len(b))
	prev := 0
	for _, sp := range spans {
		out = append(out, b[prev:sp[0]]...)
		out = append(out, `"****"`...)
		prev = sp[1]
	}
	return append(out, b[prev:]...)
}

// A PAN has 13 to 19 digits.
const minPAN, maxPAN = 13, 19

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hasLongDigitRun reports a run of at least minPAN digits. Any such run covers one of the
// positions minPAN-1, 2*minPAN-1, …, so only those are probed, and the run is measured
// around a probe that is a digit: most bytes are never looked at.
func hasLongDigitRun(b []byte) bool {
	for p := minPAN - 1; p < len(b); p += minPAN {
		if !isDigit(b[p]) {
			continue
		}
		lo, hi := p, p
		for lo > 0 && isDigit(b[lo-1]) {
			lo--
		}
		for hi+1 < len(b) && isDigit(b[hi+1]) {
			hi++
		}
		if hi-lo+1 >= minPAN {
			return true
		}
		p = hi // the next probe past this run
		p -= (p - (minPAN - 1)) % minPAN
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
