package app_test

import (
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// StopWaits (what SIGTERM does first) ends a 15 s X-Sandbox-Delay at once, and the call
// still gets its answer; calls that come after it wait for nothing.
func TestStopWaitsEndsDelays(t *testing.T) {
	t.Parallel()
	sb, c := contracttest.Start(t)
	dcms := c.With("tenant", "ACME_BANK")
	done := make(chan *contracttest.Response, 1)
	start := time.Now()
	go func() { done <- dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Delay", "15s") }()
	time.Sleep(300 * time.Millisecond)
	sb.StopWaits()
	select {
	case r := <-done:
		if r.Status != 200 {
			t.Fatalf("the delayed call after StopWaits: %d %s", r.Status, r.Body)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("the 15s delay ended %v after it began", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a 15s delay still waiting 10s after StopWaits")
	}
	start = time.Now()
	if r := dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Delay", "15s"); r.Status != 200 || time.Since(start) > 5*time.Second {
		t.Fatalf("a delayed call after StopWaits: %d after %v", r.Status, time.Since(start))
	}
}
