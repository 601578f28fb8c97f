package sandboxtest_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/generated/dmt"
	"github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/partner"
	"github.com/partnersandbox/sandbox/sandboxtest"
)

var ctx = context.Background()

func TestDCMSThroughTypedClient(t *testing.T) {
	sb := sandboxtest.New(t)
	params := &dcms.ViewCustomerParams{Tenant: sandboxtest.DCMSTenant}
	resp, err := sb.DCMS.ViewCustomerWithResponse(ctx, params, dcms.ViewCustomerJSONRequestBody{EntityId: "675676"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || resp.JSON200.Result.FirstName != "Aadhu" || resp.JSON200.Result.KitInfo[0].CardNumber != "608040XXXXXX6857" {
		t.Fatalf("viewCustomer: %d %s", resp.StatusCode(), resp.Body)
	}
	// Lock the kit, then see it locked: state moves, and the next call sees it.
	lock, err := sb.DCMS.ManageKitWithResponse(ctx, &dcms.ManageKitParams{Tenant: sandboxtest.DCMSTenant},
		dcms.ManageKitJSONRequestBody{EntityId: "676165", OldKit: "4561789", Operation: dcms.KitOperationLOCK})
	if err != nil || lock.JSON200 == nil {
		t.Fatalf("manageKit LOCK: %v %s", err, lock.Body)
	}
	resp, _ = sb.DCMS.ViewCustomerWithResponse(ctx, params, dcms.ViewCustomerJSONRequestBody{EntityId: "676165"})
	if got := resp.JSON200.Result.KitInfo[0].CardStatus; got != dcms.LOCKED {
		t.Fatalf("kit status after LOCK = %s", got)
	}
	sb.Reset(t, sandboxtest.DCMSTenant)
	resp, _ = sb.DCMS.ViewCustomerWithResponse(ctx, params, dcms.ViewCustomerJSONRequestBody{EntityId: "676165"})
	if got := resp.JSON200.Result.KitInfo[0].CardStatus; got != dcms.ACTIVE {
		t.Fatalf("kit status after reset = %s", got)
	}
}

func TestDMTThroughTypedClient(t *testing.T) {
	sb := sandboxtest.New(t)
	var body dmt.GetCustomerJSONRequestBody
	if err := body.FromGetCustomerRequest(dmt.GetCustomerRequest{MobileNumber: "9123456789", Username: "isutestapi1", Latlong: "123,234", PublicIP: "123.123.123.133"}); err != nil {
		t.Fatal(err)
	}
	resp, err := sb.DMT.GetCustomerWithResponse(ctx, &dmt.GetCustomerParams{}, body)
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("get-customer: %v %d %s", err, resp.StatusCode(), resp.Body)
	}
	plain, err := resp.JSON200.AsCustomerResponse()
	if err != nil || plain.StatusCode != "0" || plain.Name != nil {
		t.Fatalf("unknown mobile: %+v %v", plain, err)
	}
}

func TestProfileThroughTypedClient(t *testing.T) {
	sb := sandboxtest.New(t)
	emp, err := sb.Profile.GetEmployeesWithResponse(ctx, &profile.GetEmployeesParams{})
	if err != nil || emp.JSON200 == nil {
		t.Fatalf("GetEmployees: %v %s", err, emp.Body)
	}
	found := false
	for _, e := range emp.JSON200.Result {
		found = found || e.Id == "3ea657a9-5a05-46f9-9277-d27f2ccd13ea"
	}
	if !found {
		t.Fatalf("seed 004's employee missing: %s", emp.Body)
	}
	add, err := sb.Profile.AddCustomerWithResponse(ctx, &profile.AddCustomerParams{}, profile.AddCustomerJSONRequestBody{
		UserType: profile.UserTypeIndividualCustomer, CustomerEmail: "johndoe@yopmail.com",
		EmployeeId: "3ea657a9-5a05-46f9-9277-d27f2ccd13ea", FormId: "ffIn3438-63d4-443a-a4af-2336f58d1112", SendEmail: true,
		IndividualCustomer: &profile.IndividualCustomer{FirstName: "John", LastName: "Doe"},
	})
	if err != nil || add.JSON200 == nil || add.JSON200.Result.SubmissionId == "" {
		t.Fatalf("AddCustomer: %v %s", err, add.Body)
	}
}

func TestAdminThroughTypedClient(t *testing.T) {
	sb := sandboxtest.New(t)
	op := "viewCustomer"
	resp, err := sb.Admin.ListScenariosWithResponse(ctx, &sandbox.ListScenariosParams{OperationId: &op})
	if err != nil || resp.JSON200 == nil || len(resp.JSON200.Operations) != 1 {
		t.Fatalf("scenarios: %v %s", err, resp.Body)
	}
	if !strings.Contains(string(resp.Body), "customer-not-found") {
		t.Fatalf("catalogue: %s", resp.Body)
	}
}

func TestOptions(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithSeed(7), sandboxtest.WithCustomers(2), sandboxtest.WithJournalSize(1))
	params := &dcms.ViewCustomerParams{Tenant: sandboxtest.DCMSTenant}
	for id, want := range map[string]int{"700002": 200, "700003": 400} {
		resp, err := sb.DCMS.ViewCustomerWithResponse(ctx, params, dcms.ViewCustomerJSONRequestBody{EntityId: id})
		if err != nil || resp.StatusCode() != want {
			t.Fatalf("generated customer %s: %v %d, want %d", id, err, resp.StatusCode(), want)
		}
	}
	j, err := sb.Admin.GetJournalWithResponse(ctx, &sandbox.GetJournalParams{})
	if err != nil || j.JSON200 == nil || j.JSON200.Capacity != 1 || len(j.JSON200.Entries) != 1 {
		t.Fatalf("journal with capacity 1: %v %s", err, j.Body)
	}
}

