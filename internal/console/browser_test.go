package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// BrowserEnv set to "required" (as .ci/run does) makes a missing browser a failure;
// otherwise the browser tests skip when there is none.
const BrowserEnv = "SANDBOX_TEST_BROWSER"

// chromium finds Debian's chromium (or another Chrome) on PATH.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(BrowserEnv) == "required" {
		t.Fatalf("%s=required, but no chromium on PATH: apt-get install -y chromium", BrowserEnv)
	}
	t.Skipf("browser tests skipped: no chromium on PATH (apt-get install -y chromium; %s=required makes this a failure)", BrowserEnv)
	return ""
}

// browser is a headless chromium driven over the DevTools protocol, with the page's
// JavaScript errors collected.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium(t)
	// This machine's network is closed: nothing but loopback, no background traffic.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b.ctx = ctx
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return b
}

func (b *browser) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = (&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error()
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var args []string
		for _, a := range e.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		msg = "console.error: " + strings.Join(args, " ")
	default:
		return
	}
	b.mu.Lock()
	b.errors = append(b.errors, msg)
	b.mu.Unlock()
}

// jsErrors are the page's uncaught exceptions and console.error calls so far.
func (b *browser) jsErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// do runs steps, failing the test after timeout.
func (b *browser) do(timeout time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (JavaScript errors: %v)", what, err, b.jsErrors())
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval runs a script in the page (to choose a <select> option as a user would, with its
// change event).
func (b *browser) eval(js string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js)); err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
}

// screenshot writes the viewport (1280×800) to the test's output folder.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(outputDir(b.t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot of the %s view: %s", name, path)
	return path
}

