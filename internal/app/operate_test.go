package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/store"
)

// profileAs is a profile client with a token of tenant.
func profileAs(t *testing.T, c *contracttest.Client, tenant string) *contracttest.Client {
	t.Helper()
	r := c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": tenant})
	var tok struct{ Result struct{ Token string } }
	r.Decode(t, &tok)
	return c.With("Authorization", "Bearer "+tok.Result.Token)
}

// webhookTo registers a webhook of tenant that answers status, without retries.
func webhookTo(t *testing.T, c *contracttest.Client, tenant string, status int) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
	t.Cleanup(srv.Close)
	if r := c.Do("PUT", "/__sandbox/tenants/"+tenant+"/webhook", map[string]any{"url": srv.URL, "authType": "None", "retryCount": 0}); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
}

func addCustomer(t *testing.T, c *contracttest.Client) {
	t.Helper()
	r := c.Post("/ExtCustomerManagement/AddCustomer", `{"userType":"IndividualCustomer","customerEmail":"m@example.com","employeeId":"3ea657a9-5a05-46f9-9277-d27f2ccd13ea","formId":"ffIn3438-63d4-443a-a4af-2336f58d1112","sendEmail":false,"individualCustomer":{"firstName":"Met","lastName":"Rics"}}`)
	if r.Status != 200 {
		t.Fatalf("AddCustomer: %d %s", r.Status, r.Body)
	}
}

func metricsText(t *testing.T, c *contracttest.Client) string {
	t.Helper()
	r := c.Get("/metrics")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	return string(r.Body)
}

// waitMetrics polls /metrics until it has every line of want (webhooks are delivered in
// the background).
func waitMetrics(t *testing.T, c *contracttest.Client, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := metricsText(t, c)
		missing := ""
		for _, w := range want {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in /metrics:\n%s", missing, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMetricsAfterCallsOfEveryAPI(t *testing.T) {
	_, c := newSandbox(t)
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`, "X-Sandbox-Scenario", "customer-not-found")
	dmtc := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	dmtc.Post("/common/dmt-lite/unified/customer/get-customer", `{"mobileNumber":"8618743463","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`)
	if r := c.Post("/__sandbox/rules", map[string]any{"operationId": "getEmployees", "outcome": "ok"}); r.Status != 201 {
		t.Fatalf("arm rule: %d %s", r.Status, r.Body)
	}
	good, bad := profileAs(t, c, "hook_ok"), profileAs(t, c, "hook_down")
	good.Get("/ExtCustomerManagement/GetEmployees")
	webhookTo(t, c, "hook_ok", 200)
	webhookTo(t, c, "hook_down", 500)
	addCustomer(t, good)
	addCustomer(t, bad)

	out := waitMetrics(t, c,
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="ok",status="200"} 1`,
		`sandbox_requests_total{api="dcms",operationId="viewCustomer",outcome="customer-not-found",status="400"} 1`,
		`sandbox_requests_total{api="dmt",operationId="getCustomer",outcome="`,
		`sandbox_requests_total{api="profile",operationId="getAppToken",outcome="ok",status="200"} 2`,
		`sandbox_requests_total{api="profile",operationId="addCustomer",outcome="ok",status="200"} 2`,
		`sandbox_request_duration_seconds_count{api="dcms",operationId="viewCustomer"} 2`,
		`sandbox_request_duration_seconds_bucket{api="dmt",operationId="getCustomer",le="+Inf"} 1`,
		`sandbox_rule_firings_total{api="profile",operationId="getEmployees"} 1`,
		`sandbox_tenants{api="dcms"} 1`,
		`sandbox_tenants{api="dmt"} 1`,
		`sandbox_tenants{api="profile"} 2`,
		`sandbox_webhook_deliveries_total 1`,
		`sandbox_webhook_failures_total 1`,
		`sandbox_webhook_queue_length 0`,
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
	)
	// The journal holds the 8 partner calls (admin calls are not journaled).
	if !strings.Contains(out, "sandbox_journal_entries 8\n") || strings.Contains(out, "sandbox_journal_bytes 0\n") {
		t.Errorf("journal series:\n%s", grepLines(out, "sandbox_journal"))
	}
	c.Do("DELETE", "/__sandbox/journal", nil)
	waitMetrics(t, c, "sandbox_journal_entries 0\n", "sandbox_journal_bytes 0\n")
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// pingStore is a store whose Ping says what err says.
type pingStore struct {
	store.Backend
	mu  sync.Mutex
	err error
}

func (p *pingStore) Ping(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func TestReadiness(t *testing.T) {
	sb, c := newSandbox(t)
	var ready struct {
		Status string
		Reason *string
		Checks []struct{ Name, Status string }
	}
	r := c.Get("/readyz")
	r.Decode(t, &ready)
	if r.Status != 200 || ready.Status != "ready" || ready.Reason != nil || len(ready.Checks) != 2 {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}

	// The store is asked; when it fails, the sandbox is not ready and says why.
	ps := &pingStore{Backend: sb.Store, err: errors.New("dial tcp 10.0.0.7:6379: connection refused")}
	sb.Store = ps
	r = c.Get("/readyz")
	r.Decode(t, &ready)
	if r.Status != 503 || ready.Status != "not-ready" || ready.Reason == nil || *ready.Reason != "store: dial tcp 10.0.0.7:6379: connection refused" {
		t.Fatalf("store down: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/healthz"); r.Status != 200 {
		t.Fatalf("liveness follows readiness: healthz %d", r.Status)
	}
	ps.mu.Lock()
	ps.err = nil
	ps.mu.Unlock()
	if r := c.Get("/readyz"); r.Status != 200 {
		t.Fatalf("store back: %d %s", r.Status, r.Body)
	}
}

// syncBuffer is a log destination the test reads while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLog(t *testing.T) {
	var logs syncBuffer
	start := func(on bool) *contracttest.Client {
		// --log-level error: the access log is written whatever the level.
		_, c := contracttest.Start(t, func(cfg *app.Config) {
			cfg.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))
			cfg.AccessLog = on
		})
		return c
	}
	c := start(false)
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	if logs.String() != "" {
		t.Fatalf("access log off, yet:\n%s", logs.String())
	}

	c = start(true)
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	profileAs(t, c, "log_tenant").Get("/ExtCustomerManagement/GetCustomerDetails/6080401234566859")
	c.Get("/__sandbox/journal") // not a partner call: no line
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines (viewCustomer, getAppToken, getCustomerDetails), got:\n%s", logs.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"api": "dcms", "operationId": "viewCustomer", "tenant": "ACME_BANK", "method": "POST",
		"path": "/v1/viewCustomer", "status": 200.0, "outcome": "ok", "msg": "call"} {
		if first[k] != v {
			t.Errorf("%s = %v, want %v in %s", k, first[k], v, lines[0])
		}
	}
	if _, ok := first["time"].(string); !ok {
		t.Errorf("no time in %s", lines[0])
	}
	if d, ok := first["duration"].(float64); !ok || d <= 0 {
		t.Errorf("duration (ns) = %v in %s", first["duration"], lines[0])
	}
	// A card number (Luhn-valid) in a path is masked as the journal masks it.
	if strings.Contains(logs.String(), "6080401234566859") || !strings.Contains(lines[2], "608040XXXXXX6859") {
		t.Errorf("path not masked: %s", lines[2])
	}
}
