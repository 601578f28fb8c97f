package partner_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/partnersandbox/sandbox/partner"
)

// The sandbox's documented keys (README), and known answers the contracts publish: the
// Set PIN V2 example of openapi/dcms.yaml and the encrypted get-customer example of
// openapi/dmt.yaml, both built with those keys.
var (
	setPinKey = []byte("sandbox-set-pin-key-0123456789AB")
	dmtKey    = []byte("sandbox-dmt-aes-256-key-32-bytes")
	otherKey  = bytes.Repeat([]byte{7}, 32)
)

const (
	pan          = "6080408903536857"                                         // ACME_BANK's kit 4240171642
	contractPin  = "AAECAwQFBgcICQoLDA0OD1Ve878ABQggwn03CbUq1M09Ke24qhMYFA==" // PIN 1234, IV 00…0f
	contractData = "33h7n0T6u+FknmaYgXglU8nfdKiuslEIsEw1eSSLjBii6+TuBCCoTeDgNwI0lsunipYKalruGzQfi5Tyb1f7Ntq+3hjrqVZDAghuioWbfU7xr2KD5ZhJ39f+6q05LDKHsTHlcfeGblv+EyFKQFfQZPnPStQRrKniPHEME/ngmSE="
	contractBody = `{"mobileNumber":"8765432345","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`
)

func TestPinBlockKnownAnswer(t *testing.T) {
	iv, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	got, err := partner.EncryptPinBlock(pan, "1234", setPinKey, iv, false)
	if err != nil || got != contractPin {
		t.Fatalf("EncryptPinBlock = %q, %v; the contract's example is %q", got, err, contractPin)
	}
	if pin, err := partner.RevealPin(contractPin, pan, setPinKey); err != nil || pin != "1234" {
		t.Fatalf("RevealPin = %q, %v", pin, err)
	}
	if n, err := partner.DecryptPinBlock(contractPin, pan, setPinKey); err != nil || n != 4 {
		t.Fatalf("DecryptPinBlock = %d, %v", n, err)
	}
	// 041234FFFFFFFFFF XOR 0000040890353685 (the 12 PAN digits before the check digit)
	block, err := partner.PinBlock(pan, "1234")
	if err != nil || hex.EncodeToString(block[:]) != "041230f76fcac97a" {
		t.Fatalf("PinBlock = %x, %v", block, err)
	}
}

func TestPinBlockRoundTrips(t *testing.T) {
	for _, asHex := range []bool{false, true} {
		a, err := partner.EncryptPinBlock(pan, "908172", setPinKey, nil, asHex)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := partner.EncryptPinBlock(pan, "908172", setPinKey, nil, asHex)
		if a == b {
			t.Fatal("two blocks are equal: the IV is not random")
		}
		if pin, err := partner.RevealPin(a, pan, setPinKey); err != nil || pin != "908172" {
			t.Fatalf("hex %v: RevealPin = %q, %v", asHex, pin, err)
		}
	}
}

// Each failure names its step, as the sandbox's answer does.
func TestPinBlockFailures(t *testing.T) {
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"PIN too short", func() error { _, err := partner.EncryptPinBlock(pan, "12", setPinKey, nil, false); return err }, partner.ErrPinBadPIN},
		{"PAN too short", func() error { _, err := partner.EncryptPinBlock("1234", "1234", setPinKey, nil, false); return err }, partner.ErrPinBadPAN},
		{"bad key", func() error { _, err := partner.EncryptPinBlock(pan, "1234", []byte("short"), nil, false); return err }, partner.ErrPinBadKey},
		{"not Base64", func() error { _, err := partner.RevealPin("%%%", pan, setPinKey); return err }, partner.ErrPinBase64},
		{"wrong length", func() error { _, err := partner.RevealPin("AAAA", pan, setPinKey); return err }, partner.ErrPinLength},
		{"wrong key", func() error { _, err := partner.RevealPin(contractPin, pan, otherKey); return err }, partner.ErrPinAuth},
		{"other PAN", func() error { _, err := partner.RevealPin(contractPin, "6080401234567893", setPinKey); return err }, partner.ErrPinFormat},
	}
	for _, tc := range cases {
		if err := tc.run(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestDMTKnownAnswer(t *testing.T) {
	plain, err := partner.DecryptDMT(dmtKey, contractData)
	if err != nil || string(plain) != contractBody {
		t.Fatalf("DecryptDMT of the contract's example = %q, %v", plain, err)
	}
}

func TestDMTRoundTrips(t *testing.T) {
	for n := 0; n <= 48; n++ { // every padding length
		plain := bytes.Repeat([]byte{'{'}, n)
		ct, err := partner.EncryptDMT(dmtKey, plain)
		if err != nil {
			t.Fatal(err)
		}
		got, err := partner.DecryptDMT(dmtKey, ct)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("len %d: %q, %v", n, got, err)
		}
	}
	a, _ := partner.EncryptDMT(dmtKey, []byte(contractBody))
	b, _ := partner.EncryptDMT(dmtKey, []byte(contractBody))
	if a == b {
		t.Fatal("two encryptions are equal: the IV is not random")
	}
	hs, err := partner.DMTHeaderSecrets(dmtKey, "sandbox_client", "sandbox_secret", 1700000000)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	plain, err := partner.DecryptDMT(dmtKey, hs)
	if err != nil || json.Unmarshal(plain, &v) != nil || v["client_id"] != "sandbox_client" || v["client_secret"] != "sandbox_secret" || v["epoch"] != 1700000000.0 {
		t.Fatalf("header_secrets decrypts to %s, %v", plain, err)
	}
}

// zeroPadded encrypts with the right key but zero padding instead of PKCS#7, a common
// mistake.
func zeroPadded(t *testing.T, key, plain []byte) string {
	t.Helper()
	padded := append(append([]byte{}, plain...), make([]byte, 16-len(plain)%16)...)
	block, _ := aes.NewCipher(key)
	out := make([]byte, 16+len(padded))
	_, _ = rand.Read(out[:16])
	cipher.NewCBCEncrypter(block, out[:16]).CryptBlocks(out[16:], padded)
	return base64.StdEncoding.EncodeToString(out)
}

func TestDMTDecryptFailures(t *testing.T) {
	body := []byte(contractBody)
	cases := []struct {
		name, in string
		want     error
	}{
		{"not Base64", "***", partner.ErrDMTBase64},
		{"short", "AAAAAAAAAAAAAAAAAAAAAA==", partner.ErrDMTLength},
		{"zero padding", zeroPadded(t, dmtKey, body), partner.ErrDMTPadding},
		{"wrong key", contractData, partner.ErrDMTWrongKey},
	}
	for _, tc := range cases {
		key := dmtKey
		if tc.name == "wrong key" {
			key = otherKey
		}
		if _, err := partner.DecryptDMT(key, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// A wrong key is told from bad padding over many random IVs.
	for range 200 {
		ct, _ := partner.EncryptDMT(otherKey, body)
		if _, err := partner.DecryptDMT(dmtKey, ct); !errors.Is(err, partner.ErrDMTWrongKey) {
			t.Fatalf("wrong key reported as %v", err)
		}
	}
}