// outputDir is where a test writes what a person may want to look at afterwards: under
// $SANDBOX_TEST_OUTPUT (kept), or the test's temporary folder (removed with it).
func outputDir(t *testing.T) string {
	root := os.Getenv("SANDBOX_TEST_OUTPUT")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (b *browser) view(name, ready string) {
	b.t.Helper()
	b.eval(fmt.Sprintf("location.hash = %q", "#"+name))
	b.do(5*time.Second, "the "+name+" view", chromedp.WaitVisible(chromedp.CSS("#view-"+name)), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// TestConsoleInBrowser drives the console in Debian's chromium against a running sandbox.
func TestConsoleInBrowser(t *testing.T) {
	b := newBrowser(t)
	_, c := contracttest.Start(t)
	const tenant = "BROWSER_BANK"
	bank := c.With("tenant", tenant)

	// / redirects to the console, which loads with no JavaScript error.
	b.do(10*time.Second, "open /", chromedp.Navigate(c.BaseURL+"/"))
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, c.BaseURL+"/__sandbox/console") {
		t.Fatalf("/ led to %q (%v)", loc, err)
	}
	b.do(10*time.Second, "open the console", chromedp.Navigate(c.BaseURL+"/__sandbox/console?tenant="+tenant+"#journal"),
		chromedp.WaitVisible(chromedp.CSS("#view-journal")), chromedp.WaitVisible(chromedp.CSS("#journal-empty")))
	if got := b.text("#header-clock"); !strings.Contains(got, "UTC") {
		t.Fatalf("header clock shows %q", got)
	}

	// A viewCustomer made now appears in the journal view within 2 s...
	start := time.Now()
	if r := bank.Post("/v1/viewCustomer", `{"entityId":"676165"}`); r.Status != 200 {
		t.Fatalf("viewCustomer: %d %s", r.Status, r.Body)
	}
	row := `#journal-rows tr.call[data-operation="viewCustomer"]`
	b.do(2*time.Second, "the call in the journal view within 2 s", chromedp.WaitVisible(chromedp.CSS(row)))
	t.Logf("the call appeared in the journal view %v after it was answered", time.Since(start).Round(time.Millisecond))

	// ... and expands to its masked request and response, pretty-printed, with its outcome.
	b.do(5*time.Second, "expand the call", chromedp.Click(chromedp.CSS(row+" button.expand")),
		chromedp.WaitVisible(chromedp.CSS("#journal-rows tr.detail pre.response")))
	req, resp, facts := b.text("tr.detail pre.request"), b.text("tr.detail pre.response"), b.text("tr.detail dl.facts")
	if !strings.Contains(req, "{\n  \"entityId\": \"676165\"\n}") {
		t.Fatalf("request not shown pretty-printed: %q", req)
	}
	if !regexp.MustCompile(`"cardNumber": "608040XXXXXX\d{4}"`).MatchString(resp) || regexp.MustCompile(`\d{16}`).MatchString(resp) {
		t.Fatalf("response not masked as the journal keeps it:\n%s", resp)
	}
	if !strings.Contains(facts, "ok (HTTP 200)") || !strings.Contains(facts, "state") {
		t.Fatalf("outcome and deciding facts: %q", facts)
	}
	b.screenshot("journal")

	// Arming a rule from the form makes the next call answer that outcome.
	b.view("scenarios", "#rule-form")
	b.do(5*time.Second, "the catalogue", chromedp.WaitVisible(chromedp.CSS(`#catalogue details[data-operation="viewCustomer"]`)))
	b.eval(`(() => { const s = document.querySelector('#rule-operation'); s.value = 'viewCustomer'; s.dispatchEvent(new Event('change')); })()`)
	b.eval(`(() => { const s = document.querySelector('#rule-outcome'); s.value = 'customer-not-found'; s.dispatchEvent(new Event('change')); })()`)
	b.do(5*time.Second, "fill and send the rule form",
		chromedp.SetValue(chromedp.CSS("#rule-times"), "1"),
		chromedp.SendKeys(chromedp.CSS("#rule-match"), "entityId=676165"),
		chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-rows tr[data-rule]`)))
	r := bank.Post("/v1/viewCustomer", `{"entityId":"676165"}`)
	if r.Status != 400 || !strings.Contains(string(r.Body), "CUS001") {
		t.Fatalf("the call after arming: %d %s", r.Status, r.Body)
	}
	if r := bank.Post("/v1/viewCustomer", `{"entityId":"676165"}`); r.Status != 200 {
		t.Fatalf("the rule was for one call; the second got %d", r.Status)
	}
	b.screenshot("scenarios")

	// Advancing the tenant clock from the page moves GET /__sandbox/clock?tenant=.
	b.view("clock", "#clock-advance-form")
	b.do(5*time.Second, "advance the clock",
		chromedp.SendKeys(chromedp.CSS("#clock-advance"), "72h"),
		chromedp.Click(chromedp.CSS(`#clock-advance-form button`)))
	deadline := time.Now().Add(3 * time.Second)
	for {
		var clk struct {
			Offset string
			Own    bool
		}
		c.Get("/__sandbox/clock?tenant="+tenant).Decode(t, &clk)
		if clk.Offset == "72h0m0s" && clk.Own {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tenant clock after Advance 72h from the page: %+v", clk)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var shared struct{ Offset string }
	c.Get("/__sandbox/clock").Decode(t, &shared)
	if shared.Offset != "0s" {
		t.Fatalf("the page moved the shared clock: %s", shared.Offset)
	}
	b.screenshot("clock")

	// The state view shows the customer and its kit with the moves allowed.
	b.view("state", `[data-rows="dcms-customers"] tr[data-id="676165"]`)
	if kit := b.text(`[data-rows="dcms-customers"] tr[data-id="676165"]`); !strings.Contains(kit, "LOCK → LOCKED") {
		t.Fatalf("kit row: %q", kit)
	}
	b.screenshot("state")

	// The coverage matrix shows the outcomes just received.
	b.view("coverage", `#coverage-matrix tr[data-operation="viewCustomer"]`)
	for _, outcome := range []string{"ok", "customer-not-found"} {
		b.do(3*time.Second, "coverage of "+outcome, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cell.received[data-operation="viewCustomer"][data-outcome=%q]`, outcome))))
	}
	if got := b.text(`.cell[data-operation="viewCustomer"][data-outcome="customer-not-found"]`); !strings.Contains(got, "1 (1 forced)") {
		t.Fatalf("customer-not-found cell: %q", got)
	}
	if got := b.text("#coverage-percent"); got == "0.0%" || !strings.HasSuffix(got, "%") {
		t.Fatalf("percentage %q", got)
	}
	b.screenshot("coverage")

	if errs := b.jsErrors(); len(errs) > 0 {
		t.Fatalf("JavaScript errors on the page:\n%s", strings.Join(errs, "\n"))
	}
}
