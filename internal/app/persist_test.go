package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
)

// --persist writes only what tenants changed: thousands of tenants that only read add
// nothing to the file, and a restart restores the one that changed exactly.
func TestPersistWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	sb, c := contracttest.Start(t, func(cfg *app.Config) { cfg.PersistFile = file })
	for i := 0; i < 2000; i++ {
		if r := c.With("tenant", "READER_"+strconv.Itoa(i)).Post("/v1/viewCustomer", `{"entityId":"675676"}`); r.Status != 200 {
			t.Fatalf("viewCustomer: %d %s", r.Status, r.Body)
		}
	}
	acme := c.With("tenant", "ACME_BANK")
	if r := acme.Post("/v1/kit-manager/manageKit", `{"entityId":"676165","oldKit":"4561789","operation":"LOCK"}`); r.Status != 200 {
		t.Fatalf("lock: %d %s", r.Status, r.Body)
	}
	if err := sb.Persist(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 4096 || strings.Contains(string(data), "READER_") || !strings.Contains(string(data), `"ACME_BANK"`) {
		t.Fatalf("the persist file holds more than ACME_BANK's change (%d bytes):\n%.600s", len(data), data)
	}

	_, again := contracttest.Start(t, func(cfg *app.Config) { cfg.PersistFile = file })
	if r := again.With("tenant", "ACME_BANK").Post("/v1/kit-manager/manageKit", `{"entityId":"676165","oldKit":"4561789","operation":"LOCK"}`); !strings.Contains(string(r.Body), "card.already.locked") {
		t.Fatalf("the lock did not survive the restart: %d %s", r.Status, r.Body)
	}
	if r := again.With("tenant", "OTHER").Post("/v1/kit-manager/manageKit", `{"entityId":"676165","oldKit":"4561789","operation":"LOCK"}`); r.Status != 200 {
		t.Fatalf("another tenant sees ACME_BANK's restored lock: %d %s", r.Status, r.Body)
	}
}

// --persist-every writes the file while the state changes, and leaves it as it is while
// nothing changes (each write stamps takenAt, so an unchanged file was not written again).
func TestPersistEveryWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	_, c := contracttest.Start(t, func(cfg *app.Config) { cfg.PersistFile, cfg.PersistEvery = file, 20*time.Millisecond })
	lock := func(op string) {
		t.Helper()
		if r := c.With("tenant", "ACME_BANK").Post("/v1/kit-manager/manageKit", `{"entityId":"676165","oldKit":"4561789","operation":"`+op+`"}`); r.Status != 200 {
			t.Fatalf("%s: %d %s", op, r.Status, r.Body)
		}
	}
	waitFor := func(want string, not []byte) []byte {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if data, _ := os.ReadFile(file); strings.Contains(string(data), want) && string(data) != string(not) {
				return data
			}
		}
		t.Fatalf("the persist file never showed %q", want)
		return nil
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("an unchanged fresh state was written: %v", err)
	}
	lock("LOCK")
	first := waitFor(`"LOCKED"`, nil)
	time.Sleep(200 * time.Millisecond) // ten ticks without a change
	if again, _ := os.ReadFile(file); string(again) != string(first) {
		t.Fatal("--persist-every wrote the file again though nothing had changed")
	}
	lock("UNLOCK")
	if after := waitFor(`"ACME_BANK"`, first); strings.Contains(string(after), `"LOCKED"`) {
		t.Fatalf("the unlock was not written: %s", after)
	}
}

// A sandbox joining a shared store that already holds the state does not load its --persist
// file, but it would write over it: a corrupt one stops it as it stops a first start.
func TestCorruptPersistFileStopsAReplicaJoiningSharedState(t *testing.T) {
	url := contracttest.SharedRedis(t)
	prefix := fmt.Sprintf("persist%d:", time.Now().UnixNano())
	shared := func(cfg *app.Config) { cfg.Backend, cfg.Store, cfg.RedisPrefix = nil, url, prefix }
	contracttest.Start(t, shared) // the shared state exists from now on
	file := filepath.Join(t.TempDir(), "state.json")
	corrupt := []byte(`{"version":2,"snapshots":[{"tenant":"A","apis":`)
	if err := os.WriteFile(file, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	shared(&cfg)
	cfg.PersistFile = file
	sb, err := app.New(cfg)
	if err == nil {
		sb.Close()
		t.Fatal("a replica started over a corrupt --persist file")
	}
	if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("the error does not name the file and what is wrong: %v", err)
	}
	if data, _ := os.ReadFile(file); string(data) != string(corrupt) {
		t.Errorf("the file changed: %q", data)
	}
}
