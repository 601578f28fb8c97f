package dmt_test

import (
	"context"
	"sync"
	"testing"

	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Concurrent registrations of one mobile number: the OTP is used once, one customer exists.
func TestConcurrentRegistrations(t *testing.T) {
	sb := newSandbox(t)
	const mobile, n = "9437000400", 16
	post(t, sb.client, sendOtpPath, otpBody(mobile, "1"))

	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i] = post(t, sb.client, registrationPath, registrationBody(mobile, "Racer", "123456", i%2 == 0))
		})
	}
	wg.Wait()
	ok := 0
	for _, a := range answers {
		switch {
		case a.Status == "SUCCESS":
			ok++
		case a.StatusDesc != "OTP not requested, kindly send OTP first":
			t.Errorf("unexpected answer %+v", a)
		}
	}
	if ok != 1 {
		t.Fatalf("%d registrations used the same OTP, want exactly 1", ok)
	}

	// Wrong OTPs for a new number, all at once: one customer, created but not verified.
	const other = "9437000401"
	for range n {
		wg.Go(func() { post(t, sb.client, registrationPath, registrationBody(other, "Racer", "000000", false)) })
	}
	wg.Wait()
	count := 0
	err := sb.Store.View(context.Background(), store.Partition{API: "dmt", Tenant: "sandbox_client"}, func(tx store.Reader) error {
		tx.Scan("customer", func(id string, v any) bool {
			if c := v.(*dmt.Customer); c.Mobile == mobile || c.Mobile == other {
				count++
			}
			return true
		})
		return nil
	})
	if err != nil || count != 2 {
		t.Fatalf("customers for the two numbers: %d (%v), want 2", count, err)
	}
	want{status: "SUCCESS", code: "1", desc: createdNotVerif, kyc: no, name: "Racer"}.check(t, post(t, sb.client, getCustomerPath, getBody(other)))
}

// Concurrent sends to one number: one OTP is sent, the others must wait 30 seconds.
func TestConcurrentOtpSends(t *testing.T) {
	sb := newSandbox(t)
	const n = 12
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = post(t, sb.client, sendOtpPath, otpBody("9437000402", "1")) })
	}
	wg.Wait()
	sent := 0
	for _, a := range answers {
		switch a.StatusDesc {
		case "OTP Sent Successfully.":
			sent++
		case "OTP already sent, retry after 30 seconds":
		default:
			t.Errorf("unexpected answer %+v", a)
		}
	}
	if sent != 1 {
		t.Fatalf("%d OTPs sent at once, want 1", sent)
	}
}
