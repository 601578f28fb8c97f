package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/store"
)

// runBinary runs the sandbox binary to its end (30 s at most) and returns its output and
// exit status.
func runBinary(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin := binary(t) // built before the clock starts: a build on a busy machine is no hang
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("sandbox %v still running after 30s (serving?)\n%s", args, errOut.String())
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A mistyped command line fails at once with the usage, exit 2, and never serves.
func TestCommandLineMistakesExit2WithoutServing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	addr := freeAddr(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"version-typo", "--addr", addr}, `unknown command "version-typo"`},
		{[]string{"replya", "scenarios/examples", "--target", "http://" + addr}, `unknown command "replya"`},
		{[]string{"serve", "--addr", addr, "extra"}, `unexpected argument "extra"`},
		{[]string{"--addr", addr, "stray"}, `unexpected argument "stray"`},
		{[]string{"--addr", addr, "--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"--addr", addr, "--log-level", "verbose"}, "want debug, info, warn or error"},
		{[]string{"--addr", addr, "--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"version", "now"}, `unexpected argument "now"`},
		{[]string{"dmt-crypt"}, "give a mode"},
		{[]string{"pin-block"}, "give --pan or --kit"},
		{[]string{"scenarios", "--api", "foo"}, `--api "foo": want one of dcms, dmt, profile`},
		{[]string{"healthcheck", "extra"}, `unexpected argument "extra"`},
	} {
		stdout, stderr, code := runBinary(t, nil, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "usage:") || stdout != "" {
			t.Errorf("sandbox %s: exit %d, stdout %q, stderr:\n%s\nwant exit 2, nothing on stdout, %q and the usage on stderr",
				strings.Join(c.args, " "), code, stdout, stderr, c.want)
		}
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			t.Fatalf("sandbox %s: something listens on %s", strings.Join(c.args, " "), addr)
		}
	}
	// A bad value from the environment or a file says where it came from; no usage needed.
	_, stderr, code := runBinary(t, []string{"SANDBOX_SEED=-1", "SANDBOX_ADDR=" + addr})
	if code != 2 || !strings.Contains(stderr, `SANDBOX_SEED="-1": invalid value for --seed: want a whole number, 0 or more`) {
		t.Errorf("bad SANDBOX_SEED: exit %d\n%s", code, stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		stdout, stderr, code := runBinary(t, nil, args...)
		if code != 0 || !strings.Contains(stdout, "github.com/partnersandbox/sandbox") || !strings.Contains(stdout, "\nrevision ") ||
			!strings.Contains(stdout, runtime.Version()) || stderr != "" {
			t.Errorf("sandbox %s: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
	for cmd, want := range map[string]string{"serve": "env SANDBOX_DMT_CLIENT (comma-separated)", "dmt-crypt": "header-secrets", "replay": "--junit", "healthcheck": "/readyz", "scenarios": "-operation"} {
		stdout, _, code := runBinary(t, nil, "help", cmd)
		other, _, _ := runBinary(t, nil, cmd, "-h")
		if code != 0 || !strings.Contains(stdout, want) || strings.Contains(stdout, "sandbox pin-block") && cmd != "pin-block" {
			t.Errorf("sandbox help %s: exit %d\n%s", cmd, code, stdout)
		}
		if other != stdout {
			t.Errorf("sandbox %s -h differs from sandbox help %s:\n%s\n---\n%s", cmd, cmd, other, stdout)
		}
	}
	if stdout, _, code := runBinary(t, nil, "help"); code != 0 || !strings.Contains(stdout, "sandbox healthcheck") {
		t.Errorf("sandbox help: exit %d\n%s", code, stdout)
	}
}

func TestInterruptStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	b := launch(t, nil)
	b.stopWith(os.Interrupt) // fails the test unless the exit status is 0
	if !strings.Contains(strings.Join(b.lines(), "\n"), `"msg":"stopped"`) {
		t.Errorf("no clean shutdown in the log:\n%s", strings.Join(b.lines(), "\n"))
	}
}

// The environment and a config file reach the binary too: the access log is on by file,
// the DMT OTP set by environment.
func TestBinaryReadsEnvironmentAndConfigFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	file := filepath.Join(t.TempDir(), "sandbox.yaml")
	if err := os.WriteFile(file, []byte("access-log: true\ndmt-otp: '111111'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := launch(t, []string{"SANDBOX_CONFIG=" + file, "SANDBOX_DMT_OTP=222222"})
	c := contracttest.NewClient(t, b.url)
	c.With("tenant", "ACME_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)
	dmt := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	dmt.Post("/common/dmt-lite/unified/otp/send", `{"customerMobileNumber":"8618743463","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`)
	if r := c.Get("/__sandbox/tenants/sandbox_client/dmt/otp/8618743463"); !strings.Contains(string(r.Body), "222222") {
		t.Errorf("SANDBOX_DMT_OTP did not win over the file: %s", r.Body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(strings.Join(b.lines(), "\n"), `"operationId":"viewCustomer"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no access log line for viewCustomer:\n%s", strings.Join(b.lines(), "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns their paths and a
// pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sandbox test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLSAndHealthcheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	certFile, keyFile, pool := selfSigned(t)
	b := launch(t, nil, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(b.url, "https://127.0.0.1:") {
		t.Fatalf("listening at %s, want https", b.url)
	}
	c := contracttest.NewClient(t, b.url)
	c.HTTP = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if r := c.Post("/v1/viewCustomer", `{"entityId":"675676"}`, "tenant", "ACME_BANK"); r.Status != 200 {
		t.Fatalf("viewCustomer over TLS: %d %s", r.Status, r.Body)
	}
	// Go's TLS server answers plain HTTP with a 400, never the API.
	if resp, err := http.Get("http://" + strings.TrimPrefix(b.url, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP was served beside TLS")
		}
	}

	// healthcheck finds the sandbox from the environment the container image sets.
	addr := strings.TrimPrefix(b.url, "https://")
	_, port, _ := net.SplitHostPort(addr)
	env := []string{"SANDBOX_ADDR=0.0.0.0:" + port, "SANDBOX_TLS_CERT=" + certFile}
	if stdout, stderr, code := runBinary(t, env, "healthcheck"); code != 0 || !strings.Contains(stdout, "ready") {
		t.Errorf("healthcheck of a ready sandbox: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := runBinary(t, nil, "healthcheck", "--url", b.url); code != 1 || !strings.Contains(stderr, "certificate") {
		t.Errorf("healthcheck --url of an untrusted certificate: exit %d\n%s", code, stderr)
	}
	b.stop()
	if _, stderr, code := runBinary(t, env, "healthcheck"); code != 1 || !strings.Contains(stderr, "connection refused") {
		t.Errorf("healthcheck of a stopped sandbox: exit %d\n%s", code, stderr)
	}
}

// brokenStore is a store whose Ping fails, as an unreachable remote store's would.
type brokenStore struct{ store.Backend }

func (brokenStore) Ping(context.Context) error { return errors.New("connection refused") }

func TestHealthcheckOfASandboxThatIsNotReady(t *testing.T) {
	sb, c := contracttest.Start(t)
	var out bytes.Buffer
	if err := healthcheck([]string{"--url", c.BaseURL}, &out); err != nil || !strings.Contains(out.String(), "/readyz: ready") {
		t.Fatalf("ready: %v %s", err, out.String())
	}
	sb.Store = brokenStore{sb.Store}
	err := healthcheck([]string{"--url", c.BaseURL}, &out)
	if err == nil || !strings.Contains(err.Error(), "answered 503: store: connection refused") || exit(err, &bytes.Buffer{}) != 1 {
		t.Fatalf("not ready: %v", err)
	}
}

func TestLocalURL(t *testing.T) {
	for _, c := range []struct{ addr, cert, want string }{
		{"", "", "http://127.0.0.1:8080"},
		{"0.0.0.0:8080", "", "http://127.0.0.1:8080"},
		{"[::]:9090", "/c.pem", "https://127.0.0.1:9090"},
		{"sandbox.internal:7000", "", "http://sandbox.internal:7000"},
		{":8081", "", "http://127.0.0.1:8081"},
	} {
		t.Setenv("SANDBOX_ADDR", c.addr)
		t.Setenv("SANDBOX_TLS_CERT", c.cert)
		if got := localURL(); got != c.want {
			t.Errorf("SANDBOX_ADDR=%q SANDBOX_TLS_CERT=%q: %s, want %s", c.addr, c.cert, got, c.want)
		}
	}
}
