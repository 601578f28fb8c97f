package replay_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/replay"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// A session that saw a kit DELIVERED after the clock moved 72 hours is exported with the
// clock move as a clock step and the delivery status as an expectation: replayed against the
// same behaviour it passes; replayed after the behaviour changed (the kit still IN_TRANSIT
// after 72 hours) it fails at that step.
func TestExportWithAClockMoveCatchesARegression(t *testing.T) {
	sb := newSandbox(t)
	dcms := func(path, body string) string {
		t.Helper()
		st, b := call(t, "POST", sb.URL+path, body, "tenant", "ACME_BANK")
		if st != 200 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		return string(b)
	}
	clock := func(change string) {
		t.Helper()
		if st, b := call(t, "POST", sb.URL+"/__sandbox/clock", change); st != 200 {
			t.Fatalf("clock %s: %d %s", change, st, b)
		}
	}
	dcms("/v1/register", `{"entityId":"900001","entityType":"CUSTOMER","business":"ACME_BANK","businessId":"687","businessType":"ACME_BANK",
		"title":"Mr","firstName":"Arjun","lastName":"Mehta","gender":"MALE","dob":"1990-02-14",
		"addressInfo":[{"address1":"7 Lake View Road","addressCategory":"PERMANENT","city":"CHENNAI","country":"INDIA","pincode":"600040","state":"TAMILNADU"}],
		"communicationInfo":[{"contactNo":"9000000001","emailId":"arjun@example.com"}],"kycInfo":[{"documentType":"PAN","documentNo":"ABCPM1234K"}],
		"accountInfo":[{"accountNo":9100001}],"kitInfo":[{"cardType":"PHYSICAL"}]}`)
	if got := dcms("/v1/kit-manager/kitTracking", `{"kitNo":"4240300001"}`); !strings.Contains(got, `"status":"IN_TRANSIT"`) {
		t.Fatalf("before the move: %s", got)
	}
	clock(`{"advance":"72h"}`)
	if got := dcms("/v1/kit-manager/kitTracking", `{"kitNo":"4240300001"}`); !strings.Contains(got, `"status":"DELIVERED"`) {
		t.Fatalf("72 hours later: %s", got)
	}
	clock(`{"reset":true}`)

	st, exported := call(t, "GET", sb.URL+"/__sandbox/journal/export?tenant=ACME_BANK&name=delivery", "")
	if st != 200 {
		t.Fatalf("export: %d %s", st, exported)
	}
	t.Log("\n" + string(exported))
	for _, want := range []string{"clock: {advance: 72h}", "clock: {reset: true}", "result.shipmentData.shipment.0.status: DELIVERED", "result.shipmentData.shipment.0.receivedBy: Arjun Mehta"} {
		if !strings.Contains(string(exported), want) {
			t.Fatalf("the export lacks %q", want)
		}
	}
	f := sb.parse(t, "delivery.yaml", string(exported))

	// The same behaviour: green.
	if res, out := sb.replay(t, f); replay.ExitCode(res) != 0 {
		t.Fatalf("the recording does not replay green against the same sandbox:\n%s", out)
	}

	// The behaviour changes: a build in which the kit is still in transit 72 hours later.
	target, _ := url.Parse(sb.URL)
	changed := httputil.NewSingleHostReverseProxy(target)
	changed.ModifyResponse = func(r *http.Response) error {
		if r.Request.URL.Path != "/v1/kit-manager/kitTracking" {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		body = bytes.ReplaceAll(body, []byte(`"DELIVERED"`), []byte(`"IN_TRANSIT"`))
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r.Header.Del("Content-Length")
		return nil
	}
	regressed := httptest.NewServer(changed)
	defer regressed.Close()
	var out bytes.Buffer
	res := replay.Run(context.Background(), []*scenariofile.File{f}, replay.Options{Target: regressed.URL, Out: &out})
	t.Log("\n" + out.String())
	if replay.ExitCode(res) != 1 {
		t.Fatalf("the regression is not caught (exit %d):\n%s", replay.ExitCode(res), out.String())
	}
	if !strings.Contains(out.String(), `body result.shipmentData.shipment.0.status: expected "DELIVERED", got "IN_TRANSIT"`) {
		t.Fatalf("the failure does not say what changed:\n%s", out.String())
	}
}

// An answer that breaks the contract fails its step as a contract violation, apart from
// unmet expectations.
func TestReplayReportsContractViolations(t *testing.T) {
	uat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"result":{"entityId":"1"},"exception":null}`) // no pagination, no customer fields
	}))
	defer uat.Close()
	f, err := scenariofile.Parse("uat.yaml", []byte("name: uat\nsteps:\n  - {path: /v1/viewCustomer, body: {entityId: \"1\"}, expect: {status: 200, body: {result.entityId: \"1\"}}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res := replay.Run(context.Background(), []*scenariofile.File{f}, replay.Options{Target: uat.URL, Out: &out})
	st := res[0].Steps[0]
	if replay.ExitCode(res) != 1 || len(st.Failures) != 0 || len(st.Contract) != 1 || !strings.Contains(st.Contract[0], `property "pagination" is missing`) {
		t.Fatalf("step %+v:\n%s", st, out.String())
	}
	if !strings.Contains(out.String(), "contract: POST /v1/viewCustomer (viewCustomer) answered 200, which breaks the contract") {
		t.Fatalf("report:\n%s", out.String())
	}
	c := junitOf(t, res).Suites[0].Cases[0]
	if c.Failure == nil || c.Failure.Type != "contract" || c.Error != nil {
		t.Fatalf("JUnit case: %+v", c)
	}
}

// Expected values are typed: the number 2 is not the string "2".
func TestReplayComparesTyped(t *testing.T) {
	sb := newSandbox(t)
	f := sb.parse(t, "typed.yaml", `name: typed
steps:
  - path: /common/dmt-lite/unified/customer/get-customer
    body: {mobileNumber: "8658733463", username: isutestapi1, latlong: "1,2", publicIP: 10.0.0.1}
    expect: {status: 200, body: {statusCode: 2}}
  - path: /v1/kit-manager/manageAllKits
    body: {entityId: "676165", operation: LOCK}
    expect: {status: 200, body: {result.totalCardsManaged: 1.0, result.managedCards.0.currentStatus: LOCKED}}
`)
	res, out := sb.replay(t, f)
	if s := res[0].Steps; s[0].Passed() || !strings.Contains(out, `body statusCode: expected 2 (a number), got "2" (a string)`) || !s[1].Passed() {
		t.Fatalf("typed comparison:\n%s", out)
	}
}

// A target nobody answers on is an error (exit 2, JUnit error), not failed steps, and not
// "a target without the admin API".
func TestReplayUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	f, err := scenariofile.Parse("down.yaml", []byte("name: down\nreset: true\nsteps:\n  - {path: /v1/viewCustomer, body: {entityId: \"1\"}, expect: {status: 200}}\n  - clock: {advance: 1h}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res := replay.Run(context.Background(), []*scenariofile.File{f}, replay.Options{Target: down, Out: &out})
	failed, _, errored := res[0].Counts()
	if replay.ExitCode(res) != 2 || failed != 0 || errored != 2 || strings.Contains(out.String(), "no sandbox admin API") ||
		!strings.Contains(out.String(), "the target is unreachable") || !strings.Contains(out.String(), "ERROR: 1 files") {
		t.Fatalf("exit %d, %d failed, %d errors:\n%s", replay.ExitCode(res), failed, errored, out.String())
	}
	doc := junitOf(t, res)
	if doc.Errors != 2 || doc.Failures != 0 || doc.Suites[0].Cases[0].Error == nil || doc.Suites[0].Cases[0].Error.Type != "unreachable" {
		t.Fatalf("JUnit: %+v", doc)
	}
}

// --wait waits for /healthz to answer 200 (a server still starting), and gives up after it.
func TestReplayWaitsForHealthz(t *testing.T) {
	var calls atomic.Int32
	starting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && calls.Add(1) < 4 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/healthz" {
			_, _ = io.WriteString(w, `{"status":"ok"}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, uatCUS001)
	}))
	defer starting.Close()
	f, err := scenariofile.Parse("wait.yaml", []byte("name: wait\nsteps:\n  - {path: /v1/viewCustomer, body: {entityId: \"1\"}, expect: {status: 400}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res := replay.Run(context.Background(), []*scenariofile.File{f}, replay.Options{Target: starting.URL, Out: &out, Wait: 5 * time.Second})
	if replay.ExitCode(res) != 0 || calls.Load() < 4 {
		t.Fatalf("exit %d after %d /healthz calls:\n%s", replay.ExitCode(res), calls.Load(), out.String())
	}

	never := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer never.Close()
	out.Reset()
	res = replay.Run(context.Background(), []*scenariofile.File{f}, replay.Options{Target: never.URL, Out: &out, Wait: 300 * time.Millisecond})
	if replay.ExitCode(res) != 2 || !strings.Contains(out.String(), "/healthz did not answer 200 within 300ms (GET /healthz answered 503)") {
		t.Fatalf("exit %d:\n%s", replay.ExitCode(res), out.String())
	}
}

// A clock step with a tenant moves that tenant's clock only.
func TestReplayTenantClockStep(t *testing.T) {
	sb := newSandbox(t)
	f := sb.parse(t, "clock.yaml", "name: clock\nsteps:\n  - clock: {advance: 2h, tenant: CLOCK_BANK}\n")
	if res, out := sb.replay(t, f); replay.ExitCode(res) != 0 || !strings.Contains(out, "clock of CLOCK_BANK advance 2h") {
		t.Fatalf("replay:\n%s", out)
	}
	if off := sb.Clock.Offset("CLOCK_BANK"); off < 7199e9 {
		t.Errorf("CLOCK_BANK's clock offset %v after advance 2h", off)
	}
	if off := sb.Clock.Offset(""); off > time.Minute {
		t.Errorf("the shared clock moved too: %v", off)
	}
}
