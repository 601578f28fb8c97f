package dcms_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/dcms"
	"github.com/partnersandbox/sandbox/partner"
)

// This file builds Set PIN V2 blocks independently of the sandbox, from the description
// alone: ISO 9564-1 format 0 (PIN field 0‖N‖PIN‖F…, PAN field 0000‖12 rightmost PAN digits
// without the check digit, XORed), then AES-GCM with a 16-byte IV and a 16-byte tag,
// Base64(IV‖ciphertext‖tag).

// pinField is the clear format 0 PIN field, as 16 hex digits; control and length are
// parameters so tests can break them.
func pinField(control byte, length int, pin string) string {
	f := fmt.Sprintf("%c%X%s", control, length, pin)
	return f + strings.Repeat("F", 16-len(f))
}

func panField(pan string) string { return "0000" + pan[len(pan)-13:len(pan)-1] }

func xorHex(t *testing.T, a, b string) []byte {
	t.Helper()
	x, err1 := hex.DecodeString(a)
	y, err2 := hex.DecodeString(b)
	if err1 != nil || err2 != nil || len(x) != 8 || len(y) != 8 {
		t.Fatalf("bad fields %q %q", a, b)
	}
	out := make([]byte, 8)
	for i := range out {
		out[i] = x[i] ^ y[i]
	}
	return out
}

func gcmSeal(t *testing.T, key, iv, plain []byte) []byte {
	t.Helper()
	c, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	g, err := cipher.NewGCMWithNonceSize(c, 16)
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]byte(nil), iv...), g.Seal(nil, iv, plain, nil)...)
}

var testIV = []byte("0123456789abcdef")

// independentBlock is the `pin` of a Set PIN V2 request for pan and pin under key.
func independentBlock(t *testing.T, pan, pin string, key []byte) string {
	return base64.StdEncoding.EncodeToString(gcmSeal(t, key, testIV, xorHex(t, pinField('0', len(pin), pin), panField(pan))))
}

// independentOpen reads a block the other way and returns the PIN.
func independentOpen(t *testing.T, block, pan string, key []byte) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(block)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := aes.NewCipher(key)
	g, _ := cipher.NewGCMWithNonceSize(c, 16)
	plain, err := g.Open(nil, raw[:16], raw[16:], nil)
	if err != nil {
		t.Fatalf("cannot open the block: %v", err)
	}
	field := strings.ToUpper(hex.EncodeToString(xorHex(t, hex.EncodeToString(plain), panField(pan))))
	n := int(field[1] - '0')
	if field[0] != '0' || strings.Trim(field[2+n:], "F") != "" {
		t.Fatalf("not a format 0 field: %s", field)
	}
	return field[2 : 2+n]
}

