package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// The PIN helper is checked against an ISO 9564 format 0 / AES-GCM written here from the
// description, not against the code it calls.
var pinKey = []byte("sandbox-set-pin-key-0123456789AB")

const pinPAN = "6080408903536857"

func refPinGCM(t *testing.T) cipher.AEAD {
	t.Helper()
	c, err := aes.NewCipher(pinKey)
	if err != nil {
		t.Fatal(err)
	}
	g, err := cipher.NewGCMWithNonceSize(c, 16)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// refPanField is 0000 and the 12 rightmost PAN digits without the check digit.
func refPanField(pan string) []byte {
	b, _ := hex.DecodeString("0000" + pan[len(pan)-13:len(pan)-1])
	return b
}

func refPinEncrypt(t *testing.T, pan, pin string) string {
	field := fmt.Sprintf("0%X%s", len(pin), pin)
	field += strings.Repeat("F", 16-len(field))
	block, _ := hex.DecodeString(field)
	for i, b := range refPanField(pan) {
		block[i] ^= b
	}
	iv := bytes.Repeat([]byte{7}, 16)
	return base64.StdEncoding.EncodeToString(append(iv, refPinGCM(t).Seal(nil, iv, block, nil)...))
}

func refPinDecrypt(t *testing.T, pan, b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 40 {
		t.Fatalf("block %q: %v (%d bytes)", b64, err, len(raw))
	}
	plain, err := refPinGCM(t).Open(nil, raw[:16], raw[16:], nil)
	if err != nil {
		t.Fatalf("GCM: %v", err)
	}
	for i, b := range refPanField(pan) {
		plain[i] ^= b
	}
	field := strings.ToUpper(hex.EncodeToString(plain))
	n := int(field[1] - '0')
	if field[0] != '0' || strings.Trim(field[2+n:], "F") != "" {
		t.Fatalf("not format 0: %s", field)
	}
	return field[2 : 2+n]
}

func runPinBlock(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := pinBlock(args, &out)
	return strings.TrimSpace(out.String()), err
}

func TestPinBlockBuilds(t *testing.T) {
	out, err := runPinBlock(t, "--pan", pinPAN, "--pin", "1234", "--iv", "000102030405060708090a0b0c0d0e0f")
	if err != nil {
		t.Fatal(err)
	}
	if got := refPinDecrypt(t, pinPAN, out); got != "1234" {
		t.Fatalf("PIN %q", got)
	}
	// The contract's example is this very block.
	if out != "AAECAwQFBgcICQoLDA0OD1Ve878ABQggwn03CbUq1M09Ke24qhMYFA==" {
		t.Fatalf("block %s differs from the contract's example", out)
	}
	if _, err := runPinBlock(t, "--pan", pinPAN, "--pin", "12"); err == nil {
		t.Fatal("a 2-digit PIN was accepted")
	}
}

func TestPinBlockChecks(t *testing.T) {
	out, err := runPinBlock(t, "--pan", pinPAN, "--check", refPinEncrypt(t, pinPAN, "908172"))
	if err != nil || !strings.Contains(out, "PIN 908172") {
		t.Fatalf("check: %q %v", out, err)
	}
	other := base64.StdEncoding.EncodeToString([]byte("another-key-of-thirty-two-bytes!"))
	if _, err := runPinBlock(t, "--pan", pinPAN, "--key", other, "--check", refPinEncrypt(t, pinPAN, "908172")); err == nil || !strings.Contains(err.Error(), "authentication") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := runPinBlock(t, "--pan", "6080401234567893", "--check", refPinEncrypt(t, pinPAN, "908172")); err == nil {
		t.Fatal("a block read against another PAN passed")
	}
}

// TestPinBlockRequestForAKit: the helper's --request body is accepted by the sandbox.
func TestPinBlockRequestForAKit(t *testing.T) {
	_, c := contracttest.Start(t)
	acme := c.With("tenant", "ACME_BANK")
	post := func(path, body string) int { return acme.Post(path, body).Status }
	if st := post("/v1/kit-manager/kitActivation", `{"entityId":"675676","kitNo":"4240171642"}`); st != 200 {
		t.Fatalf("activation: %d", st)
	}
	// Without --sandbox, the helper finds the sandbox where SANDBOX_ADDR says it serves.
	t.Setenv("SANDBOX_ADDR", strings.TrimPrefix(c.BaseURL, "http://"))
	body, err := runPinBlock(t, "--kit", "4240171642", "--pin", "1234", "--request")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `"expiryDate":"0729"`) || !strings.Contains(body, `"entityId":"675676"`) {
		t.Fatalf("request body: %s", body)
	}
	if st := post("/v1/kit-manager/v2/setPin", body); st != 200 {
		t.Fatalf("setPin with the helper's body: %d", st)
	}
}
