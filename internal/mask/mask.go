// Package mask removes secrets from what the sandbox keeps (journal, export, logs), by the
// structure of what it reads, never by a text pattern alone:
//
//   - in a JSON body, by the decoded key (so "p\u0069n" is pin), compared without case,
//     underscores or dashes (client_secret is clientSecret): secrets (PINs, PIN blocks, OTPs,
//     passwords, secrets, header_secrets, pass_key, tokens) become "****", the card numbers
//     of PAN fields show their first 6 and last 4 digits, Aadhaar and other OVD numbers
//     their last 4 characters (see Fields);
//   - anywhere else (other fields' values, paths, bodies that are not JSON), a card number
//     is masked first 6 / last 4 only where it is one: 13 to 19 digits, with or without
//     single spaces or dashes between them, that pass the Luhn check. Any other number (a
//     reference number, an amount, a mobile number) is kept exactly as sent.
//
// Masking is one linear scan that allocates only when it masks something.
package mask

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

// Secret is what a secret's value is replaced with.
const Secret = "****"

// Kind is how a field's value is masked.
type Kind uint8

const (
	// Keep keeps the value, but for card numbers (Luhn-valid 13-19 digits) in it.
	Keep Kind = iota
	// Hide replaces the whole value (string, number, object or array) with "****".
	Hide
	// Card masks every digit of the value but its first 6 and last 4: a PAN field.
	Card
	// LastFour masks every letter and digit of the value but its last 4: an OVD number.
	LastFour
)

// Fields are the JSON keys (and query parameters) masked by name, written as compared:
// lower case, without underscores or dashes. The card-number fields are those of the three
// contracts (DCMS cardNumber; the admin API's pan); the OVD fields DMT ovdData and DCMS
// kycInfo documentNo, and the usual names of an Aadhaar or passport number.
var Fields = map[string]Kind{
	// PINs and PIN blocks (DCMS Set PIN), OTPs (DMT), passwords and secrets.
	"pin": Hide, "newpin": Hide, "oldpin": Hide, "confirmpin": Hide, "pinblock": Hide, "encryptedpin": Hide,
	"otp": Hide, "password": Hide, "secret": Hide, "appsecret": Hide, "clientsecret": Hide,
	"headersecrets": Hide, "passkey": Hide, "apikey": Hide, "cvv": Hide, "cvv2": Hide,
	// Bearer tokens: DCMS authenticate's id_token, profile GetAppToken's token, and the like.
	"token": Hide, "idtoken": Hide, "accesstoken": Hide, "refreshtoken": Hide, "apptoken": Hide,
	"authtoken": Hide, "authorization": Hide,
	// DMT encrypted variant: kept only when it could not be decrypted (see the journal).
	"requestdata": Hide, "responsedata": Hide,
	// Card numbers.
	"cardnumber": Card, "pan": Card, "cardno": Card, "pannumber": Card,
	// Aadhaar and other OVD (officially valid document) numbers.
	"ovddata": LastFour, "ovdnumber": LastFour, "aadhaar": LastFour, "aadhaarnumber": LastFour,
	"aadhar": LastFour, "aadharnumber": LastFour, "uid": LastFour, "documentno": LastFour,
	"documentnumber": LastFour, "passportnumber": LastFour, "passportno": LastFour,
}

// hiddenSuffixes hide a field whose name ends with one of them (customerPassword,
// webhookSecret, sessionToken), besides the names in Fields.
var hiddenSuffixes = []string{"password", "secret", "secrets", "token", "pinblock", "otp"}

// maxKey is the longest key compared; a longer one is kept (no field has such a name).
const maxKey = 64

// keyKind is how the value of a key is masked; raw is the key's text between its quotes,
// escapes and all.
func keyKind(raw []byte) Kind {
	var buf [maxKey]byte
	n, ok := normalize(raw, &buf)
	if !ok || n == 0 {
		return Keep
	}
	return kindOf(buf[:n])
}

// byLength are Fields by the length of their names: a key is compared with those of its
// length only (cheaper than hashing every key of every body).
var byLength = func() (t [maxKey + 1][]struct {
	name string
	kind Kind
}) {
	for name, k := range Fields {
		t[len(name)] = append(t[len(name)], struct {
			name string
			kind Kind
		}{name, k})
	}
	return t
}()

