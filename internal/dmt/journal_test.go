package dmt_test

import (
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// A body the pipeline rejects for a missing mandatory field is answered in the vendor's
// words and journalled under that outcome, not a generic one.
func TestRejectedBodyIsJournalledByItsOutcome(t *testing.T) {
	_, c := contracttest.Start(t)
	client := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	r := client.Post("/common/dmt-lite/unified/customer/process-customer-registration",
		`{"mobileNumber":"9123456780","otp":"123456","username":"isutestapi1","latlong":"1,2","publicIP":"1.2.3.4"}`)
	if body := string(r.Body); r.Status != 200 || !strings.Contains(body, "Name Must Not Be Empty or Null") {
		t.Fatalf("answer: %d %s", r.Status, body)
	}
	if j := c.Get("/__sandbox/journal?limit=1"); !strings.Contains(string(j.Body), `"outcome":"name-missing"`) {
		t.Fatalf("journal: %s", j.Body)
	}
}
