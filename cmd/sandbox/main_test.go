package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the sandbox once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sandbox-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sandbox")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// startBinary starts the real sandbox binary on a free port and returns its base URL and a
// stop function that sends SIGTERM, which must end it cleanly (cleanup stops it too).
func startBinary(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	b := launch(t, nil, args...)
	return b.url, b.stop
}

// running is a sandbox binary started by launch.
type running struct {
	cmd  *exec.Cmd
	url  string
	stop func() // SIGTERM, and a clean exit expected
	// stopWith sends sig instead, and expects a clean exit too.
	stopWith func(sig os.Signal)
	mu       sync.Mutex
	logs     []string // its stderr lines so far
}

func (b *running) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.logs...)
}

// launch starts the binary with env added to the environment and waits for it to listen.
func launch(t *testing.T, env []string, args ...string) *running {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &running{cmd: cmd}
	lines := bufio.NewScanner(stderr)
	url := make(chan string, 1)
	go func() {
		for lines.Scan() {
			b.mu.Lock()
			b.logs = append(b.logs, lines.Text())
			b.mu.Unlock()
			var l struct{ Msg, URL string }
			if json.Unmarshal(lines.Bytes(), &l) == nil && l.Msg == "sandbox listening" {
				url <- l.URL
			}
		}
	}()
	var once sync.Once
	b.stopWith = func(sig os.Signal) { once.Do(func() { terminate(t, cmd, sig) }) }
	b.stop = func() { b.stopWith(syscall.SIGTERM) }
	t.Cleanup(b.stop)
	select {
	case b.url = <-url:
		return b
	case <-time.After(60 * time.Second):
		t.Fatalf("sandbox did not report listening within 60s:\n%s", strings.Join(b.lines(), "\n"))
		return nil
	}
}

func terminate(t *testing.T, cmd *exec.Cmd, sig os.Signal) {
	t.Helper()
	_ = cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("sandbox did not stop cleanly on %v: %v", sig, err)
		}
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		t.Errorf("sandbox did not stop within 15s of %v", sig)
	}
}

func TestBinaryServesSeed000(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	base, _ := startBinary(t)
	c := contracttest.NewClient(t, base)
	if r := c.Get("/healthz"); r.Status != 200 {
		t.Fatalf("healthz: %d", r.Status)
	}
	// Seed 000's curl, as the vendor documents it.
	r := c.Post("/v1/viewCustomer", `{ "entityId": "675676" }`, "tenant", "ACME_BANK")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"firstName":"Aadhu"`) {
		t.Fatalf("viewCustomer: %d %s", r.Status, r.Body)
	}
	r = c.Post("/v1/viewCustomer", `{"entityId":"nope"}`, "tenant", "ACME_BANK")
	if r.Status != 400 || !strings.Contains(string(r.Body), `"CUS001"`) {
		t.Fatalf("unknown entityId: %d %s", r.Status, r.Body)
	}
	r = c.Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	if r.Status != 400 || !strings.Contains(string(r.Body), `"tenant.header.missing"`) {
		t.Fatalf("no tenant: %d %s", r.Status, r.Body)
	}
}

func TestPersistedSandboxLosesNothingOnRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	file := filepath.Join(t.TempDir(), "state.json")
	base, stop := startBinary(t, "--persist", file)
	c := contracttest.NewClient(t, base)
	dmt := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	const getCustomer = `{"mobileNumber":"8618743463","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`

	// Change state in every API through the APIs themselves.
	if r := c.Post("/v1/update-manager/poi", `{"entityId":"675676","communicationInfo":[{"contactNo":"9000000001","emailId":"persisted@example.com","notification":true}]}`,
		"tenant", "ACME_BANK"); r.Status != 200 {
		t.Fatalf("updatePoi: %d %s", r.Status, r.Body)
	}
	dmt.Post("/common/dmt-lite/unified/otp/send", `{"customerMobileNumber":"8618743463","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`)
	if r := dmt.Post("/common/dmt-lite/unified/customer/process-customer-registration",
		`{"mobileNumber":"8618743463","name":"Sangram Keshari pradhan","otp":"123456","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`); !strings.Contains(string(r.Body), `"statusCode":"3"`) {
		t.Fatalf("registration: %s", r.Body)
	}
	tok := c.Post("/api/AppSessionManager/GetAppToken", `{"appId":"sandbox_app","appSecret":"sandbox_secret","tenantId":"sandbox_tenant"}`).JSON(t)
	profile := c.With("Authorization", "Bearer "+tok["result"].(map[string]any)["token"].(string))
	add := profile.Post("/ExtCustomerManagement/AddCustomer", `{"userType":"IndividualCustomer","customerEmail":"p@example.com","employeeId":"3ea657a9-5a05-46f9-9277-d27f2ccd13ea","formId":"ffIn3438-63d4-443a-a4af-2336f58d1112","sendEmail":false,"individualCustomer":{"firstName":"Persis","lastName":"Ted"}}`)
	submission := add.JSON(t)["result"].(map[string]any)["submissionId"].(string)
	stop()
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no persist file after shutdown: %v", err)
	}

	base, _ = startBinary(t, "--persist", file)
	c = contracttest.NewClient(t, base)
	if r := c.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "tenant", "ACME_BANK"); !strings.Contains(string(r.Body), "persisted@example.com") {
		t.Fatalf("DCMS change lost: %s", r.Body)
	}
	dmt = c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	if r := dmt.Post("/common/dmt-lite/unified/customer/get-customer", getCustomer); !strings.Contains(string(r.Body), `"statusCode":"3"`) {
		t.Fatalf("DMT change lost: %s", r.Body)
	}
	// The old token is still good (same signing key, 24 h of sandbox time), and the
	// submission is there.
	profile = c.With("Authorization", profile.Header.Get("Authorization"))
	if r := profile.Get("/ExtCustomerManagement/GetCustomerDetails/" + submission); r.Status != 200 {
		t.Fatalf("profile change lost: %d %s", r.Status, r.Body)
	}
	// A tenant never touched still starts from the fixtures.
	if r := c.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "tenant", "OTHER_BANK"); !strings.Contains(string(r.Body), "test98765@gmail.com") {
		t.Fatalf("untouched tenant: %s", r.Body)
	}
}

func TestAddrFromEnvironment(t *testing.T) {
	t.Setenv("SANDBOX_ADDR", "127.0.0.1:1")
	if got := envOr("SANDBOX_ADDR", "127.0.0.1:8080"); got != "127.0.0.1:1" {
		t.Fatalf("envOr = %s", got)
	}
	os.Unsetenv("SANDBOX_ADDR")
	if got := envOr("SANDBOX_ADDR", "127.0.0.1:8080"); got != "127.0.0.1:8080" {
		t.Fatalf("default = %s", got)
	}
}
