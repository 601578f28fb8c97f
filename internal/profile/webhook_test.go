package profile_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
)

// deliveryLog is the admin API's delivery log of a tenant.
type deliveryLog struct {
	Deliveries []delivery
	Dropped    int
}

// noLimits turns a tenant's rate limits off, for tests that create many profiles.
func noLimits(t *testing.T, s *sandbox, tenant string) {
	t.Helper()
	r := s.c.Do("PUT", "/__sandbox/tenants/"+tenant+"/ratelimits", map[string]any{"enabled": false, "creationPerMinute": 1, "retrievalPerMinute": 1, "downloadPerMinute": 1})
	if r.Status != 200 {
		t.Fatalf("rate limits: %d %s", r.Status, r.Body)
	}
}

func getLog(t *testing.T, s *sandbox, tenant string) deliveryLog {
	t.Helper()
	var log deliveryLog
	r := s.c.Get("/__sandbox/tenants/" + tenant + "/webhook/deliveries")
	if r.Status != 200 {
		t.Fatalf("deliveries: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &log)
	return log
}

// TestWebhookFairAcrossTenants: tenant A's receiver hangs on every delivery and A has many
// events queued; with a single worker, tenant B's event still arrives within about one
// attempt timeout (A takes its turn, then B), and A never has two attempts in flight.
func TestWebhookFairAcrossTenants(t *testing.T) {
	const timeout = 500 * time.Millisecond
	s := newSandbox(t, func(cfg *app.Config) {
		cfg.Profile.WebhookTimeout = timeout
		cfg.Profile.WebhookWorkers = 1
	})
	release := make(chan struct{})
	var hits atomic.Int32
	var mu sync.Mutex
	var arrivals []time.Time
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		hits.Add(1)
		select { // hang until the sandbox gives up the attempt
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	if r := s.c.Do("PUT", "/__sandbox/tenants/hang_tenant/webhook", map[string]any{"url": hang.URL, "authType": "None", "retryCount": 3, "retryInterval": 0}); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	noLimits(t, s, "hang_tenant")
	a := s.as(t, "hang_tenant")
	for i := range 12 {
		addCustomer(t, a, individual(fmt.Sprintf("a%d@example.com", i), "A", "Hang"))
	}
	for hits.Load() == 0 { // A's first attempt holds the only worker
		time.Sleep(time.Millisecond)
	}
	h := newHook(t, "fair")
	h.register(t, s, "fair_tenant", nil)
	b := s.as(t, "fair_tenant")
	addCustomer(t, b, individual("b@example.com", "B", "Fair"))
	queued := time.Now()
	h.wait(t, "profile.created")
	if waited := time.Since(queued); waited > timeout+700*time.Millisecond {
		t.Fatalf("tenant B's event waited %v behind tenant A's hanging receiver (attempt timeout %v)", waited, timeout)
	}
	// One attempt in flight for A: each starts once the previous one timed out. (The
	// receiver may notice a dropped connection late, so its own count of open requests
	// would not say.)
	time.Sleep(2 * timeout)
	mu.Lock()
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < timeout-50*time.Millisecond {
			t.Errorf("tenant A's attempt %d started %v after the previous one (timeout %v)", i+1, gap, timeout)
		}
	}
	mu.Unlock()
	// A's attempts are cut at the timeout and logged as failed attempts.
	deadline := time.Now().Add(5 * time.Second)
	for {
		log := getLog(t, s, "hang_tenant")
		if d := log.Deliveries[len(log.Deliveries)-1]; d.Attempts > 0 {
			if d.Status != "pending" && d.Status != "failed" || !strings.Contains(d.LastError, "Timeout") {
				t.Fatalf("a hanging attempt: %+v", d)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tenant A's oldest delivery was never attempted: %+v", log.Deliveries)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebhookOverflowIsLogged: 1,000 events during a receiver outage. The tenant's queue
// holds 200; every other event is in the log as dropped with the reason, the log counts
// them, and every queued one is delivered once the receiver is back: none is lost silently.
func TestWebhookOverflowIsLogged(t *testing.T) {
	const events = 1000
	s := newSandbox(t)
	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	got := map[string]int{} // event id → deliveries
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var ev struct{ Id string }
		_ = json.NewDecoder(r.Body).Decode(&ev)
		mu.Lock()
		got[ev.Id]++
		mu.Unlock()
	}))
	defer srv.Close()
	if r := s.c.Do("PUT", "/__sandbox/tenants/flood_tenant/webhook", map[string]any{"url": srv.URL, "authType": "None", "retryCount": 10, "retryInterval": 1}); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	noLimits(t, s, "flood_tenant")
	c := s.as(t, "flood_tenant")
	var wg sync.WaitGroup
	start := time.Now()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < events; i += 8 {
				r := c.Post("/ExtCustomerManagement/AddCustomer", individual(fmt.Sprintf("f%d@example.com", i), "F", "Lood"))
				if r.Status != 200 {
					t.Errorf("AddCustomer: %d %s", r.Status, r.Body)
				}
			}
		}()
	}
	wg.Wait()
	outage := time.Since(start)
	t.Logf("%d events sent in %v", events, outage)
	down.Store(false)

	// A retry waits at most about as long as the outage lasted (the backoff doubles).
	var log deliveryLog
	deadline := time.Now().Add(outage + 30*time.Second)
	for {
		log = getLog(t, s, "flood_tenant")
		pending := 0
		for _, d := range log.Deliveries {
			if d.Status == "pending" {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending after the receiver came back", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(log.Deliveries) != events {
		t.Fatalf("the log holds %d deliveries for %d events", len(log.Deliveries), events)
	}
	status := map[string]int{}
	mu.Lock()
	defer mu.Unlock()
	for _, d := range log.Deliveries {
		status[d.Status]++
		switch d.Status {
		case "delivered":
			if got[d.EventId] != 1 {
				t.Errorf("delivered %s reached the receiver %d times", d.EventId, got[d.EventId])
			}
		case "dropped":
			if d.LastError != "queue full: 200 pending" || d.Attempts != 0 || got[d.EventId] != 0 {
				t.Errorf("dropped delivery: %+v (received %d times)", d, got[d.EventId])
			}
		default:
			t.Errorf("delivery neither delivered nor dropped: %+v", d)
		}
	}
	if status["delivered"] != 200 || status["dropped"] != events-200 || log.Dropped != events-200 || len(got) != 200 {
		t.Fatalf("statuses %v, dropped count %d, receiver got %d events", status, log.Dropped, len(got))
	}
}

// TestWebhookInternalAddressesWhenHosted: a hosted sandbox refuses webhooks aimed at
// internal addresses when they are set (400 naming why) and again when it delivers (a
// webhook restored from a snapshot is refused at the dial and logged as refused), unless
// --webhook-allow-private; a local sandbox allows them.
func TestWebhookInternalAddressesWhenHosted(t *testing.T) {
	hosted := newSandbox(t, func(cfg *app.Config) { cfg.Hosted, cfg.AdminToken = true, "operator-token" })
	hosted.c = hosted.c.With("Authorization", "Bearer operator-token")
	hosted.declare(t, "inward")
	for url, want := range map[string]string{
		"http://127.0.0.1:9/h":          "127.0.0.1 is a loopback address",
		"http://10.1.2.3/h":             "10.1.2.3 is a private address",
		"http://172.20.0.1/h":           "172.20.0.1 is a private address",
		"http://192.168.1.10/h":         "192.168.1.10 is a private address",
		"http://169.254.169.254/latest": "169.254.169.254 is a link-local address",
		"http://0.0.0.0:8080/h":         "0.0.0.0 is an unspecified",
		"http://[::1]:9/h":              "::1 is a loopback address",
		"http://[fd12:3456::1]/h":       "fd12:3456::1 is a private (unique local) address",
		"http://[fe80::1]/h":            "fe80::1 is a link-local address",
		"http://[::ffff:10.0.0.1]/h":    "is a private address",
		"http://localhost:9/h":          "localhost resolves to",
		"https://100.64.0.1/h":          "shared (carrier-grade NAT)",
	} {
		r := hosted.c.Do("PUT", "/__sandbox/tenants/inward/webhook", map[string]any{"url": url, "authType": "None"})
		if r.Status != 400 || !strings.Contains(string(r.Body), want) || !strings.Contains(string(r.Body), "--webhook-allow-private") {
			t.Errorf("%s: %d %s", url, r.Status, r.Body)
		}
	}
	if r := hosted.c.Get("/__sandbox/tenants/inward/webhook"); r.Status != 404 {
		t.Fatalf("a refused webhook was stored: %d %s", r.Status, r.Body)
	}

	// A local sandbox's webhook on loopback, moved by snapshot into the hosted one: the
	// hosted sandbox refuses it when it dials, logs it as refused and never tries again.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	local := newSandbox(t)
	if r := local.c.Do("PUT", "/__sandbox/tenants/inward/webhook", map[string]any{"url": srv.URL, "authType": "None", "retryCount": 3, "retryInterval": 0}); r.Status != 200 {
		t.Fatalf("local sandbox, loopback webhook: %d %s", r.Status, r.Body)
	}
	snap := local.c.Get("/__sandbox/snapshot?tenant=inward")
	if r := hosted.c.Do("PUT", "/__sandbox/snapshot?tenant=inward", snap.Body); r.Status != 200 {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	addCustomer(t, hosted.as(t, "inward"), individual("in@example.com", "In", "Ward"))
	d := waitDelivery(t, hosted, "inward", "refused")
	if d.Attempts != 1 || !strings.Contains(d.LastError, "127.0.0.1, a loopback address") || hits.Load() != 0 {
		t.Fatalf("refused delivery: %+v, receiver hit %d times", d, hits.Load())
	}

	// --webhook-allow-private lets a hosted sandbox deliver to it.
	allowed := newSandbox(t, func(cfg *app.Config) {
		cfg.Hosted, cfg.AdminToken, cfg.Profile.WebhookAllowPrivate = true, "operator-token", true
	})
	allowed.c = allowed.c.With("Authorization", "Bearer operator-token")
	allowed.declare(t, "inward")
	h := newHook(t, "ok")
	h.register(t, allowed, "inward", nil)
	addCustomer(t, allowed.as(t, "inward"), individual("ok@example.com", "O", "K"))
	h.wait(t, "profile.created")
}
