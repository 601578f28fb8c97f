// Command bench measures the sandbox's viewCustomer through the whole stack (routing,
// tenant, contract validation, scenario engine, state, journal) against a bare net/http
// handler that writes the same body, in the same run, over real loopback connections.
// It prints both rates, their ratio and allocations per request. Run it with `make bench`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/bench/loopback"
)

const body = `{"entityId":"675676"}`

func main() {
	duration := flag.Duration("duration", 4*time.Second, "how long each measurement runs")
	conc := flag.Int("concurrency", 8, "concurrent keep-alive clients")
	rounds := flag.Int("rounds", 3, "alternating rounds of bare and full measurements")
	flag.Parse()
	app.TuneGC() // as the sandbox binary does

	sb, err := app.New(app.DefaultConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The bare handler writes exactly what the sandbox answers.
	rec := httptest.NewRecorder()
	sb.Handler.ServeHTTP(rec, request())
	if rec.Code != 200 {
		fmt.Fprintf(os.Stderr, "sandbox answered %d: %s\n", rec.Code, rec.Body)
		os.Exit(1)
	}
	want := rec.Body.Bytes()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(want)
	})

	var bareRate, fullRate float64
	for i := 0; i < *rounds; i++ {
		bareRate += load(bare, *duration, *conc)
		fullRate += load(sb.Handler, *duration, *conc)
	}
	bareRate /= float64(*rounds)
	fullRate /= float64(*rounds)

	fmt.Printf("viewCustomer over loopback, %d clients, %d rounds of %s each, GOMAXPROCS=%d, GC tuned as the binary (GOGC=%s)\n",
		*conc, *rounds, *duration, runtime.GOMAXPROCS(0), gogc())
	fmt.Printf("  bare net/http handler : %8.0f req/s  %5.1f allocs/req (handler only)\n", bareRate, allocs(bare))
	fmt.Printf("  full sandbox stack    : %8.0f req/s  %5.1f allocs/req (handler only)\n", fullRate, allocs(sb.Handler))
	fmt.Printf("  ratio (full / bare)   : %.2f  (target ≥ 0.70)\n", fullRate/bareRate)
}

func request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/viewCustomer", bytes.NewBufferString(body))
	r.Header.Set("tenant", "ACME_BANK")
	r.Header.Set("Content-Type", "application/json")
	return r
}

// load runs conc keep-alive clients against h for d and returns requests per second.
func load(h http.Handler, d time.Duration, conc int) float64 {
	rate, err := loopback.Rate(h, d, conc, func(base string, _ int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/viewCustomer", bytes.NewBufferString(body))
		req.Header.Set("tenant", "ACME_BANK")
		req.Header.Set("Content-Type", "application/json")
		return req
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return rate
}

// allocs counts heap allocations per request of the handler alone, in process.
func allocs(h http.Handler) float64 {
	const runs = 2000
	reqs := make([]*http.Request, runs)
	recs := make([]*httptest.ResponseRecorder, runs)
	for i := range reqs {
		reqs[i], recs[i] = request(), httptest.NewRecorder()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		h.ServeHTTP(recs[i], reqs[i])
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / runs
}

func gogc() string {
	if v := os.Getenv("GOGC"); v != "" {
		return v
	}
	return "400"
}
