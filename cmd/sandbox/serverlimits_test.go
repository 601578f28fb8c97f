package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
)

// Slow and idle connections are closed by serve's timeouts (issue 12: 900 slow connections
// were still held after 60 s). A few connections of each kind, with small timeouts.
func TestServerTimeoutsCloseSlowConnections(t *testing.T) {
	sb, err := app.New(app.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	limits := serverLimits{readHeader: 300 * time.Millisecond, read: 600 * time.Millisecond, write: 5 * time.Second,
		idle: 400 * time.Millisecond, maxHeaderBytes: 4 << 10}
	srv := limits.server(sb.Handler, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	const header = "POST /v1/viewCustomer HTTP/1.1\r\nHost: sandbox\r\ntenant: ACME_BANK\r\nContent-Type: application/json\r\n"
	kinds := map[string]struct {
		limit time.Duration
		start func(c net.Conn) // what the client sends before it stalls
	}{
		"a header a byte at a time": {limits.readHeader, func(c net.Conn) {
			for _, b := range []byte(header) {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}},
		"a body a byte at a time": {limits.read, func(c net.Conn) {
			if _, err := io.WriteString(c, header+"Content-Length: 1000\r\n\r\n"); err != nil {
				return
			}
			for range 1000 {
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}},
		"idle after an answer": {limits.idle, func(c net.Conn) {
			body := `{"entityId":"675676"}`
			_, _ = fmt.Fprintf(c, "%sContent-Length: %d\r\n\r\n%s", header, len(body), body)
		}},
	}
	var wg sync.WaitGroup
	for name, k := range kinds {
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				start := time.Now()
				go k.start(c)
				// Read whatever comes (an answer, for the idle one) until the server closes.
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, err = io.Copy(io.Discard, c)
				took := time.Since(start)
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Errorf("%s #%d: still open after %v (timeout %v)", name, i, took, k.limit)
					return
				}
				t.Logf("%s #%d: closed after %v (timeout %v)", name, i, took.Round(time.Millisecond), k.limit)
				if took < k.limit/2 {
					t.Errorf("%s #%d: closed after %v, before its timeout %v", name, i, took, k.limit)
				}
			}()
		}
	}
	wg.Wait()
}

// A header over --max-header-bytes is refused (431), not read on.
func TestServerMaxHeaderBytes(t *testing.T) {
	limits := defaultServerLimits
	limits.maxHeaderBytes = 1 << 10
	srv := limits.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// net/http allows 4 KiB over the limit for the request line and slack.
	_, _ = fmt.Fprintf(c, "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 16<<10))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 16 KiB header with --max-header-bytes 1024: %d", res.StatusCode)
	}
}

// The write timeout leaves room for reading the body, the longest delay and the timeout fault.
func TestDefaultWriteTimeoutLeavesRoom(t *testing.T) {
	d := defaultServerLimits
	if d.write <= d.read+2*time.Minute {
		t.Fatalf("--write-timeout %v must exceed --read-timeout %v + 2m", d.write, d.read)
	}
}
