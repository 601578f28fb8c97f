package browser

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnersandbox/sandbox/openapi"
)

func TestLoopbackHosts(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "LOCALHOST:1": true, "localhost.:80": true,
		"127.0.0.1": true, "127.0.0.1:8080": true, "127.1.2.3:9": true, "[::1]": true, "[::1]:8080": true,
		"app.localhost": true, "api.app.localhost:3000": true,
		"attacker.example": false, "attacker.example:8080": false, "localhost.attacker.example": false,
		"127.0.0.1.nip.io": false, "notlocalhost": false, "10.0.0.7:8080": false, "[fd00::1]:80": false, "": false,
	} {
		if got := Loopback(hostname(host)); got != want {
			t.Errorf("Host %q loopback = %v, want %v", host, got, want)
		}
	}
}

func TestLoopbackOrigins(t *testing.T) {
	for origin, want := range map[string]bool{
		"http://localhost": true, "http://localhost:3000": true, "https://127.0.0.1:8443": true,
		"http://[::1]:5173": true, "http://app.localhost:3000": true,
		"https://evil.example": false, "http://localhost.evil.example": false, "null": false,
		"file://localhost": false, "http://evil.example@localhost": false, "http://localhost/path": false, "": false,
	} {
		if got := LoopbackOrigin(origin); got != want {
			t.Errorf("Origin %q loopback = %v, want %v", origin, got, want)
		}
	}
}

func TestAllowedHosts(t *testing.T) {
	l := newHostList([]string{"Sandbox.Example", "10.0.0.7:8080", "[fd00::1]"})
	for host, want := range map[string]bool{
		"sandbox.example": true, "SANDBOX.EXAMPLE:9000": true, "10.0.0.7:8080": true, "[fd00::1]:80": true,
		"10.0.0.7:9090": false, "10.0.0.7": false, "other.example": false, "sandbox.example.evil": false,
	} {
		if got := l.has(host); got != want {
			t.Errorf("--allowed-host list has %q = %v, want %v", host, got, want)
		}
	}
	if !newHostList([]string{"*"}).has("anything.example") {
		t.Error(`--allowed-host "*" does not serve every name`)
	}
	if newHostList(nil).has("anything.example") {
		t.Error("an empty --allowed-host list serves a foreign name")
	}
}

func contracts(t *testing.T) []*openapi3.T {
	t.Helper()
	var docs []*openapi3.T
	for _, api := range openapi.APIs {
		doc, err := openapi.Load(api)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// The headers browsers may send and read come from the contracts: every credential and
// steering header the APIs read.
func TestHeadersFromContracts(t *testing.T) {
	docs := contracts(t)
	got := Headers(docs)
	for _, h := range []string{"tenant", "client_id", "client_secret", "header_secrets", "pass_key", "Authorization", "Content-Type",
		"X-Sandbox-Scenario", "X-Sandbox-Delay", "X-Sandbox-Fault"} {
		if !slices.Contains(got, h) {
			t.Errorf("allowed headers %v lack %s", got, h)
		}
	}
	if exposed := ResponseHeaders(docs); !slices.Contains(exposed, "Retry-After") {
		t.Errorf("exposed headers %v lack Retry-After", exposed)
	}
}

func TestNormalizeRequestHeaders(t *testing.T) {
	if got, want := normalize([]string{"Tenant, Content-Type", " x-sandbox-scenario,content-type,"}), "content-type,tenant,x-sandbox-scenario"; got != want {
		t.Errorf("normalize = %q, want %q", got, want)
	}
}

// A hand-written preflight (headers in any case and order) is accepted, and the answer
// names the headers as they were asked; a header no API reads is not allowed.
func TestPreflightHeadersAsAsked(t *testing.T) {
	reached := false
	h := newCORS(newOrigins(nil).partner(), contracts(t), http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	for asked, allowed := range map[string]bool{"Tenant, Content-Type, X-Sandbox-Scenario": true, "tenant, x-forged": false} {
		r := httptest.NewRequest(http.MethodOptions, "http://localhost/v1/viewCustomer", nil)
		r.Header.Set("Origin", "https://app.example")
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", asked)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		got := w.Header().Get("Access-Control-Allow-Headers")
		if w.Code != http.StatusNoContent || (got == asked) != allowed {
			t.Errorf("preflight asking %q: %d, Access-Control-Allow-Headers %q (allowed: %v)", asked, w.Code, got, allowed)
		}
	}
	// Asking for no header, the answer lists every allowed one.
	r := httptest.NewRequest(http.MethodOptions, "http://localhost/v1/viewCustomer", nil)
	r.Header.Set("Origin", "https://app.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got := w.Header().Get("Access-Control-Allow-Headers"); w.Code != http.StatusNoContent || !strings.Contains(got, "tenant") || !strings.Contains(got, "X-Sandbox-Fault") {
		t.Errorf("preflight asking no header: %d, Access-Control-Allow-Headers %q", w.Code, got)
	}
	if reached {
		t.Error("a preflight reached the router")
	}
}
