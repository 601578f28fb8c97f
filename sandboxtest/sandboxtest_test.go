package sandboxtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/generated/dmt"
	"github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/generated/sandbox"
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
