package mask

import (
	"encoding/json"
	"testing"
)

type bodyCase struct{ in, want string }

func checkBody(t *testing.T, cases []bodyCase) {
	t.Helper()
	for _, c := range cases {
		if got := string(Body([]byte(c.in))); got != c.want {
			t.Errorf("Body(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestPAN(t *testing.T) {
	if got := PAN("6080401234566857"); got != "608040XXXXXX6857" {
		t.Fatalf("PAN = %s", got)
	}
}

func TestBody(t *testing.T) {
	cases := []bodyCase{
		{`{"entityId":"675676"}`, `{"entityId":"675676"}`},
		{`{"note":"6080401234566857"}`, `{"note":"6080401234566857"}`}, // not Luhn-valid: no card number
		{`{"cardNumber":"6080401234566857"}`, `{"cardNumber":"608040XXXXXX6857"}`},
		{`{"pan":"6080401234566857","mobile":"9876543210"}`, `{"pan":"608040XXXXXX6857","mobile":"9876543210"}`},
		{`{"pin":"q83vEjRWeJASNFZ4kBI0Vg==","kitNo":"1"}`, `{"pin":"****","kitNo":"1"}`},
		{`{"Pin" : 1234}`, `{"Pin" : "****"}`},
		{`{"otp":"123456","client_secret":"s"}`, `{"otp":"****","client_secret":"****"}`},
		{`{"clientSecret":"s","header_secrets":"abc","pass_key":"k","PASS-KEY":"k"}`, `{"clientSecret":"****","header_secrets":"****","pass_key":"****","PASS-KEY":"****"}`},
		{`{"password":{"a":[1,"}"]},"x":1}`, `{"password":"****","x":1}`},
		{`{"customerPassword":"p","webhookSecret":"s"}`, `{"customerPassword":"****","webhookSecret":"****"}`},
	}
	checkBody(t, cases)
}

// The key is the decoded one: an escape changes nothing (issue 12).
func TestBodyEscapedKeys(t *testing.T) {
	cases := []bodyCase{
		{`{"p\u0069n":"1234"}`, `{"p\u0069n":"****"}`},
		{`{"ot\u0070":"123456"}`, `{"ot\u0070":"****"}`},
		{`{"\u0070\u0041\u0053\u0053word":"x"}`, `{"\u0070\u0041\u0053\u0053word":"****"}`},
		{`{"ovd\u0044ata":"765386439745"}`, `{"ovd\u0044ata":"XXXXXXXX9745"}`},
		{`{"card\u004eumber":"6080401234566857"}`, `{"card\u004eumber":"608040XXXXXX6857"}`},
	}
	checkBody(t, cases)
}

// Card numbers are masked where they are card numbers, spaced or dashed; other numbers
// (reference numbers, amounts, mobiles) are kept exactly (issue 12).
func TestBodyCardNumbersOnly(t *testing.T) {
	cases := []bodyCase{
		{`{"note":"6080 4012 3456 6859"}`, `{"note":"6080 40XX XXXX 6859"}`},
		{`{"note":"6080-4012-3456-6859"}`, `{"note":"6080-40XX-XXXX-6859"}`},
		{`{"note":"card 6080401234566859 lost"}`, `{"note":"card 608040XXXXXX6859 lost"}`},
		{`{"n":6080401234566859}`, `{"n":"608040XXXXXX6859"}`},
		{`{"externalRefNumber":"1732900000000"}`, `{"externalRefNumber":"1732900000000"}`},
		{`{"externalRefNumber":1732900000000,"amount":"1000.50"}`, `{"externalRefNumber":1732900000000,"amount":"1000.50"}`},
		{`{"id":"TXN6080401234566859"}`, `{"id":"TXN6080401234566859"}`},
		{`{"cardNumber":"6080 4012 3456 6857"}`, `{"cardNumber":"6080 40XX XXXX 6857"}`},
		{`{"cardNumber":"4111"}`, `{"cardNumber":"4111"}`},
		{`{"note":"\u0036080401234566859"}`, `{"note":"608040XXXXXX6859"}`},
	}
	checkBody(t, cases)
}

func TestBodyTokensAndOVD(t *testing.T) {
	cases := []bodyCase{
		{`{"id_token":"eyJh.eyJz.c2ln"}`, `{"id_token":"****"}`},
		{`{"result":{"token":"eyJh.eyJz.c2ln","expiresAt":"2024-05-02T10:15:30Z"}}`, `{"result":{"token":"****","expiresAt":"2024-05-02T10:15:30Z"}}`},
		{`{"ovdType":"Aadhaar Card","ovdData":"765386439745"}`, `{"ovdType":"Aadhaar Card","ovdData":"XXXXXXXX9745"}`},
		{`{"ovdData":"7653 8643 9745"}`, `{"ovdData":"XXXX XXXX 9745"}`},
		{`{"kycInfo":[{"documentType":"PAN","documentNo":"AAAPI1234C"}]}`, `{"kycInfo":[{"documentType":"PAN","documentNo":"XXXXXX234C"}]}`},
	}
	checkBody(t, cases)
}

func TestBodyLeavesOtherKeysAndStrings(t *testing.T) {
	cases := []bodyCase{
		{`{"description":"pin","x":"otp"}`, `{"description":"pin","x":"otp"}`},
		{`{"a":"\"pin\": 1","PinBlock":"abc\"def","b":2}`, `{"a":"\"pin\": 1","PinBlock":"****","b":2}`},
		{`{"pin":`, `{"pin":`},
		{`{"pin":"unterminated`, `{"pin":"****"`},
		{`{"pinCode":"751002","tokenMissing":true}`, `{"pinCode":"751002","tokenMissing":true}`},
		{`not json 6080401234566859`, `not json 608040XXXXXX6859`},
	}
	checkBody(t, cases)
}

// A masked body stays valid JSON.
func TestBodyStaysJSON(t *testing.T) {
	for _, in := range []string{
		`{"pin":1234,"n":6080401234566859,"p\u0069n":[1,{"a":"b"}],"ovdData":7653864397451}`,
		`[{"token":null},{"otp":true}]`,
	} {
		if out := Body([]byte(in)); !json.Valid(out) {
			t.Errorf("Body(%s) = %s: not JSON", in, out)
		}
	}
}

func TestNothingToMaskIsNotCopied(t *testing.T) {
	in := []byte(`{"entityId":"675676","amount":100,"externalRefNumber":"1732900000000"}`)
	if out := Body(in); &out[0] != &in[0] {
		t.Fatal("Body copied a body with nothing to mask")
	}
	if n := testing.AllocsPerRun(100, func() { Body(in) }); n != 0 {
		t.Fatalf("Body allocated %v times", n)
	}
}

func TestQuery(t *testing.T) {
	cases := []bodyCase{
		{"", ""},
		{"limit=10&after=abc", "limit=10&after=abc"},
		{"token=abc&x=1", "token=****&x=1"},
		{"p%69n=1234&cardNumber=6080401234566857", "p%69n=****&cardNumber=608040XXXXXX6857"},
		{"q=6080401234566859&ref=1732900000000", "q=608040XXXXXX6859&ref=1732900000000"},
	}
	for _, c := range cases {
		if got := Query(c.in); got != c.want {
			t.Errorf("Query(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestText(t *testing.T) {
	if got := string(Text([]byte("/v1/cards/6080401234566859/x/1732900000000"))); got != "/v1/cards/608040XXXXXX6859/x/1732900000000" {
		t.Fatalf("Text = %s", got)
	}
}

func TestIsMasked(t *testing.T) {
	for v, want := range map[string]bool{
		"****": true, "608040XXXXXX6857": true, "6080 40XX XXXX 6857": true, "XXXXXXXX9745": true,
		"XXXXXX234C": true, "XXXXXXXX": false, "MAXXXIMUS": false, "1732900000000": false,
	} {
		if got := IsMasked(v); got != want {
			t.Errorf("IsMasked(%q) = %v", v, got)
		}
	}
}

func TestPath(t *testing.T) {
	if got := Path("/v1/cards/6080401234566859"); got != "/v1/cards/608040XXXXXX6859" {
		t.Fatalf("Path = %s", got)
	}
	if n := testing.AllocsPerRun(100, func() { Path("/v1/customers/675676/kits/42") }); n != 0 {
		t.Fatalf("Path allocated %v times", n)
	}
}

// Secrets masks the fields tagged mask:"secret", by their JSON names, and leaves empty ones.
func TestSecrets(t *testing.T) {
	type hook struct {
		URL    string `json:"url"`
		APIKey string `json:"apiKey,omitempty" mask:"secret"`
		Secret string `json:"secret" mask:"secret"`
		Code   string `mask:"secret"`
	}
	rec := map[string]any{"url": "http://x", "apiKey": "k", "secret": "", "Code": "123456"}
	Secrets(&hook{}, rec)
	if rec["url"] != "http://x" || rec["apiKey"] != Withheld || rec["secret"] != "" || rec["Code"] != Withheld {
		t.Fatalf("masked: %v", rec)
	}
	Unmasked(&hook{}, rec, map[string]any{"url": "http://y", "apiKey": "k", "Code": "123456"})
	if rec["url"] != "http://x" || rec["apiKey"] != "k" || rec["Code"] != "123456" {
		t.Fatalf("unmasked: %v", rec)
	}
}
