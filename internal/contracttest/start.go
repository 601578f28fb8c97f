package contracttest

import (
	"fmt"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/store/redisstore/redistest"
)

// StoreEnv names the state store the API suites run over: unset or "memory" is the
// in-memory store; "encoded" is the in-memory store behind store.Encoded, which sends every
// value through its JSON encoding and runs every Update twice, as a network backend would;
// "redis" keeps all state in a real redis-server that the test process starts (one for
// the whole process, each sandbox under a key prefix of its own).
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
	case "redis":
		cfg.Store, cfg.RedisPrefix = SharedRedis(t), fmt.Sprintf("test%d:", prefixes.Add(1))
	default:
		t.Fatalf("%s=%q: want memory, encoded or redis", StoreEnv, os.Getenv(StoreEnv))
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

var (
	redisOnce sync.Once
	redisURL  string
	redisErr  error
	prefixes  atomic.Int64
)

// SharedRedis returns the URL of the test process's redis-server, started on first use
// (in a temporary directory, never a system service; it ends with the process). Without
// redis-server the test is skipped, or fails under SANDBOX_TEST_REDIS=required.
func SharedRedis(t testing.TB) string {
	t.Helper()
	redistest.Require(t)
	redisOnce.Do(func() {
		var srv *redistest.Server
		if srv, redisErr = redistest.StartForProcess(); redisErr == nil {
			redisURL = srv.URL(0)
		}
	})
	if redisErr != nil {
		t.Fatal(redisErr)
	}
	return redisURL
}
