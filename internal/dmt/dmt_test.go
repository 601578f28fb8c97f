package dmt_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/openapi"
)

const (
	notOnboarded    = "customer Not Exits,kindly onboard"
	createdNotVerif = "Customer created but not verified"
	verified        = "Customer verified successfully"
	ovdUpdated      = "Customer verified successfully and Ovd Data Updated"
	otpSent         = "OTP Sent Successfully."
	otherKeyB64     = "b3RoZXItY2xpZW50LWFlcy0yNTYta2V5LTMyLWJ5dGU="
)

var otherKey, _ = base64.StdEncoding.DecodeString(otherKeyB64)

func TestSeed001Samples(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client

	t.Run("get-customer", func(t *testing.T) {
		// The seed's request sample: a number nobody registered.
		want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no, mobile: "8765432345"}.
			check(t, post(t, c, getCustomerPath, `{"mobileNumber":"8765432345","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`))
		// The seed's answers for its customers.
		want{status: "SUCCESS", code: "1", desc: createdNotVerif, kyc: no, name: "Chandan Pradhan", mobile: "8144094480"}.
			check(t, post(t, c, getCustomerPath, getBody("8144094480")))
		want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Sangram Keshari pradhan", mobile: "8658733463"}.
			check(t, post(t, c, getCustomerPath, getBody("8658733463")))
		// The seed's failures.
		want{status: "FAILED", code: "-1", desc: "Invalid mobile number", kyc: no, mobile: "814409448"}.
			check(t, post(t, c, getCustomerPath, getBody("814409448")))
		want{status: "FAILED", code: "-1", desc: "Username Must not be Empty", kyc: no, mobile: "8144094480"}.
			check(t, post(t, c, getCustomerPath, with(getBody("8144094480"), "username", "")))
		want{status: "FAILED", code: "-1", desc: "User not onboarded", kyc: no, mobile: "8144094480"}.
			check(t, post(t, c, getCustomerPath, with(getBody("8144094480"), "username", "someone")))
		want{status: "FAILED", code: "4", desc: "Internal Server Issue", kyc: no, mobile: "8144094480"}.
			check(t, post(t, c, getCustomerPath, getBody("8144094480"), "X-Sandbox-Scenario", "internal-error"))
	})

	t.Run("process-customer-registration", func(t *testing.T) {
		seed := `{"mobileNumber":"8618743463","name":"Sangram Keshari pradhan","address":"Bhubaneswar","pincode":"751002",` +
			`"ovdType":"Aadhaar Card","ovdData":"765386439745","otp":"898943","username":"isutestapi1","latlong":"123,234",` +
			`"publicIP":"123.123.123.133","paramA":"","paramB":"","paramC":""}`
		fail := want{status: "FAILED", code: "-1", kyc: no, name: "Sangram Keshari pradhan", mobile: "8618743463"}
		fail.desc = "OTP not requested, kindly send OTP first"
		fail.check(t, post(t, c, registrationPath, seed))
		want{status: "SUCCESS", code: "0", desc: otpSent}.check(t, post(t, c, sendOtpPath, otpBody("8618743463", "1")))
		fail.desc = "Invalid OTP"
		fail.check(t, post(t, c, registrationPath, seed))
		got := post(t, c, registrationPath, strings.Replace(seed, "898943", "123456", 1))
		want{status: "SUCCESS", code: "2", desc: ovdUpdated, kyc: yes, name: "Sangram Keshari pradhan", mobile: "8618743463"}.check(t, got)
		if deref(got.ParamA) != "" || deref(got.ParamB) != "" || deref(got.ParamC) != "" || got.ParamA == nil {
			t.Errorf("params not echoed as empty strings: %v %v %v", deref(got.ParamA), deref(got.ParamB), deref(got.ParamC))
		}
		want{status: "FAILED", code: "-1", desc: "Name Must Not Be Empty or Null", kyc: no, mobile: "8658733463"}.
			check(t, post(t, c, registrationPath, with(registrationBody("8658733463", "", "123456", false))))
		want{status: "FAILED", code: "-1", desc: "Mobile number must Not Be Empty or Null", kyc: no, name: "Sangram Keshari pradhan"}.
			check(t, post(t, c, registrationPath, registrationBody("", "Sangram Keshari pradhan", "123456", false)))
	})

	// Every request example of the contract (the seed's samples among them, plain and
	// encrypted) is accepted by a fresh sandbox and answered as the contract documents.
	t.Run("contract request examples", func(t *testing.T) {
		sb := newSandbox(t)
		enc := sb.encrypted(t)
		doc, err := openapi.Load("dmt")
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range doc.Paths.InMatchingOrder() {
			op := doc.Paths.Value(path).Post
			for name, ex := range op.RequestBody.Value.Content.Get("application/json").Examples {
				cl := sb.client
				if strings.HasPrefix(name, "encrypted") {
					cl = enc.c
				}
				r := cl.Post(path, ex.Value.Value)
				if r.Status != 200 {
					t.Errorf("%s example %s: HTTP %d %s", op.OperationID, name, r.Status, r.Body)
				}
			}
		}
	})
}

// row is one line of the status-code table: an operation, the catalogue outcome it
// reaches, how, and what the answer must say.
type row struct {
	op, outcome string
	setup       func(t *testing.T)
	body        any
	header      []string
	want        want
}

var opPath = map[string]string{"getCustomer": getCustomerPath, "processCustomerRegistration": registrationPath, "sendOtp": sendOtpPath}

