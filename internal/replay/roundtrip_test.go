package replay_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/replay"
)

// A QA session done by hand (DCMS and DMT) is exported from the journal, the sandbox is
// reset, and the export replays green.
func TestRecordResetReplay(t *testing.T) {
	sb := newSandbox(t)
	dcms := func(path, body string, header ...string) (int, string) {
		st, b := call(t, "POST", sb.URL+path, body, append([]string{"tenant", "ACME_BANK"}, header...)...)
		return st, string(b)
	}
	dmt := func(path, body string) (int, string) {
		st, b := call(t, "POST", sb.URL+"/common/dmt-lite/unified"+path, body, "client_id", "sandbox_client", "client_secret", "sandbox_secret")
		return st, string(b)
	}
	must := func(wantStatus int, wantIn string) func(int, string) string {
		return func(st int, body string) string {
			t.Helper()
			if st != wantStatus || !strings.Contains(body, wantIn) {
				t.Fatalf("got %d %s, want %d with %s", st, body, wantStatus, wantIn)
			}
			return body
		}
	}
	// DCMS: a customer's kit is activated, replaced, and the new kit locked.
	must(200, `"entityId":"675676"`)(dcms("/v1/viewCustomer", `{"entityId":"675676"}`))
	must(200, `"success"`)(dcms("/v1/kit-manager/kitActivation", `{"entityId":"675676","kitNo":"4240171642"}`))
	replaced := must(200, `"newKit"`)(dcms("/v1/kit-manager/manageKit", `{"entityId":"675676","oldKit":"4240171642","operation":"REPLACE","cardType":"VIRTUAL"}`))
	newKit := replaced[strings.Index(replaced, `"kitNo":"`)+9:]
	newKit = newKit[:strings.Index(newKit, `"`)]
	must(200, newKit)(dcms("/v1/viewCustomer", `{"entityId":"675676"}`))
	must(200, `"success"`)(dcms("/v1/kit-manager/kitActivation", `{"entityId":"675676","kitNo":"`+newKit+`"}`))
	must(400, "CUS001")(dcms("/v1/viewCustomer", `{"entityId":"000000"}`))
	must(503, "")(dcms("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "service-unavailable"))
	// Steering headers are recorded and replayed too.
	must(503, "service.unavailable")(dcms("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Fault", "http-503"))
	must(200, `"entityId":"675676"`)(dcms("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Delay", "10ms"))
	st, noTenant := call(t, "POST", sb.URL+"/v1/viewCustomer", `{"entityId":"675676"}`)
	must(400, "tenant.header.missing")(st, string(noTenant))
	// DMT: a new customer is onboarded with an OTP.
	must(200, `"statusCode":"0"`)(dmt("/customer/get-customer", `{"mobileNumber":"9876500100","username":"isutestapi1","latlong":"1,2","publicIP":"10.0.0.1"}`))
	must(200, "OTP Sent")(dmt("/otp/send", `{"customerMobileNumber":"9876500100","username":"isutestapi1","otpType":"1","latLong":"1,2","publicIP":"10.0.0.1"}`))
	must(200, `"statusCode":"2"`)(dmt("/customer/process-customer-registration", `{"mobileNumber":"9876500100","name":"Asha Rao","otp":"123456","username":"isutestapi1","latlong":"1,2","publicIP":"10.0.0.1","ovdType":"Aadhaar Card","ovdData":"765386439745"}`))
	must(200, `"statusCode":"2"`)(dmt("/customer/get-customer", `{"mobileNumber":"9876500100","username":"isutestapi1","latlong":"1,2","publicIP":"10.0.0.1"}`))
	const calls = 14
	var exported []byte

	st, exported = call(t, "GET", sb.URL+"/__sandbox/journal/export?name=hand%20session", "")
	if st != 200 {
		t.Fatalf("export: %d %s", st, exported)
	}
	t.Log("\n" + string(exported))
	// The kit the sandbox made is taken from the answer that showed it, not replayed as
	// recorded.
	if !strings.Contains(string(exported), "kitNo_2: result.newKit.kitNo") || strings.Contains(string(exported), newKit) {
		t.Fatalf("the new kit %s is not saved and substituted", newKit)
	}
	if !strings.Contains(string(exported), "X-Sandbox-Fault: http-503") || !strings.Contains(string(exported), "X-Sandbox-Delay: 10ms") {
		t.Fatal("the steering headers of the session are not in the export")
	}
	if st, body := call(t, "POST", sb.URL+"/__sandbox/reset", ""); st != 200 {
		t.Fatalf("reset: %d %s", st, body)
	}
	// After the reset the recorded session's state is gone: the new customer is unknown.
	must(200, `"statusCode":"0"`)(dmt("/customer/get-customer", `{"mobileNumber":"9876500100","username":"isutestapi1","latlong":"1,2","publicIP":"10.0.0.1"}`))

	// The journal keeps the Aadhaar number to its last 4 (masking by structure); as the
	// export's note says, the real value goes back in before replaying.
	if !strings.Contains(string(exported), "ovdData: XXXXXXXX9745") || strings.Contains(string(exported), "765386439745") {
		t.Fatal("the export does not show the OVD number masked to its last 4")
	}
	exported = []byte(strings.Replace(string(exported), "ovdData: XXXXXXXX9745", "ovdData: \"765386439745\"", 1))
	f := sb.parse(t, "export.yaml", string(exported))
	if f.Name != "hand session" || len(f.Steps) != calls+1 { // + the step that reads the OTP back
		t.Fatalf("%d steps for %d calls", len(f.Steps), calls+1)
	}
	res, out := sb.replay(t, f)
	t.Log("\n" + out)
	if replay.AnyFailed(res) {
		t.Fatalf("the recorded session does not replay green:\n%s", out)
	}
	// The replay really ran the registration again.
	if _, body := call(t, "GET", sb.URL+"/__sandbox/journal/count?operationId=processCustomerRegistration&outcome=registration-success", ""); !strings.Contains(string(body), `"count":2`) {
		t.Fatalf("registrations: %s", body)
	}
}

// A profile session: the submissionId and documentId the sandbox made (random UUIDs) are
// saved from the answers that showed them, so the export replays after a reset.
func TestRecordResetReplayProfile(t *testing.T) {
	sb := newSandbox(t)
	st, body := call(t, "POST", sb.URL+"/api/AppSessionManager/GetAppToken", `{"appId":"sandbox_app","appSecret":"sandbox_secret","tenantId":"sandbox_tenant"}`)
	var tok struct{ Result struct{ Token string } }
	if err := json.Unmarshal(body, &tok); st != 200 || err != nil || tok.Result.Token == "" {
		t.Fatalf("token: %d %s", st, body)
	}
	auth := []string{"Authorization", "Bearer " + tok.Result.Token}
	st, body = call(t, "POST", sb.URL+"/ExtCustomerManagement/AddCustomer",
		`{"userType":"IndividualCustomer","customerEmail":"ada@yopmail.com","employeeId":"3ea657a9-5a05-46f9-9277-d27f2ccd13ea","formId":"ffIn3438-63d4-443a-a4af-2336f58d1112","sendEmail":false,"individualCustomer":{"firstName":"Ada","lastName":"Lovelace"}}`, auth...)
	var add struct{ Result struct{ SubmissionID string } }
	if err := json.Unmarshal(body, &add); st != 200 || err != nil || add.Result.SubmissionID == "" {
		t.Fatalf("AddCustomer: %d %s", st, body)
	}
	sub := add.Result.SubmissionID
	if st, body = call(t, "GET", sb.URL+"/ExtCustomerManagement/GetCustomerDetails/"+sub, "", auth...); st != 200 {
		t.Fatalf("details: %d %s", st, body)
	}
	multipart := "--b0undary\r\nContent-Disposition: form-data; name=\"OriginalFileName\"\r\n\r\nid.pdf\r\n" +
		"--b0undary\r\nContent-Disposition: form-data; name=\"DocumentTypeId\"\r\n\r\nPassport\r\n" +
		"--b0undary\r\nContent-Disposition: form-data; name=\"FileContent\"; filename=\"id.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--b0undary--\r\n"
	if st, body = call(t, "POST", sb.URL+"/ExtForm/submissions/"+sub+"/documents", multipart, append(auth, "Content-Type", "multipart/form-data; boundary=b0undary")...); st != 200 {
		t.Fatalf("upload: %d %s", st, body)
	}
	st, body = call(t, "GET", sb.URL+"/ExtForm/submissions/"+sub+"/documents", "", auth...)
	var docs struct{ Result []struct{ ID string } }
	if err := json.Unmarshal(body, &docs); st != 200 || err != nil || len(docs.Result) != 1 {
		t.Fatalf("documents: %d %s", st, body)
	}
	if st, body = call(t, "GET", sb.URL+"/ExtForm/submissions/"+sub+"/documents/"+docs.Result[0].ID+"/download", "", auth...); st != 200 {
		t.Fatalf("download: %d %s", st, body)
	}

	st, exported := call(t, "GET", sb.URL+"/__sandbox/journal/export?tenant=sandbox_tenant", "")
	if st != 200 {
		t.Fatalf("export: %d %s", st, exported)
	}
	t.Log("\n" + string(exported))
	if strings.Contains(string(exported), sub) || strings.Contains(string(exported), docs.Result[0].ID) {
		t.Fatal("the export replays the recorded ids, which a reset forgets")
	}
	if st, _ := call(t, "POST", sb.URL+"/__sandbox/reset", ""); st != 200 {
		t.Fatal("reset")
	}
	res, out := sb.replay(t, sb.parse(t, "profile-export.yaml", string(exported)))
	t.Log("\n" + out)
	if replay.AnyFailed(res) || len(res[0].Steps) != 6 {
		t.Fatalf("the profile session does not replay green:\n%s", out)
	}
}
