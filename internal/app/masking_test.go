package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/partner"
)

// journalEntries reads the journal of one API, newest first.
func journalEntries(t *testing.T, c *contracttest.Client, api string) []map[string]any {
	t.Helper()
	var j struct{ Entries []map[string]any }
	c.Get("/__sandbox/journal?api="+api).Decode(t, &j)
	return j.Entries
}

func mustContain(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func mustNotContain(t *testing.T, what, text string, never ...string) {
	t.Helper()
	for _, w := range never {
		if strings.Contains(text, w) {
			t.Errorf("%s shows %q:\n%s", what, w, text)
		}
	}
}

// Issue 12: secrets are masked by the decoded key (escapes change nothing), card numbers
// only where they are card numbers (spaced or dashed too), Aadhaar to its last 4; a
// 13-digit reference number is kept exactly, so journal/count finds it and export replays it.
func TestJournalMasksByStructure(t *testing.T) {
	_, c := newSandbox(t)
	body := `{"customerMobileNumber":"8658733463","username":"isutestapi1","otpType":"2",` +
		`"externalRefNumber":"1732900000000","requestedAmount":"1000","latLong":"123,234","publicIP":"123.123.123.133",` +
		`"ovdType":"Aadhaar Card","ovdData":"765386439745","p\u0069n":"4321","ot\u0070":"654321",` +
		`"paramA":"6080 4012 3456 6859","paramB":"6080-4012-3456-6859","paramC":"4111111111111111"}`
	if r := c.Post("/common/dmt-lite/unified/otp/send", body, dmtAuth...); r.Status != 200 {
		t.Fatalf("otp/send: %d %s", r.Status, r.Body)
	}
	e := journalEntries(t, c, "dmt")[0]
	req := e["request"].(string)
	mustContain(t, "journalled request", req, `"p\u0069n":"****"`, `"ot\u0070":"****"`, `"ovdData":"XXXXXXXX9745"`,
		`"paramA":"6080 40XX XXXX 6859"`, `"paramB":"6080-40XX-XXXX-6859"`, `"paramC":"411111XXXXXX1111"`,
		`"externalRefNumber":"1732900000000"`, `"requestedAmount":"1000"`, `"customerMobileNumber":"8658733463"`)
	mustNotContain(t, "journalled request", req, "4321", "654321", "765386439745", "4012 3456", "4012-3456", "4111111111111111")

	var n struct{ Count int }
	c.Get("/__sandbox/journal/count?field=externalRefNumber=1732900000000").Decode(t, &n)
	if n.Count != 1 {
		t.Errorf("journal/count of the reference number: %d, want 1", n.Count)
	}
	out := string(c.Get("/__sandbox/journal/export?api=dmt").Body)
	mustContain(t, "export", out, "1732900000000", "XXXXXXXX9745")
	mustNotContain(t, "export", out, "765386439745", "654321", "4111111111111111")
}

// Issue 12: Bearer tokens (DCMS authenticate's id_token, profile GetAppToken's token, the
// Authorization header) and passwords never reach the journal or an export.
func TestJournalMasksTokens(t *testing.T) {
	_, c := newSandbox(t)
	dcms := c.With("tenant", "ACME_BANK")
	r := dcms.Post("/v1/api/authenticate", map[string]string{"username": "sandbox_user", "password": "sandbox_password"})
	var tok struct {
		IDToken string `json:"id_token"`
	}
	r.Decode(t, &tok)
	if tok.IDToken == "" {
		t.Fatalf("authenticate: %d %s", r.Status, r.Body)
	}
	dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "Authorization", "Bearer "+tok.IDToken)
	r = c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"})
	var app struct{ Result struct{ Token string } }
	r.Decode(t, &app)
	if app.Result.Token == "" {
		t.Fatalf("GetAppToken: %d %s", r.Status, r.Body)
	}
	journal := string(c.Get("/__sandbox/journal").Body)
	mustContain(t, "journal", journal, `\"id_token\":\"****\"`, `\"token\":\"****\"`, `\"password\":\"****\"`, `\"appSecret\":\"****\"`)
	mustNotContain(t, "journal", journal, tok.IDToken, app.Result.Token, "sandbox_password", "Bearer")
	export := string(c.Get("/__sandbox/journal/export").Body)
	mustNotContain(t, "export", export, tok.IDToken, app.Result.Token, "sandbox_password")
}

// Issue 12: an encrypted DMT body is journalled decrypted, masked like a plain one, and
// marked encrypted; the export replays it in the plain variant.
func TestJournalDecryptsEncryptedDMT(t *testing.T) {
	_, c := newSandbox(t)
	plain := `{"customerMobileNumber":"8658733463","username":"isutestapi1","otpType":"2","externalRefNumber":"1732900000000",` +
		`"requestedAmount":"1000","latLong":"123,234","publicIP":"123.123.123.133","ovdType":"Aadhaar Card","ovdData":"765386439745","ot\u0070":"654321"}`
	ct, err := partner.EncryptDMT(dmt.DefaultKey, []byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Post("/common/dmt-lite/unified/otp/send", map[string]string{"RequestData": ct}, dmtAuth...)
	if r.Status != 200 || !strings.Contains(string(r.Body), "ResponseData") {
		t.Fatalf("encrypted otp/send: %d %s", r.Status, r.Body)
	}
	e := journalEntries(t, c, "dmt")[0]
	req, resp := e["request"].(string), e["response"].(string)
	if e["encrypted"] != true {
		t.Errorf("entry not marked encrypted: %v", e)
	}
	mustContain(t, "journalled request", req, `"customerMobileNumber":"8658733463"`, `"ovdData":"XXXXXXXX9745"`, `"ot\u0070":"****"`, `"externalRefNumber":"1732900000000"`)
	mustNotContain(t, "journalled request", req, "RequestData", ct, "765386439745", "654321")
	mustContain(t, "journalled answer", resp, `"statusCode"`)
	mustNotContain(t, "journalled answer", resp, "ResponseData")

	// A body that does not decrypt is kept with its RequestData hidden, unmarked.
	c.Post("/common/dmt-lite/unified/otp/send", map[string]string{"RequestData": "%%%not-base64%%%"}, dmtAuth...)
	e = journalEntries(t, c, "dmt")[0]
	if e["request"] != `{"RequestData":"****"}` || e["encrypted"] != nil {
		t.Errorf("undecryptable body journalled as %v (encrypted %v)", e["request"], e["encrypted"])
	}

	out := string(c.Get("/__sandbox/journal/export?api=dmt").Body)
	mustContain(t, "export", out, "customerMobileNumber: \"8658733463\"", "recorded in the DMT encrypted variant")
	mustNotContain(t, "export", out, ct, "765386439745")
}

// Issue 12: a plain partner call answers as before; the journal's JSON stays valid JSON
// whatever was masked (checked by the contract on every answer above).
var _ = json.Valid
var _ = http.MethodGet
