package dmt_test

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/openapi"
)

const (
	getCustomerPath  = "/common/dmt-lite/unified/customer/get-customer"
	registrationPath = "/common/dmt-lite/unified/customer/process-customer-registration"
	sendOtpPath      = "/common/dmt-lite/unified/otp/send"

	agent = "isutestapi1"
)

// sandboxKey is the documented sandbox key, written out here rather than taken from the
// package, so a change of the key breaks the tests as it would break partners.
var sandboxKey = []byte("sandbox-dmt-aes-256-key-32-bytes")

type sandbox struct {
	*app.App
	raw    *contracttest.Client // no credentials
	client *contracttest.Client // the sandbox client's credentials
}

func newSandbox(t *testing.T, cfgs ...func(*app.Config)) sandbox {
	t.Helper()
	sb, raw := contracttest.Start(t, cfgs...)
	return sandbox{App: sb, raw: raw, client: raw.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")}
}

// answer is a DMT answer, decoded without the package's types.
type answer struct {
	HTTP       int
	Status     string  `json:"status"`
	StatusCode string  `json:"statusCode"`
	StatusDesc string  `json:"statusDesc"`
	Name       *string `json:"name"`
	Mobile     *string `json:"mobileNumber"`
	KYC        *bool   `json:"KYCTypeFlag"`
	ParamA     *string `json:"paramA"`
	ParamB     *string `json:"paramB"`
	ParamC     *string `json:"paramC"`
}

func decode(t *testing.T, r *contracttest.Response) answer {
	t.Helper()
	var a answer
	r.Decode(t, &a)
	a.HTTP = r.Status
	return a
}

// post sends a plain body and decodes the answer.
func post(t *testing.T, c *contracttest.Client, path string, body any, header ...string) answer {
	t.Helper()
	return decode(t, c.Post(path, body, header...))
}

func getBody(mobile string) map[string]any {
	return map[string]any{"mobileNumber": mobile, "username": agent, "latlong": "123,234", "publicIP": "123.123.123.133"}
}

func otpBody(mobile, otpType string) map[string]any {
	b := map[string]any{"customerMobileNumber": mobile, "username": agent, "otpType": otpType, "latLong": "123,234", "publicIP": "123.123.123.133"}
	if otpType == "2" {
		b["externalRefNumber"], b["requestedAmount"] = "EXT1", "1000"
	}
	return b
}

func registrationBody(mobile, name, otp string, ovd bool) map[string]any {
	b := map[string]any{"mobileNumber": mobile, "name": name, "otp": otp, "username": agent, "latlong": "123,234", "publicIP": "123.123.123.133"}
	if ovd {
		b["ovdType"], b["ovdData"] = "Aadhaar Card", "765386439745"
	}
	return b
}

func with(b map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == deleted {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

type deletedT struct{}

var deleted = deletedT{}

// want is what a test expects of an answer. name "" means no name.
type want struct {
	http         int
	status, code string
	desc         string
	kyc          *bool // nil: KYCTypeFlag must be absent (otp/send)
	name         string
	mobile       string // "" means not checked
}

var (
	yes = ptr(true)
	no  = ptr(false)
)

func ptr[T any](v T) *T { return &v }

func (w want) check(t *testing.T, got answer) {
	t.Helper()
	httpWant := w.http
	if httpWant == 0 {
		httpWant = 200
	}
	if got.HTTP != httpWant || got.Status != w.status || got.StatusCode != w.code || got.StatusDesc != w.desc {
		t.Errorf("got HTTP %d %s %q %q, want HTTP %d %s %q %q", got.HTTP, got.Status, got.StatusCode, got.StatusDesc, httpWant, w.status, w.code, w.desc)
	}
	switch {
	case w.kyc == nil && got.KYC != nil:
		t.Errorf("KYCTypeFlag = %v, want none", *got.KYC)
	case w.kyc != nil && (got.KYC == nil || *got.KYC != *w.kyc):
		t.Errorf("KYCTypeFlag = %v, want %v", deref(got.KYC), *w.kyc)
	}
	if (w.name == "" && got.Name != nil) || (w.name != "" && (got.Name == nil || *got.Name != w.name)) {
		t.Errorf("name = %v, want %q", deref(got.Name), w.name)
	}
	if w.mobile != "" && deref(got.Mobile) != w.mobile {
		t.Errorf("mobileNumber = %v, want %s", deref(got.Mobile), w.mobile)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// The encrypted variant, implemented here independently of the package: the AES block
// function by hand in CBC mode, and PKCS#7 by hand.

func encrypt(t testing.TB, key, plain []byte) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	n := 16 - len(plain)%16
	padded := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(n)}, n)...)
	out := make([]byte, 16, 16+len(padded))
	if _, err := rand.Read(out); err != nil {
		t.Fatal(err)
	}
	prev := out[:16]
	for i := 0; i < len(padded); i += 16 {
		x := make([]byte, 16)
		for j := range x {
			x[j] = padded[i+j] ^ prev[j]
		}
		c := make([]byte, 16)
		block.Encrypt(c, x)
		out = append(out, c...)
		prev = c
	}
	return base64.StdEncoding.EncodeToString(out)
}

func decrypt(key []byte, b64 string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	if len(data) < 32 || len(data)%16 != 0 {
		return nil, errors.New("bad length")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	var plain []byte
	prev := data[:16]
	for i := 16; i < len(data); i += 16 {
		p := make([]byte, 16)
		block.Decrypt(p, data[i:i+16])
		for j := range p {
			p[j] ^= prev[j]
		}
		plain = append(plain, p...)
		prev = data[i : i+16]
	}
	n := int(plain[len(plain)-1])
	if n < 1 || n > 16 || !bytes.Equal(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, errors.New("bad padding")
	}
	return plain[:len(plain)-n], nil
}

func headerSecrets(t testing.TB, key []byte, id, secret string, epoch time.Time) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"client_id": id, "client_secret": secret, "epoch": epoch.Unix()})
	return encrypt(t, key, b)
}

