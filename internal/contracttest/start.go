package contracttest

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
)

// StoreEnv names the state store the API suites run over: unset or "memory" is the
// in-memory store; "encoded" is the in-memory store behind store.Encoded, which sends every
// value through its JSON encoding and runs every Update twice, as a network backend would.
const StoreEnv = "SANDBOX_TEST_STORE"

// Start builds a sandbox from the default configuration changed by configure, serves it on
// loopback for the test (stopped at cleanup) and returns it with a checking client.
func Start(t testing.TB, configure ...func(*app.Config)) (*app.App, *Client) {
	t.Helper()
	cfg := app.DefaultConfig()
	switch os.Getenv(StoreEnv) {
	case "", "memory":
	case "encoded":
		cfg.Backend = func(base store.Base, kinds snapshot.Kinds) (store.Backend, error) {
			return &store.Encoded{Inner: store.NewMemory(base), Kinds: kinds}, nil
		}
	default:
		t.Fatalf("%s=%q: want memory or encoded", StoreEnv, os.Getenv(StoreEnv))
	}
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
