// Command bench measures the sandbox's viewCustomer through the whole stack (routing,
// tenant, contract validation, scenario engine, state, journal) against a bare net/http
// handler that writes the same body, in the same run, over real loopback connections.
// It prints both rates, their ratio and allocations per request. With redis-server
// installed it also measures the stack keeping its state in Redis (--store redis://…), on a
// redis-server it starts on loopback, in the same run. Run it with `make bench`.
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
	"github.com/partnersandbox/sandbox/internal/store/redisstore/redistest"
)

const body = `{"entityId":"675676"}`

func main() {
	duration := flag.Duration("duration", 4*time.Second, "how long each measurement runs")
	conc := flag.Int("concurrency", 8, "concurrent keep-alive clients")
	rounds := flag.Int("rounds", 3, "alternating rounds of bare and full measurements")
	flag.Parse()

	sb, err := app.New(app.DefaultConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bare := bareHandler(sb.Handler)

	redisSB, redisWhy := redisSandbox()
	var bareRate, fullRate, redisRate float64
	for i := 0; i < *rounds; i++ {
		bareRate += load(bare, *duration, *conc)
		fullRate += load(sb.Handler, *duration, *conc)
		if redisSB != nil {
			redisRate += load(redisSB.Handler, *duration, *conc)
		}
	}
	bareRate /= float64(*rounds)
	fullRate /= float64(*rounds)
	redisRate /= float64(*rounds)

	rss, err := binaryRSS(*duration, *conc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	fmt.Printf("viewCustomer over loopback, %d clients, %d rounds of %s each, GOMAXPROCS=%d, GOGC=%s\n",
		*conc, *rounds, *duration, runtime.GOMAXPROCS(0), gogc())
	fmt.Printf("  bare net/http handler : %8.0f req/s  %5.1f allocs/req (handler only)\n", bareRate, allocs(bare))
	fmt.Printf("  full sandbox stack    : %8.0f req/s  %5.1f allocs/req (handler only; goal ≤ 50)\n", fullRate, allocs(sb.Handler))
	fmt.Printf("  ratio (full / bare)   : %.2f  (goal ≥ 0.85)\n", fullRate/bareRate)
	fmt.Printf("  binary RSS after %s of the same load: %.1f MiB (goal ≤ 40 MiB)\n", *duration, float64(rss)/(1<<20))
	if redisSB == nil {
		fmt.Printf("  redis-backed stack    : not measured: %s\n", redisWhy)
		return
	}
	fmt.Printf("  redis-backed stack    : %8.0f req/s  %5.1f allocs/req (handler only)\n", redisRate, allocs(redisSB.Handler))
	fmt.Printf("  ratio (redis / bare)  : %.2f  (goal ≥ 0.25)\n", redisRate/bareRate)
}

// bareHandler is a plain net/http handler that writes exactly what the sandbox answers.
func bareHandler(sandbox http.Handler) http.Handler {
	rec := httptest.NewRecorder()
	sandbox.ServeHTTP(rec, request())
	if rec.Code != 200 {
		fmt.Fprintf(os.Stderr, "sandbox answered %d: %s\n", rec.Code, rec.Body)
		os.Exit(1)
	}
	want := rec.Body.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(want)
	})
}

// redisSandbox starts a redis-server on loopback (it ends with this process) and a
// sandbox keeping its state there, or says why it cannot.
func redisSandbox() (*app.App, string) {
	if why := redistest.Available(); why != "" {
		return nil, why
	}
	srv, err := redistest.StartForProcess()
	if err != nil {
		return nil, err.Error()
	}
	cfg := app.DefaultConfig()
	cfg.Store = srv.URL(0)
	sb, err := app.New(cfg)
	if err != nil {
		return nil, err.Error()
	}
	rec := httptest.NewRecorder()
	sb.Handler.ServeHTTP(rec, request())
	if rec.Code != 200 {
		return nil, fmt.Sprintf("the redis-backed sandbox answered %d: %s", rec.Code, rec.Body)
	}
	return sb, ""
}

// binaryRSS builds and starts the sandbox binary, loads it with viewCustomer for d and
// returns its resident memory then.
func binaryRSS(d time.Duration, conc int) (int64, error) {
	bin, cleanup, err := loopback.Build()
	if err != nil {
		return 0, err
	}
	defer cleanup()
	p, err := loopback.Launch(bin)
	if err != nil {
		return 0, err
	}
	defer p.Stop()
	if _, err := loopback.RateAt("http://"+p.Addr, d, conc, newRequest); err != nil {
		return 0, err
	}
	return p.RSS()
}

func newRequest(base string, _ int) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/viewCustomer", bytes.NewBufferString(body))
	req.Header.Set("tenant", "ACME_BANK")
	req.Header.Set("Content-Type", "application/json")
	return req
}

func request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/viewCustomer", bytes.NewBufferString(body))
	r.Header.Set("tenant", "ACME_BANK")
	r.Header.Set("Content-Type", "application/json")
	return r
}

// load runs conc keep-alive clients against h for d and returns requests per second.
func load(h http.Handler, d time.Duration, conc int) float64 {
	rate, err := loopback.Rate(h, d, conc, newRequest)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return rate
}

// allocs counts heap allocations per request of the handler alone, in process (the
// figure make test holds to its budget: internal/app's BenchmarkViewCustomer).
func allocs(h http.Handler) float64 {
	const runs = 2000
	reqs := make([]*http.Request, runs)
	ws := make([]*loopback.Writer, runs)
	for i := range reqs {
		reqs[i], ws[i] = request(), loopback.NewWriter()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		h.ServeHTTP(ws[i], reqs[i])
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / runs
}

func gogc() string {
	if v := os.Getenv("GOGC"); v != "" {
		return v
	}
	return "100 (Go's default, as the binary)"
}
