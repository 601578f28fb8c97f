package dcms_test

import (
	"encoding/json"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

const tenant = "ACME_BANK"

// sandbox is a fresh sandbox over HTTP; every answer is checked against the contracts.
type sandbox struct {
	app  *app.App
	raw  *contracttest.Client // no tenant header: the admin API
	dcms *contracttest.Client // tenant ACME_BANK
}

// newSandbox starts a sandbox of the test's own, so the test runs in parallel with others.
func newSandbox(t *testing.T, configure ...func(*app.Config)) *sandbox {
	t.Helper()
	t.Parallel()
	sb, c := contracttest.Start(t, configure...)
	return &sandbox{app: sb, raw: c, dcms: c.With("tenant", tenant)}
}

// call is one DCMS request and its answer, decoded.
type call struct {
	*contracttest.Response
	result    any
	exception map[string]any
}

func (s *sandbox) post(t *testing.T, path string, body any, header ...string) call {
	t.Helper()
	r := s.dcms.Post(path, body, header...)
	return decode(t, r)
}

func decode(t *testing.T, r *contracttest.Response) call {
	t.Helper()
	var env struct {
		Result    any            `json:"result"`
		Exception map[string]any `json:"exception"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, r.Body)
	}
	return call{Response: r, result: env.Result, exception: env.Exception}
}

// code is the answer's errorCode, or "" on success.
func (c call) code() string {
	if c.exception == nil {
		return ""
	}
	s, _ := c.exception["errorCode"].(string)
	return s
}

func (c call) detail() string {
	s, _ := c.exception["detailMessage"].(string)
	return s
}

func (c call) obj(t *testing.T) map[string]any {
	t.Helper()
	m, ok := c.result.(map[string]any)
	if !ok {
		t.Fatalf("result is not an object: %s", c.Body)
	}
	return m
}

// ok fails unless the call succeeded.
func (c call) ok(t *testing.T) call {
	t.Helper()
	if c.Status != 200 || c.exception != nil {
		t.Fatalf("want success, got %d %s", c.Status, c.Body)
	}
	return c
}

// fails fails unless the call was refused with status and code.
func (c call) fails(t *testing.T, status int, code string) call {
	t.Helper()
	if c.Status != status || c.code() != code {
		t.Fatalf("want %d %s, got %d %s", status, code, c.Status, c.Body)
	}
	return c
}

// testKit is the admin API's view of a kit: full test PAN, expiry, status.
type testKit struct {
	KitNo      string `json:"kitNo"`
	EntityID   string `json:"entityId"`
	PAN        string `json:"pan"`
	MaskedPAN  string `json:"maskedPan"`
	Expiry     string `json:"expiry"`
	CardStatus string `json:"cardStatus"`
	CardType   string `json:"cardType"`
	PinSet     bool   `json:"pinSet"`
}

func (s *sandbox) kit(t *testing.T, kitNo string) testKit {
	t.Helper()
	r := s.raw.Get("/__sandbox/tenants/" + tenant + "/kits/" + kitNo)
	if r.Status != 200 {
		t.Fatalf("test kit %s: %d %s", kitNo, r.Status, r.Body)
	}
	var k testKit
	r.Decode(t, &k)
	return k
}

// kits are a customer's kits by kitNo, as viewCustomer shows them.
func (s *sandbox) kits(t *testing.T, entityID string) map[string]map[string]any {
	t.Helper()
	v := s.post(t, "/v1/viewCustomer", map[string]any{"entityId": entityID}).ok(t).obj(t)
	out := map[string]map[string]any{}
	for _, k := range v["kitInfo"].([]any) {
		k := k.(map[string]any)
		out[k["kitNo"].(string)] = k
	}
	return out
}

func (s *sandbox) status(t *testing.T, kitNo string) string {
	t.Helper()
	return s.kit(t, kitNo).CardStatus
}

func (s *sandbox) advance(t *testing.T, d string) {
	t.Helper()
	if r := s.raw.Post("/__sandbox/clock", map[string]any{"advance": d}); r.Status != 200 {
		t.Fatalf("clock: %d %s", r.Status, r.Body)
	}
}

// registration is a valid register request for entityID with the given kits.
func registration(entityID, mobile string, kits ...map[string]any) map[string]any {
	r := map[string]any{
		"entityId": entityID, "entityType": "CUSTOMER", "business": "ACME_BANK", "businessId": "687",
		"businessType": "ACME_BANK", "title": "Mr", "firstName": "Arjun", "lastName": "Mehta",
		"gender": "MALE", "dob": "1990-02-14",
		"addressInfo": []any{map[string]any{"address1": "7 Lake View Road", "addressCategory": "PERMANENT",
			"city": "Chennai", "country": "INDIA", "pincode": "600040", "state": "TAMILNADU"}},
		"communicationInfo": []any{map[string]any{"contactNo": mobile, "emailId": "arjun@example.com"}},
		"kycInfo":           []any{map[string]any{"documentType": "PAN", "documentNo": "ABCPM1234K"}},
		"accountInfo":       []any{map[string]any{"accountNo": 9100001}},
	}
	if kits != nil {
		r["kitInfo"] = kits
	}
	return r
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