func kindOf(name []byte) Kind {
	for _, f := range byLength[len(name)] {
		if f.name[0] == name[0] && f.name == string(name) {
			return f.kind
		}
	}
	switch name[len(name)-1] { // the last letters of hiddenSuffixes
	case 'd', 't', 's', 'n', 'k', 'p':
		for _, s := range hiddenSuffixes {
			if len(name) > len(s) && string(name[len(name)-len(s):]) == s {
				return Hide
			}
		}
	}
	return Keep
}

// normalize writes the decoded key in lower case, without '_' or '-', into buf.
func normalize(raw []byte, buf *[maxKey]byte) (int, bool) {
	n := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' {
			if i+1 >= len(raw) {
				return n, false
			}
			i++
			switch raw[i] {
			case 'u':
				if i+4 >= len(raw) {
					return n, false
				}
				r, ok := hex4(raw[i+1 : i+5])
				if !ok || r >= 0x80 { // no field name has a non-ASCII letter
					return n, false
				}
				c, i = byte(r), i+4
			case 'b', 'f', 'n', 'r', 't':
				return n, false // no field name has a control character
			default: // \" \\ \/
				c = raw[i]
			}
		}
		switch {
		case c == '_' || c == '-':
			continue
		case n == maxKey:
			return n, false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return n, true
}

func hex4(h []byte) (rune, bool) {
	var r rune
	for _, c := range h {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// masker builds a masked copy of b only once something is masked: out holds the masked
// text up to b[last:].
type masker struct {
	b    []byte
	out  []byte
	last int
	// started: out holds the masked text (set at the first masking, or from the start
	// when appending to a buffer of the caller's).
	started bool
}

// to copies b up to start into out.
func (m *masker) to(start int) {
	if !m.started {
		m.out, m.started = make([]byte, 0, len(m.b)+8), true
	}
	m.out = append(m.out, m.b[m.last:start]...)
	m.last = start
}

// replace puts repl in place of b[start:end].
func (m *masker) replace(start, end int, repl string) {
	m.to(start)
	m.out = append(m.out, repl...)
	m.last = end
}

// editable copies b[start:end] into out and returns that copy, to be masked in place.
func (m *masker) editable(start, end int) []byte {
	m.to(start)
	m.out = append(m.out, m.b[start:end]...)
	m.last = end
	return m.out[len(m.out)-(end-start):]
}

func (m *masker) result() []byte {
	if !m.started {
		return m.b
	}
	return append(m.out, m.b[m.last:]...)
}

// cards masks the card numbers in b[start:end] in place.
func (m *masker) cards(start, end int) {
	if end-start < minPAN {
		return
	}
	for from := start; ; {
		lo, hi, ok := nextCard(m.b[:end], from)
		if !ok {
			return
		}
		maskDigits(m.editable(lo, hi), 6, 4)
		from = hi
	}
}

// Body masks a request or response body: a JSON body by structure, any other body (or a
// JSON one cut short) as Text. It returns b itself when there is nothing to mask.
func Body(b []byte) []byte {
	i := skipSpace(b, 0)
	if i == len(b) {
		return b
	}
	if b[i] != '{' && b[i] != '[' {
		return Text(b)
	}
	m := masker{b: b}
	m.scan(i)
	return m.result()
}

// AppendBody appends Body(b) to dst: with dst's room, masking allocates nothing.
func AppendBody(dst, b []byte) []byte {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' && b[i] != '[' {
		return append(dst, Body(b)...)
	}
	m := masker{b: b, out: dst, started: true}
	m.scan(i)
	return m.result()
}

// scan masks m.b, a JSON value starting at b[i].
func (m *masker) scan(i int) {
	b := m.b
	pending := Keep // how the next value is masked: its key's kind
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			end, escaped := stringEnd(b, i)
			if j := skipSpace(b, end); j < len(b) && b[j] == ':' && end > i+1 && b[end-1] == '"' {
				pending = keyKind(b[i+1 : end-1])
				i = j + 1
				continue
			}
			m.str(i, end, escaped, pending)
			pending, i = Keep, end
		case c == '{' || c == '[':
			if pending == Hide {
				end := compositeEnd(b, i)
				m.replace(i, end, `"`+Secret+`"`)
				i = end
			} else {
				i++
			}
			pending = Keep
		case c == '-' || isDigit(c):
			end := i + 1
			for end < len(b) && (isDigit(b[end]) || b[end] == '.' || b[end] == 'e' || b[end] == 'E' || b[end] == '+' || b[end] == '-') {
				end++
			}
			m.number(i, end, pending)
			pending, i = Keep, end
		case 'a' <= c && c <= 'z': // true, false, null: nothing to hide
			for i < len(b) && 'a' <= b[i] && b[i] <= 'z' {
				i++
			}
			pending = Keep
		default:
			i++
		}
	}
}

