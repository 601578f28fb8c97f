package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// --hosted without the operator's token refuses to start: exit 1, a message naming
// SANDBOX_ADMIN_TOKEN, nothing listening.
func TestHostedWithoutAdminTokenDoesNotStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	binary(t) // built before runBinary's clock starts
	addr := freeAddr(t)
	for _, c := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"--hosted"}},
		{[]string{"SANDBOX_HOSTED=true"}, nil},
		{[]string{"SANDBOX_HOSTED=true", "SANDBOX_ADMIN_TOKEN="}, nil},
	} {
		stdout, stderr, code := runBinary(t, append(c.env, "SANDBOX_ADDR="+addr), c.args...)
		if code == 0 || !strings.Contains(stderr, "--hosted needs the operator's admin token: set SANDBOX_ADMIN_TOKEN") || stdout != "" {
			t.Errorf("sandbox %v with %v: exit %d, stdout %q, stderr:\n%s", c.args, c.env, code, stdout, stderr)
		}
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			t.Fatalf("hosted without a token: something listens on %s", addr)
		}
	}
	empty := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runBinary(t, []string{"SANDBOX_ADDR=" + addr}, "--hosted", "--admin-token-file", empty); code == 0 || !strings.Contains(stderr, "the file is empty") {
		t.Errorf("--admin-token-file of an empty file: exit %d\n%s", code, stderr)
	}
}

// Hosted with SANDBOX_ADMIN_TOKEN: the admin API wants it (401 without), the docs and the
// probes do not, and the token is in no log line.
func TestHostedBinaryAsksForTheToken(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	const token = "op-7f3c9a1e5b2d4c6e8a0f"
	b := launch(t, []string{"SANDBOX_ADMIN_TOKEN=" + token}, "--hosted", "--log-level", "debug", "--access-log")
	c := contracttest.NewClient(t, b.url)
	if r := c.Get("/__sandbox/journal"); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous journal: %d %s", r.Status, r.Body)
	}
	if r := c.With("Authorization", "Bearer "+token).Get("/__sandbox/journal"); r.Status != http.StatusOK {
		t.Errorf("the operator's journal: %d %s", r.Status, r.Body)
	}
	for _, p := range []string{"/healthz", "/readyz", "/__sandbox/docs", "/__sandbox/openapi/dcms.yaml", "/__sandbox/console"} {
		if r := c.Get(p); r.Status != http.StatusOK {
			t.Errorf("%s without a token: %d", p, r.Status)
		}
	}
	b.stop()
	if logs := strings.Join(b.lines(), "\n"); strings.Contains(logs, token) || !strings.Contains(logs, "hosted mode") {
		t.Errorf("the logs show the token, or do not say the sandbox is hosted:\n%s", logs)
	}
}
