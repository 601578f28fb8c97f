package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/scenarios"
)

var viewCustomer = &scenarios.Operation{API: "dcms", ID: "viewCustomer", Outcomes: []scenarios.Outcome{
	{Name: "ok", Status: 200}, {Name: "customer-not-found", Status: 400, Code: "CUS001"},
}}

func call(status int, outcome string) server.Finished {
	return server.Finished{API: "dcms", OperationID: "viewCustomer", Tenant: "ACME_BANK", Method: "POST",
		Path: "/v1/viewCustomer", Status: status, Outcome: outcome, Duration: 3 * time.Millisecond}
}

func ptr(f server.Finished) *server.Finished { return &f }

func text(t *testing.T, m *Metrics) string {
	t.Helper()
	out := m.Text()
	if strings.Contains(out, "# sandbox:") {
		t.Errorf("a collector failed:\n%s", out)
	}
	return out
}

func TestCallsAreCountedByOperationStatusAndOutcome(t *testing.T) {
	m := New([]*scenarios.Operation{viewCustomer})
	out := text(t, m)
	// The catalogue's outcomes are there from the start, at 0, so rate() works from the first call.
	for _, want := range []string{
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="ok",status="200"} 0`,
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="customer-not-found",status="400"} 0`,
		"go_goroutines ", "process_", "go_build_info",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("before any call, no %s in\n%s", want, out)
		}
	}

	m.Observe(ptr(call(200, "ok")), nil, nil)
	m.Observe(ptr(call(200, "ok")), nil, nil)
	m.Observe(ptr(call(0, "fault:connection-reset")), nil, nil)
	f := call(400, "customer-not-found")
	f.Rule = "r1"
	m.Observe(&f, nil, nil)
	m.Observe(&server.Finished{API: "dmt", OperationID: "notInTheCatalogue", Status: 500, Outcome: "http-500"}, nil, nil)
	out = text(t, m)
	for _, want := range []string{
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="ok",status="200"} 2`,
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="customer-not-found",status="400"} 1`,
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="fault:connection-reset",status="0"} 1`,
		`sandbox_requests_total{api="dmt",operationId="notInTheCatalogue",outcome="http-500",status="500"} 1`,
		`sandbox_request_duration_seconds_count{api="dcms",operationId="viewCustomer"} 4`,
		`sandbox_request_duration_seconds_bucket{api="dcms",operationId="viewCustomer",le="0.0025"} 0`,
		`sandbox_request_duration_seconds_bucket{api="dcms",operationId="viewCustomer",le="0.005"} 4`,
		`sandbox_rule_firings_total{api="dcms",operationId="viewCustomer"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
}

func TestStateSeriesReadTheirValueWhenScraped(t *testing.T) {
	m := New(nil)
	n := 1.0
	m.Gauge("sandbox_tenants", "Tenants with state.", map[string]string{"api": "dcms"}, func() float64 { return n })
	m.Counter("sandbox_webhook_deliveries_total", "Deliveries.", nil, func() float64 { return 2 * n })
	n = 3
	out := text(t, m)
	for _, want := range []string{`sandbox_tenants{api="dcms"} 3`, "sandbox_webhook_deliveries_total 6", "# TYPE sandbox_webhook_deliveries_total counter"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
}

// Counting a call is on every request's path: it must not allocate, for an outcome of the
// catalogue or for one seen before.
func TestObserveDoesNotAllocate(t *testing.T) {
	m := New([]*scenarios.Operation{viewCustomer})
	ok, fault := call(200, "ok"), call(0, "fault:timeout")
	fault.Rule = "r1"
	m.Observe(&fault, nil, nil) // first sight: resolves the child
	if n := testing.AllocsPerRun(1000, func() { m.Observe(&ok, nil, nil); m.Observe(&fault, nil, nil) }); n != 0 {
		t.Fatalf("Observe allocates %.1f times per call", n)
	}
}

func TestNewOutcomesFromManyGoroutinesAreCountedOnce(t *testing.T) {
	m := New([]*scenarios.Operation{viewCustomer})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				m.Observe(ptr(call(500+i%5, fmt.Sprint("http-", 500+i%5))), nil, nil)
			}
		}()
	}
	wg.Wait()
	out := text(t, m)
	for s := 500; s < 505; s++ {
		want := fmt.Sprintf(`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="http-%d",status="%d"} 160`, s, s)
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	m := New([]*scenarios.Operation{viewCustomer})
	f := call(200, "ok")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Observe(&f, nil, nil)
		}
	})
}
