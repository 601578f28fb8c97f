package contracttest

import (
	"net/http/httptest"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
)

// Start builds a sandbox from the default configuration changed by configure, serves it on
// loopback for the test (stopped at cleanup) and returns it with a checking client.
func Start(t testing.TB, configure ...func(*app.Config)) (*app.App, *Client) {
	t.Helper()
	cfg := app.DefaultConfig()
	for _, f := range configure {
		f(&cfg)
	}
	sb, err := app.New(cfg)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	srv := httptest.NewServer(sb.Handler)
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	return sb, NewClient(t, srv.URL)
}
