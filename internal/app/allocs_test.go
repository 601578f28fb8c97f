package app_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/bench/loopback"
)

// allocBudget is the most heap allocations a viewCustomer may make through the whole
// stack (routing, tenant, validation, scenario engine, state, journal, response). Counts
// are stable where times are not, so make test holds the line on them.
const allocBudget = 50

// BenchmarkViewCustomer is viewCustomer through the sandbox's handler, requests built
// beforehand so only the sandbox's own allocations count.
func BenchmarkViewCustomer(b *testing.B) {
	sb, err := app.New(app.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"entityId":"675676"}`)
	reqs := make([]*http.Request, b.N)
	ws := make([]*loopback.Writer, b.N)
	for i := range reqs {
		reqs[i] = httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/viewCustomer", bytes.NewReader(body))
		reqs[i].Header.Set("tenant", "ACME_BANK")
		reqs[i].Header.Set("Content-Type", "application/json")
		ws[i] = loopback.NewWriter()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sb.Handler.ServeHTTP(ws[i], reqs[i])
	}
	b.StopTimer()
	if ws[0].Status != http.StatusOK {
		b.Fatalf("viewCustomer answered %d", ws[0].Status)
	}
}

// raceDetector is set when the tests run with -race (race_test.go).
var raceDetector bool

func TestViewCustomerAllocationBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark")
	}
	if raceDetector {
		// sync.Pool drops items at random under the race detector, so the counts are not the
		// program's; make test checks the budget again in its run without -race.
		t.Skip("allocation budget: not measured under the race detector")
	}
	res := testing.Benchmark(BenchmarkViewCustomer)
	if got := res.AllocsPerOp(); got > allocBudget {
		t.Fatalf("viewCustomer makes %d allocations per call; the budget is %d", got, allocBudget)
	}
	t.Logf("viewCustomer: %d allocs/op, %d B/op", res.AllocsPerOp(), res.AllocedBytesPerOp())
}
