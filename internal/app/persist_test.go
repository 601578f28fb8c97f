package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
