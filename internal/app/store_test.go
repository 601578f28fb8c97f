package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
)

// flaky is a backend that fails every transaction while down, as a network store does
// when it cannot be reached.
type flaky struct {
	store.Backend
	down atomic.Bool
}

func (f *flaky) err() error {
	if f.down.Load() {
		return fmt.Errorf("%w: connection refused", store.ErrUnavailable)
	}
	return nil
}

func (f *flaky) View(ctx context.Context, p store.Partition, fn func(store.Reader) error) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Backend.View(ctx, p, fn)
}

func (f *flaky) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Backend.Update(ctx, p, fn)
}

// While the store is unreachable every partner API answers its documented 503 (checked
// against the contracts), writes nothing, and serves again once the store is back.
func TestStoreUnavailableIsEachAPIs503(t *testing.T) {
	f := &flaky{}
	_, c := contracttest.Start(t, func(cfg *app.Config) {
		cfg.Backend = func(base store.Base, _ snapshot.Kinds) (store.Backend, error) {
			f.Backend = store.NewMemory(base)
			return f, nil
		}
	})
	dcms := c.With("tenant", "ACME_BANK")
	dmt := c.With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
	tok := c.Post("/api/AppSessionManager/GetAppToken", map[string]string{"appId": "sandbox_app", "appSecret": "sandbox_secret", "tenantId": "sandbox_tenant"}).JSON(t)
	profile := c.With("Authorization", "Bearer "+tok["result"].(map[string]any)["token"].(string))
	lock := `{"entityId":"676165","oldKit":"4561789","operation":"LOCK"}`
	dmtSend := `{"customerMobileNumber":"8618743463","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`

	f.down.Store(true)
	for name, r := range map[string]*contracttest.Response{
		"dcms manageKit":    dcms.Post("/v1/kit-manager/manageKit", lock),
		"dcms viewCustomer": dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`),
		"dmt otp/send":      dmt.Post("/common/dmt-lite/unified/otp/send", dmtSend),
		"profile details":   profile.Get("/ExtCustomerManagement/GetCustomerDetails/" + individual),
	} {
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s with the store down: %d %s", name, r.Status, r.Body)
		}
	}
	if r := dcms.Post("/v1/viewCustomer", `{"entityId":"675676"}`); !strings.Contains(string(r.Body), "service.unavailable") {
		t.Errorf("DCMS 503 is not its service.unavailable envelope: %s", r.Body)
	}

	f.down.Store(false)
	if r := dcms.Post("/v1/kit-manager/manageKit", lock); r.Status != http.StatusOK {
		t.Fatalf("the lock refused while the store was down was applied anyway, or the store did not come back: %d %s", r.Status, r.Body)
	}
	if r := dmt.Post("/common/dmt-lite/unified/otp/send", dmtSend); r.JSON(t)["statusCode"] != "0" {
		t.Fatalf("otp/send after the store came back: %s", r.Body)
	}
}