// encrypted is a client of the encrypted variant: it encrypts bodies, sends the
// header_secrets/pass_key headers, and decrypts ResponseData.
type encrypted struct {
	t   *testing.T
	c   *contracttest.Client
	key []byte
}

func (sb sandbox) encrypted(t *testing.T) encrypted {
	c := sb.raw.With("client_id", "sandbox_client").With("pass_key", "sandbox_pass_key").
		With("header_secrets", headerSecrets(t, sandboxKey, "sandbox_client", "sandbox_secret", time.Now()))
	return encrypted{t: t, c: c, key: sandboxKey}
}

func (e encrypted) post(path string, body any, header ...string) answer {
	e.t.Helper()
	plain, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := e.c.Post(path, map[string]string{"RequestData": encrypt(e.t, e.key, plain)}, header...)
	var env struct {
		ResponseData *string `json:"ResponseData"`
	}
	r.Decode(e.t, &env)
	if r.Status != 200 || env.ResponseData == nil {
		e.t.Fatalf("encrypted request answered %d without ResponseData: %s", r.Status, r.Body)
	}
	inner, err := decrypt(e.key, *env.ResponseData)
	if err != nil {
		e.t.Fatalf("ResponseData does not decrypt: %v", err)
	}
	checkPlainAnswer(e.t, inner)
	var a answer
	if err := json.Unmarshal(inner, &a); err != nil {
		e.t.Fatalf("ResponseData is not JSON: %v: %s", err, inner)
	}
	a.HTTP = r.Status
	return a
}

// checkPlainAnswer validates a decrypted answer against the contract's CustomerResponse,
// as contracttest validates every answer on the wire.
func checkPlainAnswer(t testing.TB, inner []byte) {
	t.Helper()
	doc, err := openapi.Load("dmt")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(inner, &v); err != nil {
		t.Fatalf("ResponseData is not JSON: %v: %s", err, inner)
	}
	if err := doc.Components.Schemas["CustomerResponse"].Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		t.Errorf("decrypted ResponseData breaks the contract: %v\n%s", err, inner)
	}
}
