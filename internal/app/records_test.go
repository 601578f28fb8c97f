package app_test

import (
	"strings"
	"testing"
)

// TestAddRecords adds records through POST /__sandbox/tenants/{tenant}/records: they are
// served at once to that tenant only, and a bad record (in a list with good ones) writes
// nothing.
func TestAddRecords(t *testing.T) {
	_, c := newSandbox(t)
	good := `{"api":"dcms","kind":"customer","id":"777001","value":{"entityId":"777001","entityType":"CUSTOMER","title":"Ms","firstName":"Added","lastName":"Record","gender":"FEMALE","dob":"1990-01-01"}}`
	r := c.Post("/__sandbox/tenants/REC_BANK/records", `{"records":[`+good+`]}`)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"records":1`) {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	if v := c.With("tenant", "REC_BANK").Post("/v1/viewCustomer", `{"entityId":"777001"}`); v.Status != 200 || !strings.Contains(string(v.Body), "Added") {
		t.Fatalf("the added customer is not served: %d %s", v.Status, v.Body)
	}
	if v := c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"777001"}`); strings.Contains(string(v.Body), "Added") {
		t.Fatal("another tenant sees the record")
	}
	other := `{"api":"dcms","kind":"customer","id":"777002","value":{"entityId":"777002","firstName":"Half"}}`
	cases := []struct {
		body   string
		status int
		want   string
	}{
		{`{"records":[` + other + `,{"api":"dcms","kind":"customer","id":"1","value":{"firstNmae":"x"}}]}`, 400, "records[1].value: not a dcms customer"},
		{`{"records":[` + other + `,{"api":"dcms","kind":"wallet","id":"1","value":{}}]}`, 404, `records[1].kind: dcms has no record kind \"wallet\"`},
		{`{"records":[{"api":"bank","kind":"customer","id":"1","value":{}}]}`, 400, "api"},
		{`{"records":[{"api":"dcms","kind":"customer","id":"1"}]}`, 400, "value"},
	}
	for _, tc := range cases {
		r := c.Post("/__sandbox/tenants/REC_BANK/records", tc.body)
		if r.Status != tc.status || !strings.Contains(string(r.Body), tc.want) {
			t.Errorf("%s: %d %s, want %d naming %s", tc.body, r.Status, r.Body, tc.status, tc.want)
		}
	}
	if v := c.With("tenant", "REC_BANK").Post("/v1/viewCustomer", `{"entityId":"777002"}`); strings.Contains(string(v.Body), "Half") {
		t.Fatal("a refused list wrote its good records")
	}
}
