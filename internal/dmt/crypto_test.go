package dmt_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/partner"
)

// The package's AES-256-CBC/PKCS#7 agrees with the independent implementation of
// helpers_test.go both ways, at every padding length.
func TestCryptoAgreesWithIndependentImplementation(t *testing.T) {
	for n := 0; n <= 48; n++ {
		plain := bytes.Repeat([]byte{'{'}, n)
		ct, err := partner.EncryptDMT(sandboxKey, plain)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decrypt(sandboxKey, ct)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("len %d: package encryption decrypts independently to %q, %v", n, got, err)
		}
		got, err = partner.DecryptDMT(sandboxKey, encrypt(t, sandboxKey, plain))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("len %d: independent encryption decrypts in the package to %q, %v", n, got, err)
		}
	}
	a, _ := partner.EncryptDMT(sandboxKey, []byte(`{"a":1}`))
	b, _ := partner.EncryptDMT(sandboxKey, []byte(`{"a":1}`))
	if a == b {
		t.Fatal("two encryptions are equal: the IV is not random")
	}
}

func TestDecryptErrors(t *testing.T) {
	body := []byte(`{"mobileNumber":"8144094480","username":"isutestapi1"}`)
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"not Base64", "***", partner.ErrDMTBase64},
		{"short", "AAAAAAAAAAAAAAAAAAAAAA==", partner.ErrDMTLength},
		{"zero padding", encryptZeroPadded(t, sandboxKey, body), partner.ErrDMTPadding},
		{"wrong key", encrypt(t, otherKey, body), partner.ErrDMTWrongKey},
	}
	for _, tc := range cases {
		if _, err := partner.DecryptDMT(sandboxKey, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// Wrong keys are told from bad padding over many random IVs.
	for range 200 {
		if _, err := partner.DecryptDMT(sandboxKey, encrypt(t, otherKey, body)); !errors.Is(err, partner.ErrDMTWrongKey) {
			t.Fatalf("wrong key reported as %v", err)
		}
	}
}

func TestParseClient(t *testing.T) {
	c, err := dmt.ParseClient("acme:s3cret:pk:" + otherKeyB64)
	if err != nil || c.ID != "acme" || c.Secret != "s3cret" || c.PassKey != "pk" || !bytes.Equal(c.Key, otherKey) {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = dmt.ParseClient("acme:s3cret")
	if err != nil || c.PassKey != dmt.SandboxPassKey || c.Key != nil {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	for _, bad := range []string{"acme", ":x", "acme:s:pk:c2hvcnQ=", "ac me:s", "a/b:s"} {
		if _, err := dmt.ParseClient(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