// str masks the string b[start:end] (quotes included; an unterminated one runs to the end).
func (m *masker) str(start, end int, escaped bool, k Kind) {
	if k == Hide {
		m.replace(start, end, `"`+Secret+`"`)
		return
	}
	lo, hi := start+1, end
	if hi > lo && m.b[hi-1] == '"' {
		hi--
	}
	if escaped { // rare: decode, mask, write back quoted if anything changed
		var s string
		if json.Unmarshal(m.b[start:end], &s) != nil {
			return
		}
		v := []byte(s)
		if maskValue(v, k) {
			q, _ := json.Marshal(string(v))
			m.replace(start, end, string(q))
		}
		return
	}
	switch k {
	case Card:
		if digits(m.b[lo:hi]) > 10 {
			maskDigits(m.editable(lo, hi), 6, 4)
		}
	case LastFour:
		if alnums(m.b[lo:hi]) > 4 {
			maskLastFour(m.editable(lo, hi))
		}
	default:
		m.cards(lo, hi)
	}
}

// number masks the number b[start:end]: a masked one becomes a string.
func (m *masker) number(start, end int, k Kind) {
	if k == Hide {
		m.replace(start, end, `"`+Secret+`"`)
		return
	}
	if k == Keep {
		if _, _, ok := nextCard(m.b[start:end], 0); !ok {
			return
		}
	}
	if v := append([]byte(nil), m.b[start:end]...); maskValue(v, k) {
		m.replace(start, end, `"`+string(v)+`"`)
	}
}

// maskValue masks a decoded value of kind k (not Hide) in place and says whether it changed.
func maskValue(v []byte, k Kind) bool {
	switch k {
	case Card:
		if digits(v) > 10 {
			maskDigits(v, 6, 4)
			return true
		}
	case LastFour:
		if alnums(v) > 4 {
			maskLastFour(v)
			return true
		}
	default:
		changed := false
		for from := 0; ; {
			lo, hi, ok := nextCard(v, from)
			if !ok {
				return changed
			}
			maskDigits(v[lo:hi], 6, 4)
			changed, from = true, hi
		}
	}
	return false
}

// Text masks the card numbers in any text (a path, a body that is not JSON).
func Text(b []byte) []byte {
	m := masker{b: b}
	m.cards(0, len(b))
	return m.result()
}

// Path masks the card numbers in a URL path (or any short text kept as a string).
func Path(p string) string {
	n := 0
	for i := 0; i < len(p); i++ {
		if isDigit(p[i]) {
			n++
		}
	}
	if n < minPAN {
		return p
	}
	b := []byte(p)
	if out := Text(b); &out[0] != &b[0] {
		return string(out)
	}
	return p
}