// TestEveryStatusCode reaches every 200 outcome of every operation, mostly through state,
// and proves the table covers the catalogue.
func TestEveryStatusCode(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client
	send := func(mobile, typ string) func(t *testing.T) {
		return func(t *testing.T) {
			t.Helper()
			if a := post(t, c, sendOtpPath, otpBody(mobile, typ)); a.StatusDesc != otpSent {
				t.Fatalf("otp/send %s: %s", mobile, a.StatusDesc)
			}
		}
	}
	fail := func(desc string) want { return want{status: "FAILED", code: "-1", desc: desc, kyc: no} }
	otpFail := func(desc string) want { return want{status: "FAILED", code: "-1", desc: desc} }
	reg := func(desc, name string) want {
		return want{status: "FAILED", code: "-1", desc: desc, kyc: no, name: name}
	}
	gc, rg := getBody("8144094480"), registrationBody("9876500100", "Asha Rao", "123456", true)
	ob, ob2 := otpBody("9876500200", "1"), otpBody("8658733463", "2")

	rows := []row{
		// get-customer
		{op: "getCustomer", outcome: "customer-not-onboarded", body: getBody("9876500001"),
			want: want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no, mobile: "9876500001"}},
		{op: "getCustomer", outcome: "customer-created-not-verified", body: gc,
			want: want{status: "SUCCESS", code: "1", desc: createdNotVerif, kyc: no, name: "Chandan Pradhan", mobile: "8144094480"}},
		{op: "getCustomer", outcome: "customer-verified", body: getBody("8658733463"),
			want: want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Sangram Keshari pradhan"}},
		{op: "getCustomer", outcome: "customer-verified-ovd-not-verified", body: getBody("9876500003"),
			setup: func(t *testing.T) {
				send("9876500003", "1")(t)
				post(t, c, registrationPath, registrationBody("9876500003", "Ravi Kumar", "123456", false))
			},
			want: want{status: "SUCCESS", code: "3", desc: verified, kyc: no, name: "Ravi Kumar"}},
		{op: "getCustomer", outcome: "invalid-request", body: with(gc, "mobileNumber", 8144094480),
			want: fail("Invalid request: mobileNumber must be a string")},
		{op: "getCustomer", outcome: "request-data-undecryptable", body: map[string]string{"RequestData": encrypt(t, otherKey, []byte(`{"a":1}`))},
			want: fail("Unable to decrypt RequestData: wrong key (the decrypted text is unreadable: check the AES-256 key, and that the IV is the first 16 bytes)")},
		{op: "getCustomer", outcome: "mobile-number-missing", body: with(gc, "mobileNumber", deleted), want: fail("Mobile number must Not Be Empty or Null")},
		{op: "getCustomer", outcome: "username-empty", body: with(gc, "username", ""), want: fail("Username Must not be Empty")},
		{op: "getCustomer", outcome: "latlong-missing", body: with(gc, "latlong", nil), want: fail("Latlong must Not Be Empty or Null")},
		{op: "getCustomer", outcome: "public-ip-missing", body: with(gc, "publicIP", "  "), want: fail("PublicIP must Not Be Empty or Null")},
		{op: "getCustomer", outcome: "invalid-mobile-number", body: getBody("5144094480"), want: fail("Invalid mobile number")},
		{op: "getCustomer", outcome: "user-not-onboarded", body: with(gc, "username", "ghost"), want: fail("User not onboarded")},
		{op: "getCustomer", outcome: "internal-error", body: getBody(dmt.MagicStatusCode4),
			want: want{status: "FAILED", code: "4", desc: "Internal Server Issue", kyc: no, mobile: dmt.MagicStatusCode4}},

		// process-customer-registration
		{op: "processCustomerRegistration", outcome: "registration-success", setup: send("9876500100", "1"), body: rg,
			want: want{status: "SUCCESS", code: "2", desc: ovdUpdated, kyc: yes, name: "Asha Rao", mobile: "9876500100"}},
		{op: "processCustomerRegistration", outcome: "registration-success-ovd-already-verified", setup: send("8658733463", "1"),
			body: registrationBody("8658733463", "Sangram Keshari pradhan", "123456", false),
			want: want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Sangram Keshari pradhan"}},
		{op: "processCustomerRegistration", outcome: "registration-success-ovd-not-verified", setup: send("9876500101", "1"),
			body: registrationBody("9876500101", "Meena Das", "123456", false),
			want: want{status: "SUCCESS", code: "3", desc: verified, kyc: no, name: "Meena Das"}},
		{op: "processCustomerRegistration", outcome: "invalid-request", body: with(rg, "pincode", 751002, "otpType", "x"),
			want: reg("Invalid request: pincode must be a string", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "request-data-undecryptable", body: map[string]string{"RequestData": "%%%not-base64%%%"},
			want: fail("Unable to decrypt RequestData: not valid Base64")},
		{op: "processCustomerRegistration", outcome: "mobile-number-missing", body: with(rg, "mobileNumber", ""), want: reg("Mobile number must Not Be Empty or Null", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "name-missing", body: with(rg, "name", deleted), want: reg("Name Must Not Be Empty or Null", "")},
		{op: "processCustomerRegistration", outcome: "otp-missing", body: with(rg, "otp", nil), want: reg("OTP must Not Be Empty or Null", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "username-empty", body: with(rg, "username", deleted), want: reg("Username Must not be Empty", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "latlong-missing", body: with(rg, "latlong", ""), want: reg("Latlong must Not Be Empty or Null", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "public-ip-missing", body: with(rg, "publicIP", deleted), want: reg("PublicIP must Not Be Empty or Null", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "invalid-mobile-number", body: with(rg, "mobileNumber", "98765001000"), want: reg("Invalid mobile number", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "user-not-onboarded", body: with(rg, "username", "ghost"), want: reg("User not onboarded", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "invalid-pincode", body: with(rg, "pincode", "75100"), want: reg("Invalid pincode", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "ovd-incomplete", body: with(rg, "ovdData", deleted), want: reg("OVD Type and OVD Data must be sent together", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "invalid-ovd-data", body: with(rg, "ovdData", "7653 8643 9745"), want: reg("Invalid OVD data", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "otp-not-requested", body: registrationBody("9876500102", "Asha Rao", "123456", true),
			want: reg("OTP not requested, kindly send OTP first", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "otp-expired", body: registrationBody("9876500103", "Asha Rao", "123456", true),
			setup: func(t *testing.T) { send("9876500103", "1")(t); sb.Clock.Advance("", 3*time.Minute+time.Second) },
			want:  reg("OTP expired", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "invalid-otp", setup: send("9876500104", "1"), body: registrationBody("9876500104", "Asha Rao", "898943", true),
			want: reg("Invalid OTP", "Asha Rao")},
		{op: "processCustomerRegistration", outcome: "internal-error", body: rg, header: []string{"X-Sandbox-Scenario", "internal-error"},
			want: want{status: "FAILED", code: "4", desc: "Internal Server Issue, Kindly Try After Sometime", kyc: no, name: "Asha Rao"}},

		// otp/send
		{op: "sendOtp", outcome: "otp-sent", body: ob, want: want{status: "SUCCESS", code: "0", desc: otpSent}},
		{op: "sendOtp", outcome: "invalid-request", body: with(ob, "otpType", "3"), want: otpFail(`Invalid request: otpType must be one of "1", "2"`)},
		{op: "sendOtp", outcome: "request-data-undecryptable", body: map[string]string{"RequestData": encryptZeroPadded(t, sandboxKey, []byte(`{"customerMobileNumber":"9876500200"}`))},
			want: otpFail("Unable to decrypt RequestData: bad PKCS#7 padding (the key is right, but the plain text must end with N bytes of value N, N from 1 to 16)")},
		{op: "sendOtp", outcome: "mobile-number-missing", body: with(ob, "customerMobileNumber", deleted), want: otpFail("Mobile number must Not Be Empty or Null")},
		{op: "sendOtp", outcome: "username-empty", body: with(ob, "username", ""), want: otpFail("Username Must not be Empty")},
		{op: "sendOtp", outcome: "otp-type-missing", body: with(ob, "otpType", ""), want: otpFail("OTP Type must Not Be Empty or Null")},
		{op: "sendOtp", outcome: "latlong-missing", body: with(ob, "latLong", deleted, "latlong", "123,234"), want: otpFail("Latlong must Not Be Empty or Null")},
		{op: "sendOtp", outcome: "public-ip-missing", body: with(ob, "publicIP", nil), want: otpFail("PublicIP must Not Be Empty or Null")},
		{op: "sendOtp", outcome: "external-ref-number-missing", body: with(ob2, "externalRefNumber", deleted), want: otpFail("External Ref Number must Not Be Empty or Null")},
		{op: "sendOtp", outcome: "requested-amount-missing", body: with(ob2, "requestedAmount", ""), want: otpFail("Requested Amount must Not Be Empty or Null")},
		{op: "sendOtp", outcome: "invalid-mobile-number", body: otpBody("98765", "1"), want: otpFail("Invalid mobile number")},
		{op: "sendOtp", outcome: "user-not-onboarded", body: with(ob, "username", "ghost"), want: otpFail("User not onboarded")},
		{op: "sendOtp", outcome: "invalid-requested-amount", body: with(ob2, "requestedAmount", "0.00"), want: otpFail("Invalid requested amount")},
		{op: "sendOtp", outcome: "customer-not-verified", body: otpBody("8144094480", "2"), want: otpFail("Customer not verified, kindly onboard")},
		{op: "sendOtp", outcome: "otp-resend-too-soon", setup: send("9876500201", "1"), body: otpBody("9876500201", "1"), want: otpFail("OTP already sent, retry after 30 seconds")},
		{op: "sendOtp", outcome: "otp-limit-exceeded", body: otpBody("9876500202", "1"),
			setup: func(t *testing.T) {
				for range 5 {
					send("9876500202", "1")(t)
					sb.Clock.Advance("", 31*time.Second)
				}
			},
			want: otpFail("OTP send limit exceeded")},
		{op: "sendOtp", outcome: "internal-error", body: otpBody(dmt.MagicStatusCode4, "1"), want: want{status: "FAILED", code: "4", desc: "Internal Server Issue"}},
	}

	covered := map[string]bool{}
	for _, r := range rows {
		t.Run(r.op+"/"+r.outcome, func(t *testing.T) {
			if r.setup != nil {
				r.setup(t)
			}
			r.want.check(t, post(t, c, opPath[r.op], r.body, r.header...))
		})
		covered[r.op+"/"+r.outcome] = true
	}
	// Every outcome the catalogue documents with HTTP 200 has a row.
	for _, op := range dmt.Catalogue() {
		for _, o := range op.Outcomes {
			if o.Status == 200 && o.Name != "ok" && !covered[op.ID+"/"+o.Name] {
				t.Errorf("no row reaches %s/%s (%s %q)", op.ID, o.Name, o.Code, o.Message)
			}
		}
	}
}

// encryptZeroPadded encrypts with the right key but zero padding instead of PKCS#7, a
// common mistake.
func encryptZeroPadded(t *testing.T, key, plain []byte) string {
	t.Helper()
	padded := append(append([]byte{}, plain...), make([]byte, 16-len(plain)%16)...)
	block, _ := aes.NewCipher(key)
	out := make([]byte, 16+len(padded))
	_, _ = rand.Read(out[:16])
	cipher.NewCBCEncrypter(block, out[:16]).CryptBlocks(out[16:], padded)
	return base64.StdEncoding.EncodeToString(out)
}

func TestOnboardingFlow(t *testing.T) {
	for _, variant := range []string{"plain", "encrypted"} {
		t.Run(variant, func(t *testing.T) {
			sb := newSandbox(t)
			send := func(path string, body any, header ...string) answer {
				t.Helper()
				return post(t, sb.client, path, body, header...)
			}
			if variant == "encrypted" {
				send = sb.encrypted(t).post
			}
			const mobile = "9437000001"
			want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no, mobile: mobile}.check(t, send(getCustomerPath, getBody(mobile)))
			want{status: "SUCCESS", code: "0", desc: otpSent}.check(t, send(sendOtpPath, otpBody(mobile, "1")))

			body := with(registrationBody(mobile, "Lipsa Mohanty", "111111", true), "address", "Cuttack", "pincode", "753001", "paramA", "ref-1", "paramC", "c")
			want{status: "FAILED", code: "-1", desc: "Invalid OTP", kyc: no, name: "Lipsa Mohanty", mobile: mobile}.check(t, send(registrationPath, body))
			want{status: "SUCCESS", code: "1", desc: createdNotVerif, kyc: no, name: "Lipsa Mohanty", mobile: mobile}.check(t, send(getCustomerPath, getBody(mobile)))

			got := send(registrationPath, with(body, "otp", "123456"))
			want{status: "SUCCESS", code: "2", desc: ovdUpdated, kyc: yes, name: "Lipsa Mohanty", mobile: mobile}.check(t, got)
			if deref(got.ParamA) != "ref-1" || deref(got.ParamB) != "" || deref(got.ParamC) != "c" {
				t.Errorf("params echoed as %v %v %v", deref(got.ParamA), deref(got.ParamB), deref(got.ParamC))
			}
			want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Lipsa Mohanty", mobile: mobile}.check(t, send(getCustomerPath, getBody(mobile)))

			// The OTP is used up, and a failed attempt does not downgrade a verified customer.
			want{status: "FAILED", code: "-1", desc: "OTP not requested, kindly send OTP first", kyc: no, name: "Lipsa Mohanty", mobile: mobile}.
				check(t, send(registrationPath, with(body, "otp", "123456")))
			want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Lipsa Mohanty"}.check(t, send(getCustomerPath, getBody(mobile)))

			// A decrypted body is checked as a plain one.
			want{status: "FAILED", code: "-1", desc: "Name Must Not Be Empty or Null", kyc: no, mobile: mobile}.
				check(t, send(registrationPath, with(body, "name", deleted)))
			want{status: "FAILED", code: "-1", desc: "Invalid request: mobileNumber must be a string", kyc: no}.
				check(t, send(getCustomerPath, with(getBody(mobile), "mobileNumber", 9437000001)))
		})
	}
}

// TestEveryOutcomeHasAScenario forces every catalogued outcome by name and checks the
// status, code and message, the journal's outcome name, and that nothing was stored.
func TestEveryOutcomeHasAScenario(t *testing.T) {
	sb := newSandbox(t)
	bodies := map[string]any{
		"getCustomer":                 getBody("9876500300"),
		"processCustomerRegistration": registrationBody("9876500300", "Forced Name", "123456", true),
		"sendOtp":                     otpBody("9876500300", "1"),
	}
	for _, op := range dmt.Catalogue() {
		for _, o := range op.Outcomes {
			if o.Name == "ok" {
				continue
			}
			t.Run(op.ID+"/"+o.Name, func(t *testing.T) {
				got := post(t, sb.client, op.Path, bodies[op.ID], "X-Sandbox-Scenario", o.Name)
				if got.HTTP != o.Status || got.StatusCode != o.Code || got.StatusDesc != o.Message {
					t.Errorf("got %d %q %q, want %d %q %q", got.HTTP, got.StatusCode, got.StatusDesc, o.Status, o.Code, o.Message)
				}
				if e, _ := sb.Journal.List(context.Background(), journal.Filter{API: "dmt", Limit: 1}); len(e) != 1 || e[0].Outcome != o.Name {
					t.Errorf("journal outcome = %v, want %s", e, o.Name)
				}
			})
		}
	}
	want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no}.check(t, post(t, sb.client, getCustomerPath, getBody("9876500300")))
	if r := sb.raw.Get("/__sandbox/tenants/sandbox_client/dmt/otp/9876500300"); r.Status != 404 {
		t.Errorf("a forced otp-sent stored an OTP: %d %s", r.Status, r.Body)
	}
	// A forced "exists" answer shows the stored name, or the seed's.
	want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Chandan Pradhan"}.
		check(t, post(t, sb.client, getCustomerPath, getBody("8144094480"), "X-Sandbox-Scenario", "customer-verified"))
	want{status: "SUCCESS", code: "1", desc: createdNotVerif, kyc: no, name: "Chandan Pradhan"}.
		check(t, post(t, sb.client, getCustomerPath, getBody("9876500300"), "X-Sandbox-Scenario", "customer-created-not-verified"))
	// Forced outcomes work in the encrypted variant too.
	want{status: "FAILED", code: "-1", desc: "Invalid OTP", kyc: no, name: "Forced Name"}.
		check(t, sb.encrypted(t).post(registrationPath, bodies["processCustomerRegistration"], "X-Sandbox-Scenario", "invalid-otp"))

	r := sb.client.Post(getCustomerPath, getBody("9876500300"), "X-Sandbox-Scenario", "no-such-outcome")
	if a := decode(t, r); r.Status != 400 || !strings.Contains(a.StatusDesc, "customer-verified") {
		t.Errorf("unknown scenario: %d %s", r.Status, r.Body)
	}
}

func TestMagicMobiles(t *testing.T) {
	sb := newSandbox(t)
	enc := sb.encrypted(t)
	cases := []struct {
		mobile string
		status int
		desc   string
	}{
		// Both internal-error numbers answer as seed 001 documents code 4: HTTP 200.
		{dmt.MagicStatusCode4, 200, "Internal Server Issue, Kindly Try After Sometime"},
		{dmt.MagicInternalError, 200, "Internal Server Issue, Kindly Try After Sometime"},
		{dmt.MagicServiceUnavailable, 503, "Service Unavailable, Kindly Try After Sometime"},
	}
	for _, tc := range cases {
		body := registrationBody(tc.mobile, "Magic", "123456", false)
		got := post(t, sb.client, registrationPath, body)
		if got.HTTP != tc.status || got.StatusCode != "4" || got.StatusDesc != tc.desc || got.Status != "FAILED" {
			t.Errorf("plain %s: %+v", tc.mobile, got)
		}
		// Encrypted: the magic value is in the plain text; only a 200 answer is encrypted.
		plain, _ := json.Marshal(body)
		r := enc.c.Post(registrationPath, map[string]string{"RequestData": encrypt(t, sandboxKey, plain)})
		if r.Status != tc.status {
			t.Errorf("encrypted %s: HTTP %d %s", tc.mobile, r.Status, r.Body)
		}
		if tc.status == 200 {
			if a := enc.post(registrationPath, body); a.StatusCode != "4" || a.StatusDesc != tc.desc {
				t.Errorf("encrypted %s: %+v", tc.mobile, a)
			}
		} else if a := decode(t, r); a.StatusCode != "4" || a.StatusDesc != tc.desc {
			t.Errorf("encrypted %s: %s", tc.mobile, r.Body)
		}
	}
	// As in a plain body, the header wins over a magic value: "ok" lets the state answer.
	want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no, mobile: dmt.MagicInternalError}.
		check(t, enc.post(getCustomerPath, getBody(dmt.MagicInternalError), "X-Sandbox-Scenario", "ok"))
	want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no, mobile: dmt.MagicInternalError}.
		check(t, post(t, sb.client, getCustomerPath, getBody(dmt.MagicInternalError), "X-Sandbox-Scenario", "ok"))
	// The catalogue lists them.
	for _, op := range dmt.Catalogue() {
		o, _ := op.Outcome("internal-error")
		if o.Status != 200 || o.Code != "4" || len(o.Magic) != 2 || o.Magic[0].Value != dmt.MagicStatusCode4 || o.Magic[1].Value != dmt.MagicInternalError {
			t.Errorf("%s: internal-error = %+v", op.ID, o)
		}
	}
	// A transport-level HTTP 500 is what the http-500 fault answers (the http-500 outcome).
	r := sb.client.Post(getCustomerPath, getBody("8144094480"), "X-Sandbox-Fault", "http-500")
	if a := decode(t, r); r.Status != 500 || a.StatusCode != "4" || a.Status != "FAILED" {
		t.Errorf("http-500 fault: %d %s", r.Status, r.Body)
	}
	if e, _ := sb.Journal.List(context.Background(), journal.Filter{API: "dmt", Limit: 1}); len(e) != 1 || e[0].Outcome != "http-500" {
		t.Errorf("journal outcome of the http-500 fault = %v", e)
	}
}

func TestOtpRules(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client
	sendOK := want{status: "SUCCESS", code: "0", desc: otpSent}

	t.Run("lifetime", func(t *testing.T) {
		sendOK.check(t, post(t, c, sendOtpPath, otpBody("9437000101", "1")))
		sb.Clock.Advance("", 2*time.Minute+50*time.Second)
		want{status: "SUCCESS", code: "3", desc: verified, kyc: no, name: "A"}.
			check(t, post(t, c, registrationPath, registrationBody("9437000101", "A", "123456", false)))
	})
	t.Run("resend and limit", func(t *testing.T) {
		const m = "9437000102"
		sendOK.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
		want{status: "FAILED", code: "-1", desc: "OTP already sent, retry after 30 seconds"}.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
		// A transaction OTP needs a verified customer.
		want{status: "FAILED", code: "-1", desc: "Customer not verified, kindly onboard"}.check(t, post(t, c, sendOtpPath, otpBody(m, "2")))
		for i := 2; i <= 5; i++ {
			sb.Clock.Advance("", 30*time.Second)
			sendOK.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
		}
		var info struct {
			Otp       string `json:"otp"`
			OtpType   string `json:"otpType"`
			Sends     int    `json:"sends"`
			SentAt    string `json:"sentAt"`
			ExpiresAt string `json:"expiresAt"`
		}
		sb.raw.Get("/__sandbox/tenants/sandbox_client/dmt/otp/"+m).Decode(t, &info)
		sent, _ := time.Parse(time.RFC3339Nano, info.SentAt)
		exp, _ := time.Parse(time.RFC3339Nano, info.ExpiresAt)
		if info.Otp != "123456" || info.OtpType != "1" || info.Sends != 5 || exp.Sub(sent) != 3*time.Minute {
			t.Errorf("admin OTP = %+v", info)
		}
		sb.Clock.Advance("", time.Hour)
		want{status: "FAILED", code: "-1", desc: "OTP send limit exceeded"}.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
		// Only a successful use of the OTP or a reset lifts the limit.
		c.Post("/__sandbox/reset?tenant=sandbox_client", nil)
		sendOK.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
	})
	t.Run("use resets the count", func(t *testing.T) {
		const m = "9437000103"
		for range 5 {
			sendOK.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
			sb.Clock.Advance("", 31*time.Second)
		}
		want{status: "SUCCESS", code: "3", desc: verified, kyc: no, name: "B"}.check(t, post(t, c, registrationPath, registrationBody(m, "B", "123456", false)))
		sendOK.check(t, post(t, c, sendOtpPath, otpBody(m, "1")))
		// A verified customer can now get transaction OTPs.
		sendOK.check(t, post(t, c, sendOtpPath, otpBody(m, "2")))
	})
}

func TestCredentials(t *testing.T) {
	sb := newSandbox(t)
	body := getBody("8144094480")
	base := sb.raw.With("client_id", "sandbox_client").With("pass_key", "sandbox_pass_key")
	now := time.Now()
	hs := func(key []byte, id, secret string, at time.Time) string { return headerSecrets(t, key, id, secret, at) }
	plainHS := func(plain string) string { return encrypt(t, sandboxKey, []byte(plain)) }
	const missing = "Invalid client credentials: send the client_id and client_secret headers (or client_id, header_secrets and pass_key)"
	cases := []struct {
		name   string
		header []string
		client bool // use base (client_id + pass_key) rather than raw
		want   string
	}{
		{"nothing", nil, false, missing},
		{"no secret", []string{"client_id", "sandbox_client"}, false, missing},
		{"wrong secret", []string{"client_id", "sandbox_client", "client_secret", "nope"}, false, "Invalid client credentials"},
		{"unknown client", []string{"client_id", "someone", "client_secret", "sandbox_secret"}, false, "Invalid client credentials"},
		{"no pass_key", []string{"client_id", "sandbox_client", "header_secrets", hs(sandboxKey, "sandbox_client", "sandbox_secret", now)}, false,
			"Invalid pass_key: send the client's pass_key with header_secrets"},
		{"wrong pass_key", []string{"pass_key", "x", "header_secrets", hs(sandboxKey, "sandbox_client", "sandbox_secret", now)}, true,
			"Invalid pass_key: send the client's pass_key with header_secrets"},
		{"header_secrets not Base64", []string{"header_secrets", "not base64!"}, true, "Invalid header_secrets: not valid Base64"},
		{"header_secrets short", []string{"header_secrets", "AAAA"}, true,
			"Invalid header_secrets: too short or not block-aligned (it must be a 16-byte IV followed by a multiple of 16 bytes of ciphertext)"},
		{"header_secrets bad padding", []string{"header_secrets", encryptZeroPadded(t, sandboxKey, []byte(`{"client_id":"sandbox_client"}`))}, true,
			"Invalid header_secrets: bad PKCS#7 padding (the key is right, but the plain text must end with N bytes of value N, N from 1 to 16)"},
		{"header_secrets wrong key", []string{"header_secrets", hs(otherKey, "sandbox_client", "sandbox_secret", now)}, true,
			"Invalid header_secrets: wrong key (the decrypted text is unreadable: check the AES-256 key, and that the IV is the first 16 bytes)"},
		{"header_secrets other client", []string{"header_secrets", hs(sandboxKey, "other", "sandbox_secret", now)}, true,
			"Invalid header_secrets: its client_id is not the client_id header"},
		{"header_secrets wrong secret", []string{"header_secrets", hs(sandboxKey, "sandbox_client", "nope", now)}, true,
			"Invalid header_secrets: its client_secret is wrong"},
		{"header_secrets no epoch", []string{"header_secrets", plainHS(`{"client_id":"sandbox_client","client_secret":"sandbox_secret"}`)}, true,
			"Invalid header_secrets: epoch must be Unix time in seconds or milliseconds (a number or a numeric string)"},
		{"header_secrets stale", []string{"header_secrets", hs(sandboxKey, "sandbox_client", "sandbox_secret", now.Add(-6*time.Minute))}, true,
			"header_secrets expired: its epoch "},
		{"header_secrets from the future", []string{"header_secrets", hs(sandboxKey, "sandbox_client", "sandbox_secret", now.Add(6*time.Minute))}, true,
			"header_secrets expired: its epoch "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := sb.raw
			if tc.client {
				cl = base
			}
			r := cl.Post(getCustomerPath, body, tc.header...)
			a := decode(t, r)
			if r.Status != 401 || a.StatusCode != "-1" || a.Status != "FAILED" || !strings.HasPrefix(a.StatusDesc, tc.want) {
				t.Errorf("got %d %s, want 401 %q", r.Status, r.Body, tc.want)
			}
		})
	}
	// Accepted: fresh epochs in seconds, milliseconds, or as a string; header_secrets
	// with a plain body.
	for _, plain := range []string{
		fmt.Sprintf(`{"client_id":"sandbox_client","client_secret":"sandbox_secret","epoch":%d}`, now.Add(-4*time.Minute).Unix()),
		fmt.Sprintf(`{"client_id":"sandbox_client","client_secret":"sandbox_secret","epoch":%d}`, now.UnixMilli()),
		fmt.Sprintf(`{"client_id":"sandbox_client","client_secret":"sandbox_secret","epoch":"%d"}`, now.Unix()),
	} {
		if r := base.Post(getCustomerPath, body, "header_secrets", plainHS(plain)); r.Status != 200 {
			t.Errorf("%s refused: %s", plain, r.Body)
		}
	}
	// The epoch is checked against real time: moving the sandbox clock does not expire it.
	sb.Clock.Advance("", 72*time.Hour)
	if r := base.Post(getCustomerPath, body, "header_secrets", hs(sandboxKey, "sandbox_client", "sandbox_secret", time.Now())); r.Status != 200 {
		t.Errorf("fresh header_secrets refused after a clock move: %s", r.Body)
	}
}

func TestEncryptedBodyErrors(t *testing.T) {
	sb := newSandbox(t)
	enc := sb.encrypted(t)
	cases := []struct {
		name, data, want string
	}{
		{"not Base64", "@@@@", "Unable to decrypt RequestData: not valid Base64"},
		{"too short", base64.StdEncoding.EncodeToString(make([]byte, 16)), "Unable to decrypt RequestData: too short or not block-aligned (it must be a 16-byte IV followed by a multiple of 16 bytes of ciphertext)"},
		{"not aligned", base64.StdEncoding.EncodeToString(make([]byte, 40)), "Unable to decrypt RequestData: too short or not block-aligned (it must be a 16-byte IV followed by a multiple of 16 bytes of ciphertext)"},
		{"zero padding", encryptZeroPadded(t, sandboxKey, []byte(`{"mobileNumber":"8144094480"}`)),
			"Unable to decrypt RequestData: bad PKCS#7 padding (the key is right, but the plain text must end with N bytes of value N, N from 1 to 16)"},
		{"wrong key", encrypt(t, otherKey, []byte(`{"mobileNumber":"8144094480","username":"isutestapi1"}`)),
			"Unable to decrypt RequestData: wrong key (the decrypted text is unreadable: check the AES-256 key, and that the IV is the first 16 bytes)"},
		{"not JSON", encrypt(t, sandboxKey, []byte("mobileNumber=8144094480")), "Unable to decrypt RequestData: it decrypts, but not to a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Plain JSON, HTTP 200: the answer could not be read with a key that failed.
			want{status: "FAILED", code: "-1", desc: tc.want, kyc: no}.check(t, post(t, enc.c, getCustomerPath, map[string]string{"RequestData": tc.data}))
		})
	}
	want{status: "FAILED", code: "-1", desc: "Invalid request: RequestData must be a string (Base64)", kyc: no}.
		check(t, post(t, enc.c, getCustomerPath, `{"RequestData": 12}`))
	want{status: "FAILED", code: "-1", desc: `Invalid request: RequestData must be the only field of an encrypted body: {"RequestData": "<Base64>"}`, kyc: no}.
		check(t, post(t, enc.c, getCustomerPath, `{"RequestData": "abc", "mobileNumber": "8144094480"}`))
	// Base64 without padding and wrapped lines is accepted.
	plain, _ := json.Marshal(getBody("8144094480"))
	ct := strings.TrimRight(encrypt(t, sandboxKey, plain), "=")
	ct = ct[:40] + "\n" + ct[40:]
	r := enc.c.Post(getCustomerPath, map[string]string{"RequestData": ct})
	if !bytes.Contains(r.Body, []byte("ResponseData")) {
		t.Errorf("unpadded, wrapped Base64 refused: %s", r.Body)
	}
}

func TestInvalidRequests(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client
	cases := []struct {
		body any
		desc string
	}{
		{"not json", "Invalid request: body is not valid JSON"},
		{`[1,2]`, "Invalid request: body must be a JSON object"},
		{`{"mobileNumber":1,"username":true,"latlong":"1","publicIP":"1"}`, "Invalid request: mobileNumber must be a string; username must be a string"},
		{`{"mobileNumber":"8144094480","username":"isutestapi1","latlong":"1","publicIP":"1","extra":1}`, createdNotVerif},
		// Type problems come before missing fields.
		{`{"username":"isutestapi1","latlong":2}`, "Invalid request: latlong must be a string"},
		{`{}`, "Mobile number must Not Be Empty or Null"},
	}
	for _, tc := range cases {
		if got := post(t, c, getCustomerPath, tc.body); got.HTTP != 200 || got.StatusDesc != tc.desc {
			t.Errorf("%v: got %d %q, want %q", tc.body, got.HTTP, got.StatusDesc, tc.desc)
		}
	}
	// An optional field sent as null breaks the contract.
	if got := post(t, c, registrationPath, with(registrationBody("9437000200", "N", "1", false), "address", nil)); got.StatusDesc != "Invalid request: address must be a string, not null" {
		t.Errorf("null address: %q", got.StatusDesc)
	}
	// A wrong Content-Type keeps the pipeline's explanation.
	r := c.Post(getCustomerPath, `mobileNumber=8144094480`, "Content-Type", "application/x-www-form-urlencoded")
	if a := decode(t, r); r.Status != 200 || !strings.Contains(a.StatusDesc, "Content-Type must be application/json") {
		t.Errorf("form body: %d %s", r.Status, r.Body)
	}
}

func TestAdminOtpAndKeys(t *testing.T) {
	sb := newSandbox(t, func(cfg *app.Config) {
		cfg.DMT.OTP = dmt.RandomOTP
		cfg.DMT.Clients = []dmt.Client{{ID: "acme", Secret: "acme_secret", PassKey: "acme_pass", Key: otherKey}}
	})
	if r := sb.raw.Get("/__sandbox/tenants/sandbox_client/dmt/otp/9437000300"); r.Status != 404 {
		t.Fatalf("OTP before any send: %d", r.Status)
	}
	if r := sb.raw.Get("/__sandbox/tenants/nobody/dmt/otp/9437000300"); r.Status != 404 {
		t.Fatalf("unknown client: %d", r.Status)
	}
	post(t, sb.client, sendOtpPath, otpBody("9437000300", "1"))
	var info struct {
		Otp    string `json:"otp"`
		Tenant string `json:"tenant"`
	}
	sb.raw.Get("/__sandbox/tenants/sandbox_client/dmt/otp/9437000300").Decode(t, &info)
	if len(info.Otp) != 6 || strings.Trim(info.Otp, "0123456789") != "" || info.Tenant != "sandbox_client" {
		t.Fatalf("random OTP = %+v", info)
	}
	wrong := "123456"
	if info.Otp == wrong {
		wrong = "654321"
	}
	want{status: "FAILED", code: "-1", desc: "Invalid OTP", kyc: no, name: "R"}.check(t, post(t, sb.client, registrationPath, registrationBody("9437000300", "R", wrong, false)))
	want{status: "SUCCESS", code: "3", desc: verified, kyc: no, name: "R"}.check(t, post(t, sb.client, registrationPath, registrationBody("9437000300", "R", info.Otp, false)))

	var keys struct {
		DmtKey string `json:"dmtKey"`
	}
	sb.raw.Get("/__sandbox/tenants/sandbox_client/keys").Decode(t, &keys)
	if keys.DmtKey != base64.StdEncoding.EncodeToString(sandboxKey) {
		t.Errorf("sandbox_client key = %s", keys.DmtKey)
	}
	sb.raw.Get("/__sandbox/tenants/acme/keys").Decode(t, &keys)
	if keys.DmtKey != otherKeyB64 {
		t.Errorf("acme key = %s", keys.DmtKey)
	}

	// acme has its own state and key: sandbox_client's customer is unknown to it.
	acme := encrypted{t: t, key: otherKey, c: sb.raw.With("client_id", "acme").With("pass_key", "acme_pass").
		With("header_secrets", headerSecrets(t, otherKey, "acme", "acme_secret", time.Now()))}
	want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no}.check(t, acme.post(getCustomerPath, getBody("9437000300")))
	want{status: "SUCCESS", code: "1", desc: createdNotVerif, kyc: no, name: "Chandan Pradhan"}.check(t, acme.post(getCustomerPath, getBody("8144094480")))
	acmePlain := sb.raw.With("client_id", "acme").With("client_secret", "acme_secret")
	want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no}.check(t, post(t, acmePlain, getCustomerPath, getBody("9437000300")))
}

func TestGeneratedCustomers(t *testing.T) {
	sb := newSandbox(t)
	for i, code := range []string{"1", "2", "3", "1"} {
		got := post(t, sb.client, getCustomerPath, getBody(fmt.Sprintf("70000000%02d", i+1)))
		if got.StatusCode != code || got.Name == nil || *got.Name == "" {
			t.Errorf("generated customer %d: %+v", i+1, got)
		}
	}
	if got := post(t, sb.client, getCustomerPath, getBody("7000000026")); got.StatusCode != "0" {
		t.Errorf("26th generated customer exists with --customers 25: %+v", got)
	}
}

// The contract's encrypted examples are real encryptions with the sandbox key.
func TestContractEncryptedExamplesDecrypt(t *testing.T) {
	doc, err := openapi.Load("dmt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	check := func(where string, v any) {
		m, _ := v.(map[string]any)
		for _, k := range []string{"RequestData", "ResponseData"} {
			if s, ok := m[k].(string); ok {
				n++
				if _, err := decrypt(sandboxKey, s); err != nil {
					t.Errorf("%s: %v", where, err)
				}
			}
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		op := doc.Paths.Value(path).Post
		for name, ex := range op.RequestBody.Value.Content.Get("application/json").Examples {
			check(op.OperationID+" "+name, ex.Value.Value)
		}
		for name, ex := range op.Responses.Value("200").Value.Content.Get("application/json").Examples {
			check(op.OperationID+" "+name+" (response)", ex.Value.Value)
		}
	}
	if n < 6 {
		t.Errorf("only %d encrypted examples", n)
	}
}

// A client's DMT state survives a snapshot round trip (the record kinds decode).
func TestSnapshotRoundTrip(t *testing.T) {
	sb := newSandbox(t)
	const mobile = "9437000500"
	post(t, sb.client, sendOtpPath, otpBody(mobile, "1"))
	post(t, sb.client, registrationPath, registrationBody(mobile, "Snap Shot", "123456", false))
	snap := sb.raw.Get("/__sandbox/snapshot?tenant=sandbox_client")
	if snap.Status != 200 {
		t.Fatalf("snapshot: %d %s", snap.Status, snap.Body)
	}
	if bytes.Contains(snap.Body, []byte("765386439745")) {
		t.Fatal("the snapshot holds a full Aadhaar number")
	}
	sb.raw.Post("/__sandbox/reset?tenant=sandbox_client", nil)
	want{status: "SUCCESS", code: "0", desc: notOnboarded, kyc: no}.check(t, post(t, sb.client, getCustomerPath, getBody(mobile)))
	if r := sb.raw.Do("PUT", "/__sandbox/snapshot?tenant=sandbox_client", snap.Body); r.Status != 200 {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	want{status: "SUCCESS", code: "3", desc: verified, kyc: no, name: "Snap Shot"}.check(t, post(t, sb.client, getCustomerPath, getBody(mobile)))
	want{status: "SUCCESS", code: "2", desc: verified, kyc: yes, name: "Sangram Keshari pradhan"}.check(t, post(t, sb.client, getCustomerPath, getBody("8658733463")))
	if r := sb.raw.Get("/__sandbox/tenants/sandbox_client/dmt/otp/" + mobile); r.Status != 200 {
		t.Fatalf("OTP not restored: %d", r.Status)
	}
}
