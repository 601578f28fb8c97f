package dcms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/partnersandbox/sandbox/internal/mask"
)

// panSecret keys the derivation of test PANs. It is no secret (these are fake cards); it
// only makes a kit's PAN the same on every run and different between tenants.
var panSecret = []byte("partner-sandbox dcms test PAN v1")

// panLength is the length of every sandbox card number.
const panLength = 16

func panDigest(tenant, kitNo string) []byte {
	m := hmac.New(sha256.New, panSecret)
	m.Write([]byte(tenant))
	m.Write([]byte{0})
	m.Write([]byte(kitNo))
	return m.Sum(nil)
}

// TestPAN is a kit's full test card number: the kit's BIN, middle digits derived from the
// tenant and kitNo, and the kit's stored last four digits (so the masked number never
// changes). The last digit is fixed by the last four, so the first middle digit is the one
// chosen to make the number Luhn-valid. Nothing stores it; it is computed when needed.
func TestPAN(tenant string, k *Kit) string {
	var pan [panLength]byte
	n := copy(pan[:], k.BIN)
	copy(pan[panLength-4:], k.Last4)
	d := panDigest(tenant, k.KitNo)
	for i := n; i < panLength-4; i++ {
		pan[i] = '0' + d[i]%10
	}
	for c := byte('0'); c <= '9'; c++ {
		pan[n] = c
		if Luhn(string(pan[:])) {
			break
		}
	}
	return string(pan[:])
}

// newLast4 gives a new kit its last four digits, derived like the rest of its PAN.
func newLast4(tenant, kitNo string) string {
	d := panDigest(tenant, kitNo)
	b := []byte{'0' + d[28]%10, '0' + d[29]%10, '0' + d[30]%10, '0' + d[31]%10}
	return string(b)
}

// encryptedCardNumber is the kit's card number in the vendor's protected hex form. The
// sandbox's is a keyed hash of the test PAN: stable, and revealing nothing.
func encryptedCardNumber(tenant string, k *Kit) string {
	m := hmac.New(sha256.New, []byte("partner-sandbox dcms card number"))
	m.Write([]byte(TestPAN(tenant, k)))
	return hex.EncodeToString(m.Sum(nil))
}

// Luhn reports whether a string of digits passes the Luhn check.
func Luhn(number string) bool {
	for i := 0; i < len(number); i++ {
		if number[i] < '0' || number[i] > '9' {
			return false
		}
	}
	ok, n := mask.Luhn(number)
	return ok && n >= 2
}