// Query masks a raw query string by parameter name, as Body masks JSON fields.
func Query(q string) string {
	if q == "" {
		return q
	}
	b := []byte(q)
	m := masker{b: b}
	for start := 0; start < len(b); {
		end := bytes.IndexByte(b[start:], '&')
		if end < 0 {
			end = len(b)
		} else {
			end += start
		}
		eq := bytes.IndexByte(b[start:end], '=')
		if eq >= 0 {
			eq += start
			k := Keep
			if name, err := url.QueryUnescape(string(b[start:eq])); err == nil {
				var buf [maxKey]byte
				if n, ok := normalize([]byte(strings.ReplaceAll(name, `\`, `\\`)), &buf); ok {
					k = kindOf(buf[:n])
				}
			}
			switch k {
			case Hide:
				m.replace(eq+1, end, Secret)
			case Card, LastFour:
				v := append([]byte(nil), b[eq+1:end]...)
				if maskValue(v, k) {
					m.replace(eq+1, end, string(v))
				}
			default:
				m.cards(eq+1, end)
			}
		}
		start = end + 1
	}
	return string(m.result())
}

// PAN masks one card number as first 6 / last 4 (608040XXXXXX6857).
func PAN(pan string) string {
	v := []byte(pan)
	if !maskValue(v, Card) {
		return pan
	}
	return string(v)
}

// IsMasked says a value is one this package masked: it holds "****", or a run of X between
// the kept digits of a card number or before the last 4 of an OVD number.
func IsMasked(v string) bool {
	if strings.Contains(v, Secret) {
		return true
	}
	x := strings.IndexByte(v, 'X')
	if x < 0 || len(v) < 8 || strings.Count(v, "X") < 3 || strings.Contains(v[len(v)-4:], "X") {
		return false
	}
	for i := 0; i < x; i++ {
		if !isDigit(v[i]) && v[i] != ' ' && v[i] != '-' {
			return false
		}
	}
	return true
}

// A card number has 13 to 19 digits.
const minPAN, maxPAN = 13, 19

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd is the index after the closing quote of the string that opens at b[i] (len(b)
// for one cut short), and whether it has escapes.
func stringEnd(b []byte, i int) (int, bool) {
	rest := b[i+1:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		q = len(rest)
	}
	k := bytes.IndexByte(rest[:q], '\\')
	if k < 0 { // the common case: no escape, found with two fast searches
		return min(i+1+q+1, len(b)), false
	}
	for j := i + 1 + k; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(b), true
}

// compositeEnd is the index after the object or array that opens at b[i].
func compositeEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, _ := stringEnd(b, j)
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(b)
}

// count is how many bytes of b are of a class (isDigit, isAlnum).
func count(b []byte, class func(byte) bool) int {
	n := 0
	for _, c := range b {
		if class(c) {
			n++
		}
	}
	return n
}

func digits(b []byte) int { return count(b, isDigit) }

func alnums(b []byte) int { return count(b, isAlnum) }

// maskDigits replaces every digit of b with X but the first keepFirst and last keepLast.
func maskDigits(b []byte, keepFirst, keepLast int) {
	n := digits(b)
	seen := 0
	for i, c := range b {
		if !isDigit(c) {
			continue
		}
		if seen >= keepFirst && seen < n-keepLast {
			b[i] = 'X'
		}
		seen++
	}
}

// maskLastFour replaces every letter and digit of b with X but the last 4.
func maskLastFour(b []byte) {
	n := alnums(b)
	seen := 0
	for i, c := range b {
		if !isAlnum(c) {
			continue
		}
		if seen < n-4 {
			b[i] = 'X'
		}
		seen++
	}
}

// nextCard finds the first card number in b at or after from: [lo, hi) spans 13 to 19
// digits, with single spaces or dashes between them, that pass the Luhn check, with no
// letter or digit either side. In a longer group of digits, separators apart, a run of
// plain digits may be the card number.
func nextCard(b []byte, from int) (lo, hi int, ok bool) {
	for i := from; i < len(b); {
		if !isDigit(b[i]) {
			i++
			continue
		}
		start := i
		end := i
		for end < len(b) {
			if isDigit(b[end]) {
				end++
				continue
			}
			if (b[end] == ' ' || b[end] == '-') && end+1 < len(b) && isDigit(b[end+1]) {
				end++
				continue
			}
			break
		}
		i = end
		if end-start < minPAN {
			continue
		}
		if start > 0 && isAlnum(b[start-1]) || end < len(b) && isAlnum(b[end]) {
			continue // part of an id or a word
		}
		if luhn(b[start:end]) {
			return start, end, true
		}
		// a run of plain digits within the group, between separators
		for r := start; r < end; {
			e := r
			for e < end && isDigit(b[e]) {
				e++
			}
			if e-r != end-start && luhn(b[r:e]) {
				return r, e, true
			}
			r = e + 1
		}
	}
	return 0, 0, false
}

// luhn says b (digits, maybe with spaces or dashes) has 13 to 19 digits and passes the
// Luhn check.
func luhn(b []byte) bool {
	ok, n := Luhn(b)
	return ok && n >= minPAN && n <= maxPAN
}

// Luhn says whether the digits of b (any other byte is skipped) pass the Luhn check, and
// how many digits there are: the one definition of the check (card numbers are made with it
// and recognised by it).
func Luhn[T ~string | ~[]byte](b T) (ok bool, digits int) {
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		c := b[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if digits%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		digits++
	}
	return sum%10 == 0, digits
}
