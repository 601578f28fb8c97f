package main

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// An independent AES-256-CBC/PKCS#7 (the block cipher by hand in CBC mode), so the helper
// is checked against something other than the code it uses.
var testKey = []byte("sandbox-dmt-aes-256-key-32-bytes")

func refEncrypt(t *testing.T, key, plain []byte) string {
	t.Helper()
	block, _ := aes.NewCipher(key)
	n := 16 - len(plain)%16
	padded := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(n)}, n)...)
	out := make([]byte, 16, 16+len(padded))
	_, _ = rand.Read(out)
	prev := out[:16]
	for i := 0; i < len(padded); i += 16 {
		x, c := make([]byte, 16), make([]byte, 16)
		for j := range x {
			x[j] = padded[i+j] ^ prev[j]
		}
		block.Encrypt(c, x)
		out = append(out, c...)
		prev = c
	}
	return base64.StdEncoding.EncodeToString(out)
}

func refDecrypt(t *testing.T, key []byte, b64 string) []byte {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(data) < 32 || len(data)%16 != 0 {
		t.Fatalf("not IV ‖ ciphertext in Base64: %q (%v)", b64, err)
	}
	block, _ := aes.NewCipher(key)
	var plain []byte
	for i := 16; i < len(data); i += 16 {
		p := make([]byte, 16)
		block.Decrypt(p, data[i:i+16])
		for j := range p {
			p[j] ^= data[i-16+j]
		}
		plain = append(plain, p...)
	}
	n := int(plain[len(plain)-1])
	if n < 1 || n > 16 || !bytes.Equal(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		t.Fatalf("bad PKCS#7 padding")
	}
	return plain[:len(plain)-n]
}

func runCrypt(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := dmtCrypt(args, strings.NewReader(stdin), &out)
	return out.String(), err
}

func TestDmtCryptEncrypt(t *testing.T) {
	body := `{"mobileNumber":"8144094480","username":"isutestapi1","latlong":"123,234","publicIP":"1.2.3.4"}`
	out, err := runCrypt(t, body+"\n", "encrypt")
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(out), &env); err != nil || len(env) != 1 {
		t.Fatalf("encrypt printed %q", out)
	}
	if got := refDecrypt(t, testKey, env["RequestData"]); string(got) != body {
		t.Fatalf("decrypts to %s", got)
	}
	raw, err := runCrypt(t, body, "encrypt", "--raw")
	if err != nil || string(refDecrypt(t, testKey, raw)) != body {
		t.Fatalf("--raw: %q %v", raw, err)
	}
	other := []byte("another-client-key-of-32-bytes!!")
	raw, err = runCrypt(t, body, "encrypt", "--raw", "--key", base64.StdEncoding.EncodeToString(other))
	if err != nil || string(refDecrypt(t, other, raw)) != body {
		t.Fatalf("--key: %q %v", raw, err)
	}
	if _, err := runCrypt(t, "mobileNumber=1", "encrypt"); err == nil {
		t.Fatal("encrypt accepted a body that is not JSON")
	}
}

func TestDmtCryptDecrypt(t *testing.T) {
	answer := `{"status":"SUCCESS","statusCode":"0","statusDesc":"OTP Sent Successfully."}`
	ct := refEncrypt(t, testKey, []byte(answer))
	for _, in := range []string{`{"ResponseData":"` + ct + `"}`, `{"RequestData":"` + ct + `"}`, ct + "\n"} {
		out, err := runCrypt(t, in, "decrypt")
		if err != nil || strings.TrimSpace(out) != answer {
			t.Fatalf("decrypt %q = %q, %v", in, out, err)
		}
	}
	if _, err := runCrypt(t, ct, "decrypt", "--key", base64.StdEncoding.EncodeToString([]byte("another-client-key-of-32-bytes!!"))); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := runCrypt(t, `{"status":"FAILED"}`, "decrypt"); err == nil {
		t.Fatal("decrypted a plain answer")
	}
}

func TestDmtCryptHeaderSecrets(t *testing.T) {
	out, err := runCrypt(t, "", "header-secrets", "--epoch", "1700000000", "--client-id", "acme", "--client-secret", "s")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(refDecrypt(t, testKey, out)); got != `{"client_id":"acme","client_secret":"s","epoch":1700000000}` {
		t.Fatalf("header-secrets = %s", got)
	}
	for _, args := range [][]string{{"nope"}, {"encrypt", "--key", "c2hvcnQ="}} {
		if _, err := runCrypt(t, "{}", args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if out, err := runCrypt(t, "", "-h"); err != nil || !strings.Contains(out, "header-secrets") {
		t.Errorf("help: %q %v", out, err)
	}
}