// TestOptionsCoverTheServeFlags starts sandboxes with the options a partner's tests need and
// sees each take effect through the typed clients.
func TestOptionsCoverTheServeFlags(t *testing.T) {
	t.Run("require auth, and a tenant bound once", func(t *testing.T) {
		sb := sandboxtest.New(t, sandboxtest.WithDCMSRequireAuth("SECURE_BANK"))
		body := dcms.ViewCustomerJSONRequestBody{EntityId: "675676"}
		if r, err := sb.DCMS.ViewCustomerWithResponse(ctx, nil, body); err != nil || r.JSON200 == nil {
			t.Fatalf("ACME_BANK needs no token: %v %d", err, r.StatusCode())
		}
		secure := sb.DCMSFor("SECURE_BANK")
		if r, err := secure.ViewCustomerWithResponse(ctx, nil, body); err != nil || r.JSON401 == nil {
			t.Fatalf("SECURE_BANK without a token: %v %d %s", err, r.StatusCode(), r.Body)
		}
		// Params that name a tenant win over the bound one.
		if r, err := secure.ViewCustomerWithResponse(ctx, &dcms.ViewCustomerParams{Tenant: "ACME_BANK"}, body); err != nil || r.JSON200 == nil {
			t.Fatalf("params' tenant: %v %d", err, r.StatusCode())
		}
	})

	t.Run("scenario files, and an option of one's own", func(t *testing.T) {
		dir := t.TempDir()
		file := "name: start\nrules:\n  - {operationId: viewCustomer, outcome: customer-not-found, tenant: ACME_BANK}\n"
		if err := os.WriteFile(filepath.Join(dir, "start.yaml"), []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		noCustomers := func(o *sandboxtest.Options) { o.Customers = 0 }
		sb := sandboxtest.New(t, sandboxtest.WithScenarios(dir), noCustomers)
		if r, _ := sb.DCMS.ViewCustomerWithResponse(ctx, nil, dcms.ViewCustomerJSONRequestBody{EntityId: "675676"}); r.StatusCode() != 400 {
			t.Fatalf("the file's rule did not steer: %d", r.StatusCode())
		}
		if r, _ := sb.DCMS.ViewCustomerWithResponse(ctx, &dcms.ViewCustomerParams{Tenant: "OTHER_BANK"}, dcms.ViewCustomerJSONRequestBody{EntityId: "700001"}); r.StatusCode() != 400 {
			t.Fatalf("a generated customer with Customers = 0: %d", r.StatusCode())
		}
	})

	t.Run("DMT OTP and an extra client, encrypted with package partner", func(t *testing.T) {
		sb := sandboxtest.New(t, sandboxtest.WithDMTOTP("654321"),
			sandboxtest.WithDMTClient(sandboxtest.DMTClient{ID: "acme_dmt", Secret: "s3cret", Key: bytes.Repeat([]byte{9}, 32)}))
		key := sb.DMTKey(t, "acme_dmt")
		plain := `{"customerMobileNumber":"9437000055","username":"isutestapi1","otpType":"1","latLong":"1,2","publicIP":"1.2.3.4"}`
		data, err := partner.EncryptDMT(key, []byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		var req dmt.SendOtpJSONRequestBody
		_ = req.FromEncryptedRequest(dmt.EncryptedRequest{RequestData: data})
		r, err := sb.DMT.SendOtpWithResponse(ctx, &dmt.SendOtpParams{}, req, func(_ context.Context, r *http.Request) error {
			r.Header.Set("client_id", "acme_dmt")
			r.Header.Set("client_secret", "s3cret")
			return nil
		})
		if err != nil || r.JSON200 == nil {
			t.Fatalf("encrypted otp/send of acme_dmt: %v %d %s", err, r.StatusCode(), r.Body)
		}
		enc, err := r.JSON200.AsEncryptedResponse()
		if err != nil {
			t.Fatal(err)
		}
		answer, err := partner.DecryptDMT(key, enc.ResponseData)
		if err != nil || !strings.Contains(string(answer), `"statusCode":"0"`) {
			t.Fatalf("answer %s, %v", answer, err)
		}
		otp, err := sb.Admin.GetLastOtpWithResponse(ctx, "acme_dmt", "9437000055")
		if err != nil || otp.JSON200 == nil || otp.JSON200.Otp != "654321" {
			t.Fatalf("the OTP stored: %v %s", err, otp.Body)
		}
	})

	t.Run("Set PIN V2 built in Go", func(t *testing.T) {
		sb := sandboxtest.New(t)
		if r, err := sb.DCMS.KitActivationWithResponse(ctx, nil, dcms.KitActivationJSONRequestBody{EntityId: "675676", KitNo: "4240171642"}); err != nil || r.JSON200 == nil {
			t.Fatalf("activation: %v", err)
		}
		r, err := sb.DCMS.SetPinV2WithResponse(ctx, nil, sb.SetPinRequest(t, sandboxtest.DCMSTenant, "4240171642", "2468"))
		if err != nil || r.JSON200 == nil || !r.JSON200.Result {
			t.Fatalf("setPin: %v %d %s", err, r.StatusCode(), r.Body)
		}
	})
}
