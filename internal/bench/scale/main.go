// Command scale measures what the shared fixture base and per-tenant overlays buy, in one
// run (`make bench-scale`): heap per new tenant, start-up and memory of the real binary
// with a million generated customers, viewCustomer throughput at a million customers
// against 25, and the binary's memory after 100,000 tenants made one call each.
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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/bench/loopback"
)

func main() {
	duration := flag.Duration("duration", 3*time.Second, "how long each throughput measurement runs")
	rounds := flag.Int("rounds", 3, "alternating rounds of the two throughput measurements")
	tenants := flag.Int("tenants", 100000, "tenants that each make one call, for the memory figure")
	flag.Parse()

	bin, cleanup, err := loopback.Build()
	if err != nil {
		fail(err)
	}
	defer cleanup()

	perTenant := heapPerTenant(20000)
	small, err := startup(bin, 25)
	if err != nil {
		fail(err)
	}
	big, err := startup(bin, 1000000)
	if err != nil {
		fail(err)
	}
	ratio := throughputRatio(*duration, *rounds)
	rss, err := rssAfterTenants(bin, *tenants)
	if err != nil {
		fail(err)
	}

	fmt.Printf("scale, GOMAXPROCS=%d, GC as the binary (Go's defaults)\n", runtime.GOMAXPROCS(0))
	fmt.Printf("  heap per new tenant after one viewCustomer : %6.0f B     (goal ≤ 2048 B)\n", perTenant)
	fmt.Printf("  start-up to listening, --customers 25      : %6.0f ms    RSS %5.1f MiB\n", ms(small.ready), mib(small.rss))
	fmt.Printf("  start-up to listening, --customers 1000000 : %6.0f ms    (goal ≤ 200 ms)  RSS %5.1f MiB (goal ≤ 64 MiB)\n", ms(big.ready), mib(big.rss))
	fmt.Printf("  viewCustomer at 1,000,000 / at 25 customers: %6.2f       (goal ≥ 0.90)\n", ratio)
	fmt.Printf("  RSS after %d tenants made one call each: %5.1f MiB (goal ≤ 300 MiB)\n", *tenants, mib(rss))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-scale:", err)
	os.Exit(1)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mib(b int64) float64        { return float64(b) / (1 << 20) }

// heapPerTenant is the live heap each new DCMS tenant adds after one viewCustomer, in process.
func heapPerTenant(n int) float64 {
	sb, err := app.New(app.DefaultConfig())
	if err != nil {
		fail(err)
	}
	call := func(tenant string) {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/viewCustomer", strings.NewReader(`{"entityId":"675676"}`))
		r.Header.Set("tenant", tenant)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		sb.Handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			fail(fmt.Errorf("viewCustomer for %s: %d %s", tenant, w.Code, w.Body))
		}
	}
	// Warm up: fill the journal ring, which is bounded and not per tenant.
	for i := 0; i < 2000; i++ {
		call("WARM_UP")
	}
	before := liveHeap()
	for i := 0; i < n; i++ {
		call("TENANT_" + strconv.Itoa(i))
	}
	after := liveHeap()
	runtime.KeepAlive(sb)
	return float64(after-before) / float64(n)
}

func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

type started struct {
	ready time.Duration
	rss   int64
}

// startup starts the binary with n generated customers and measures the time until it
// answers /healthz, and its resident memory then.
func startup(bin string, n int) (started, error) {
	p, err := loopback.Launch(bin, "--customers", strconv.Itoa(n))
	if err != nil {
		return started{}, err
	}
	defer p.Stop()
	rss, err := p.RSS()
	return started{ready: p.Ready, rss: rss}, err
}

// rssAfterTenants has n distinct tenants make one viewCustomer each against the binary,
// over loopback, and returns its resident memory afterwards.
func rssAfterTenants(bin string, n int) (int64, error) {
	p, err := loopback.Launch(bin)
	if err != nil {
		return 0, err
	}
	defer p.Stop()
	const conc = 8
	tr := &http.Transport{MaxIdleConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				req, _ := http.NewRequest(http.MethodPost, "http://"+p.Addr+"/v1/viewCustomer", strings.NewReader(`{"entityId":"675676"}`))
				req.Header.Set("tenant", "T"+strconv.FormatInt(i, 10))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("tenant T%d: status %d", i, resp.StatusCode)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return p.RSS()
}

// throughputRatio is viewCustomer's rate over generated customers at a million customers
// divided by the rate at 25, in process over loopback, alternating rounds.
func throughputRatio(d time.Duration, rounds int) float64 {
	handler := func(customers int) http.Handler {
		cfg := app.DefaultConfig()
		cfg.Fixtures.Customers = customers
		sb, err := app.New(cfg)
		if err != nil {
			fail(err)
		}
		return sb.Handler
	}
	small, big := handler(25), handler(1000000)
	var rs, rb float64
	for i := 0; i < rounds; i++ {
		rs += load(small, 25, d)
		rb += load(big, 1000000, d)
	}
	return rb / rs
}

// load runs keep-alive clients viewing generated customers spread over [0, customers).
func load(h http.Handler, customers int, d time.Duration) float64 {
	rate, err := loopback.Rate(h, d, 8, func(base string, i int) *http.Request {
		id := 700001 + (i*7919)%customers
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/viewCustomer", bytes.NewBufferString(`{"entityId":"`+strconv.Itoa(id)+`"}`))
		req.Header.Set("tenant", "ACME_BANK")
		req.Header.Set("Content-Type", "application/json")
		return req
	})
	if err != nil {
		fail(fmt.Errorf("viewCustomer at %d customers: %w", customers, err))
	}
	return rate
}
