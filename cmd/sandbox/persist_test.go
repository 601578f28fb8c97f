package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// setEmail changes ACME_BANK's customer 675676 through the DCMS API (header: extra
// steering headers).
func setEmail(c *contracttest.Client, email string, header ...string) *contracttest.Response {
	return c.Post("/v1/update-manager/poi", poiBody(email), append([]string{"tenant", "ACME_BANK"}, header...)...)
}

func poiBody(email string) string {
	return `{"entityId":"675676","communicationInfo":[{"contactNo":"9000000001","emailId":"` + email + `","notification":true}]}`
}

// startChanged starts the binary with --persist (and args), and changes the e-mail of
// ACME_BANK's customer to email.
func startChanged(t *testing.T, email string, args ...string) (b *running, file string) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "state.json")
	b = launch(t, nil, append([]string{"--persist", file}, args...)...)
	if r := setEmail(contracttest.NewClient(t, b.url), email); r.Status != 200 {
		t.Fatalf("updatePoi: %d %s", r.Status, r.Body)
	}
	return b, file
}

// restartKeeps starts the binary again from file and fails the test (saying what was
// lost) unless the customer's e-mail is email.
func restartKeeps(t *testing.T, file, email, lost string) {
	t.Helper()
	again := launch(t, nil, "--persist", file)
	r := contracttest.NewClient(t, again.url).Post("/v1/viewCustomer", `{"entityId":"675676"}`, "tenant", "ACME_BANK")
	if r.Status != 200 || !strings.Contains(string(r.Body), email) {
		t.Fatalf("%s: %d %s", lost, r.Status, r.Body)
	}
}

// stopTimed sends sig and says how long the sandbox took to exit (cleanly: stopWith fails
// the test otherwise).
func stopTimed(b *running, sig os.Signal) time.Duration {
	start := time.Now()
	b.stopWith(sig)
	return time.Since(start)
}

// SIGTERM used to wait 10 s for a 15 s X-Sandbox-Delay (or a timeout fault), give up,
// exit 1 and write no file. Now the waits end at once: the delayed call goes on to its
// answer, the fault drops its connection, the state (the delayed change included) is
// persisted, and the exit is prompt and clean.
func TestSIGTERMEndsDelaysAndPersists(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	b, file := startChanged(t, "before@example.com", "--persist-every", "0")
	checked := &http.Client{Transport: contracttest.Transport(t, nil)}
	delayed := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", b.url+"/v1/update-manager/poi", strings.NewReader(poiBody("delayed@example.com")))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("tenant", "ACME_BANK")
		req.Header.Set("X-Sandbox-Delay", "15s")
		resp, err := checked.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		delayed <- err
	}()
	fault := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", b.url+"/v1/viewCustomer", strings.NewReader(`{"entityId":"675676"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("tenant", "ACME_BANK")
		req.Header.Set("X-Sandbox-Fault", "timeout")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		fault <- err
	}()
	time.Sleep(time.Second) // both calls are waiting by now

	if took := stopTimed(b, syscall.SIGTERM); took > 5*time.Second {
		t.Errorf("SIGTERM with a 15s delay and a timeout fault in flight: exit after %v, want at once", took)
	}
	if err := <-delayed; err != nil {
		t.Errorf("the delayed call did not get its answer at shutdown: %v", err)
	}
	if err := <-fault; err == nil {
		t.Errorf("the timeout fault answered instead of dropping its connection")
	}
	if strings.Contains(strings.Join(b.lines(), "\n"), "still in flight") {
		t.Errorf("draining waited for the steering waits:\n%s", strings.Join(b.lines(), "\n"))
	}
	restartKeeps(t, file, "delayed@example.com", "the change of the call delayed at shutdown was not persisted")
}

// A client sending its body a byte a second held the drain past its 10 s and the state was
// lost. Now such a read is cut a second into the shutdown: the call gets the API's
// documented error, and the state is persisted.
func TestSIGTERMDuringSlowBodyPersists(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	b, file := startChanged(t, "kept@example.com")
	u, _ := url.Parse(b.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := poiBody("slow@example.com")
	fmt.Fprintf(conn, "POST /v1/update-manager/poi HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\ntenant: ACME_BANK\r\nContent-Length: %d\r\n\r\n", u.Host, len(body))
	go func() { // a byte a second, until the connection is gone
		for i := 0; i < len(body); i++ {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	}()
	time.Sleep(1500 * time.Millisecond)

	if took := stopTimed(b, syscall.SIGTERM); took > 5*time.Second {
		t.Errorf("SIGTERM with a body arriving a byte a second: exit after %v, want within a few seconds", took)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the slow call got no answer: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	req, _ := http.NewRequest("POST", b.url+"/v1/update-manager/poi", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	contracttest.Check(t, req, resp.StatusCode, resp.Header, answer)
	if resp.StatusCode != 400 {
		t.Errorf("the slow call: %d %s, want the documented 400", resp.StatusCode, answer)
	}
	restartKeeps(t, file, "kept@example.com", "the state was not persisted")
}

// kill -9 lost every change since start; with --persist-every the last tick's state
// survives.
func TestKill9KeepsTheLastPersistTick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	b, file := startChanged(t, "ticked@example.com", "--persist-every", "200ms")
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(file)
		if bytes.Contains(data, []byte("ticked@example.com")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no --persist-every write within 10s: %q", data)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	b.stopWith = func(os.Signal) {} // killed: nothing to stop at cleanup
	b.stop = func() {}

	restartKeeps(t, file, "ticked@example.com", "the state of the last --persist-every tick was lost to kill -9")
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp")); len(leftovers) > 0 {
		t.Errorf("temp files left beside the persist file: %v", leftovers)
	}
}

// A truncated or corrupt persist file stops start-up with a message naming the file and
// what is wrong, and is left exactly as it was.
func TestBrokenPersistFileStopsStartUp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	b, file := startChanged(t, "whole@example.com") // a real persist file, to cut short
	b.stop()
	whole, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"truncated", string(whole[:len(whole)/2]), "truncated"},
		{"empty", "", "empty"},
		{"corrupt", "\x00\x01garbage" + string(whole), "corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := runBinary(t, nil, "--addr", "127.0.0.1:0", "--persist", file, "--persist-every", "10ms")
			if code != 1 || !strings.Contains(stderr, file) || !strings.Contains(stderr, tc.want) {
				t.Errorf("start with a %s persist file: exit %d, want 1 and a message naming %s and %q:\n%s", tc.name, code, file, tc.want, stderr)
			}
			if strings.Contains(stderr, "sandbox listening") {
				t.Errorf("the sandbox served over a %s persist file", tc.name)
			}
			if after, _ := os.ReadFile(file); string(after) != tc.content {
				t.Errorf("the %s persist file was changed by the failed start", tc.name)
			}
		})
	}
}
