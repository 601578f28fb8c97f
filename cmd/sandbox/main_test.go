package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// startBinary builds and starts the real sandbox binary on a free port and returns its
// base URL; the process is stopped with SIGTERM at cleanup, which must end it cleanly.
func startBinary(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	url := make(chan string, 1)
	go func() {
		for lines.Scan() {
			var l struct{ Msg, URL string }
			if json.Unmarshal(lines.Bytes(), &l) == nil && l.Msg == "sandbox listening" {
				url <- l.URL
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox did not stop cleanly on SIGTERM: %v", err)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("sandbox did not stop within 15s of SIGTERM")
		}
	})
	select {
	case u := <-url:
		return u
	case <-time.After(60 * time.Second):
		t.Fatal("sandbox did not report listening within 60s")
		return ""
	}
}

func TestBinaryServesSeed000(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	base := startBinary(t)
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