func tenantKey(t *testing.T, s *sandbox) []byte {
	t.Helper()
	var keys struct {
		SetPinKey string `json:"setPinKey"`
	}
	s.raw.Get("/__sandbox/tenants/"+tenant+"/keys").Decode(t, &keys)
	key, err := base64.StdEncoding.DecodeString(keys.SetPinKey)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// pinRequest is a valid Set PIN V2 request for a kit, built independently.
func pinRequest(t *testing.T, s *sandbox, entityID, kitNo, pin string) map[string]any {
	t.Helper()
	k := s.kit(t, kitNo)
	return map[string]any{"entityId": entityID, "kitNo": kitNo, "expiryDate": k.Expiry,
		"pin": independentBlock(t, k.PAN, pin, tenantKey(t, s))}
}

func TestSetPinV2(t *testing.T) {
	s := newSandbox(t)
	const entity, kitNo = "675676", "4240171642"
	k := s.kit(t, kitNo)
	if k.MaskedPAN != "608040XXXXXX6857" || !strings.HasPrefix(k.PAN, "608040") || !strings.HasSuffix(k.PAN, "6857") || len(k.PAN) != 16 || k.Expiry != "0729" {
		t.Fatalf("test kit: %+v", k)
	}
	if !luhn(k.PAN) {
		t.Fatalf("test PAN %s fails the Luhn check", k.PAN)
	}
	key := tenantKey(t, s)
	if !bytes.Equal(key, []byte("sandbox-set-pin-key-0123456789AB")) {
		t.Fatalf("default key %q", key)
	}
	req := func(pin string, expiry any) map[string]any {
		return map[string]any{"entityId": entity, "kitNo": kitNo, "expiryDate": expiry, "pin": pin}
	}
	good := independentBlock(t, k.PAN, "4321", key)

	// Not active yet.
	s.post(t, "/v1/kit-manager/v2/setPin", req(good, "0729")).fails(t, 400, "card.not.active")
	s.post(t, "/v1/kit-manager/kitActivation", map[string]any{"entityId": entity, "kitNo": kitNo}).ok(t)

	wrongKey := independentBlock(t, k.PAN, "4321", []byte("another-key-of-thirty-two-bytes!"))
	otherPAN := independentBlock(t, "6080401234567893", "4321", key)
	tampered := []byte(good)
	tampered[len(tampered)-3] ^= 1 // inside the tag
	field := func(f string) string {
		return base64.StdEncoding.EncodeToString(gcmSeal(t, key, testIV, xorHex(t, f, panField(k.PAN))))
	}
	hexPlain := base64.StdEncoding.EncodeToString(gcmSeal(t, key, testIV, []byte(strings.ToUpper(hex.EncodeToString(xorHex(t, pinField('0', 4, "4321"), panField(k.PAN)))))))

	cases := []struct {
		name       string
		body       map[string]any
		code       string
		detailHint string
	}{
		{"not Base64", req("***not base64***", "0729"), "invalid.pin", "Base64"},
		{"wrong length", req(base64.StdEncoding.EncodeToString(make([]byte, 20)), "0729"), "invalid.pin", "length"},
		{"wrong key", req(wrongKey, "0729"), "invalid.pin", "authentication"},
		{"tampered tag", req(string(tampered), "0729"), "invalid.pin", "authentication"},
		{"format 1 control digit", req(field(pinField('1', 4, "4321")), "0729"), "PIN001", "control digit"},
		{"PIN too short", req(field(pinField('0', 3, "432")), "0729"), "PIN001", "length"},
		{"PIN not digits", req(field(pinField('0', 4, "43A1")), "0729"), "PIN001", "non-decimal"},
		{"padding not F", req(field("041234"+"FFFFFFFE"+"FF"), "0729"), "PIN001", "padding"},
		{"block for another PAN", req(otherPAN, "0729"), "PIN001", ""},
		{"expiry mismatch", req(good, "0830"), "card.expiry.mismatch", "0830"},
		{"expiry no month", req(good, "1329"), "invalid.input.request", "month"},
		{"another customer's kit", map[string]any{"entityId": "676165", "kitNo": kitNo, "expiryDate": 729, "pin": good}, "MCC007", ""},
		{"unknown customer", map[string]any{"entityId": "000000", "kitNo": kitNo, "expiryDate": 729, "pin": good}, "CUS001", ""},
		{"expiry as the vendor's number", req(good, 729), "", ""},
		{"expiry as a string", req(good, "0729"), "", ""},
		{"expiry as three digits", req(good, "729"), "", ""},
		{"hex plaintext", req(hexPlain, 729), "", ""},
	}
	details := map[string]string{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := s.post(t, "/v1/kit-manager/v2/setPin", tc.body)
			if tc.code == "" {
				c.ok(t)
				if c.result != true {
					t.Fatalf("result %v", c.result)
				}
				return
			}
			c.fails(t, 400, tc.code)
			if !strings.Contains(c.detail(), tc.detailHint) {
				t.Fatalf("detail %q does not mention %q", c.detail(), tc.detailHint)
			}
			// Different failures must read differently (a wrong key and a tampered tag
			// cannot be told apart by GCM, so they share one).
			if prev, dup := details[c.detail()]; dup && tc.detailHint != "" && prev != tc.detailHint {
				t.Fatalf("failures %q and %q answer the same detail %q", prev, tc.detailHint, c.detail())
			}
			if tc.detailHint != "" {
				details[c.detail()] = tc.detailHint
			}
		})
	}
	if !s.kit(t, kitNo).PinSet {
		t.Fatal("pinSet is false after a successful Set PIN")
	}

	// Neither the PIN nor the block is kept in the journal.
	var j struct {
		Entries []struct{ Request string } `json:"entries"`
	}
	s.raw.Get("/__sandbox/journal?operationId=setPinV2").Decode(t, &j)
	for _, e := range j.Entries {
		if strings.Contains(e.Request, good) || strings.Contains(e.Request, wrongKey) {
			t.Fatalf("journal keeps a PIN block: %s", e.Request)
		}
	}
}

// TestSetPinV2SpecExample sends the contract's own example (built for ACME_BANK's kit).
func TestSetPinV2SpecExample(t *testing.T) {
	s := newSandbox(t)
	s.post(t, "/v1/kit-manager/kitActivation", map[string]any{"entityId": "675676", "kitNo": "4240171642"}).ok(t)
	s.post(t, "/v1/kit-manager/v2/setPin", `{"pin": "AAECAwQFBgcICQoLDA0OD1Ve878ABQggwn03CbUq1M09Ke24qhMYFA==", "kitNo": "4240171642", "entityId": "675676", "expiryDate": 729}`).ok(t)
}

// TestPinBlockHelperBothWays: package partner (behind `sandbox pin-block`) and the
// independent one above read each other's blocks.
func TestPinBlockHelperBothWays(t *testing.T) {
	const pan, pin = "6080408903536857", "987654"
	key := dcms.DefaultSetPinKey
	built, err := partner.EncryptPinBlock(pan, pin, key, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := independentOpen(t, built, pan, key); got != pin {
		t.Fatalf("independent reading of the helper's block: %q", got)
	}
	got, err := partner.RevealPin(independentBlock(t, pan, pin, key), pan, key)
	if err != nil || got != pin {
		t.Fatalf("helper reading of the independent block: %q %v", got, err)
	}
	if _, err := partner.RevealPin(independentBlock(t, pan, pin, key), "6080401234567893", key); err == nil {
		t.Fatal("a block read against another PAN passed")
	}
}

func luhn(n string) bool {
	sum := 0
	for i := 0; i < len(n); i++ {
		d := int(n[len(n)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
