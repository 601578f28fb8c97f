package app_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
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
	ws := make([]*writer, b.N)
	for i := range reqs {
		reqs[i] = httptest.NewRequest(http.MethodPost, "/v1/viewCustomer", bytes.NewReader(body))
		reqs[i].Header.Set("tenant", "ACME_BANK")
		reqs[i].Header.Set("Content-Type", "application/json")
		ws[i] = &writer{header: http.Header{}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sb.Handler.ServeHTTP(ws[i], reqs[i])
	}
	b.StopTimer()
	if ws[0].status != http.StatusOK {
		b.Fatalf("viewCustomer: %d %s", ws[0].status, ws[0].body)
	}
}

// writer is a ResponseWriter that keeps the status and body and allocates nothing itself,
// like net/http's own (whose header map is made with the request, as here).
type writer struct {
	header http.Header
	status int
	body   []byte
}

func (w *writer) Header() http.Header { return w.header }

func (w *writer) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *writer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.body == nil {
		w.body = b[:len(b):len(b)] // the first write only: enough to check the answer
	}
	return len(b), nil
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
