// Package sandboxtest starts the whole partner sandbox in-process for Go tests, with typed
// clients (generated from the contracts) for the three partner APIs and the admin API.
// Every answer the clients receive is checked against the OpenAPI documents, and the
// sandbox stops when the test ends:
//
//	func TestMyIntegration(t *testing.T) {
//		sb := sandboxtest.New(t, sandboxtest.WithDMTOTP("654321"))
//		resp, err := sb.DCMS.ViewCustomerWithResponse(ctx, nil, dcms.ViewCustomerJSONRequestBody{EntityId: "675676"})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if resp.JSON200 == nil {
//			t.Fatalf("viewCustomer: %d %s", resp.StatusCode(), resp.Body)
//		}
//	}
//
// sb.DCMS sends the tenant ACME_BANK unless the call's params name another (sb.DCMSFor binds
// another tenant once), sb.DMT the sandbox client's credentials, sb.Profile a Bearer token of
// sandbox_tenant. Point your own client at sb.URL to test it against the sandbox.
package sandboxtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/generated/dmt"
	"github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/partner"
)

// The documented sandbox credentials.
const (
	DCMSTenant       = credentials.DCMSTenant
	DMTClientID      = credentials.DMTClientID
	DMTClientSecret  = credentials.DMTClientSecret
	ProfileAppID     = credentials.ProfileAppID
	ProfileAppSecret = credentials.ProfileAppSecret
	ProfileTenant    = credentials.ProfileTenant
)

// Sandbox is a running in-process sandbox.
type Sandbox struct {
	// URL is the base URL of every API (e.g. http://127.0.0.1:41234).
	URL string
	// HTTPClient checks every answer against the contracts; the typed clients use it.
	HTTPClient *http.Client

	// DCMS sends the tenant header DCMSTenant unless a call's params set one (DCMSFor binds
	// another tenant): pass nil params, or params with only the steering headers.
	DCMS *dcms.ClientWithResponses
	// DMT sends the sandbox client's credentials (client_id, client_secret) unless a call
	// sets its own client_id header.
	DMT *dmt.ClientWithResponses
	// Profile sends a Bearer token for ProfileTenant with every call (fetched once, on first
	// use); set your own Authorization header in a request editor to act as another tenant.
	Profile *profile.ClientWithResponses
	Admin   *sandbox.ClientWithResponses

	t         testing.TB
	tokenOnce sync.Once
	token     string
	tokenErr  error
}

// DCMSFor returns a DCMS client bound to tenant: every call sends it as the tenant header
// unless the call's params name one.
func (s *Sandbox) DCMSFor(tenant string) *dcms.ClientWithResponses {
	bind := func(_ context.Context, req *http.Request) error {
		if req.Header.Get("tenant") == "" {
			req.Header.Set("tenant", tenant)
		}
		return nil
	}
	return must(s.t, func() (*dcms.ClientWithResponses, error) {
		return dcms.NewClientWithResponses(s.URL, dcms.WithHTTPClient(s.HTTPClient), dcms.WithRequestEditorFn(bind))
	})
}

// New starts a sandbox for the test, with the defaults of `make run` changed by opts, and
// stops it when the test ends.
func New(t testing.TB, opts ...Option) *Sandbox {
	t.Helper()
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	_, c := contracttest.Start(t, func(cfg *app.Config) { *cfg = o.config() })
	sb := &Sandbox{URL: c.BaseURL, HTTPClient: &http.Client{Transport: contracttest.Transport(t, nil)}, t: t}
	sb.DCMS = sb.DCMSFor(DCMSTenant)
	sb.DMT = must(t, func() (*dmt.ClientWithResponses, error) {
		return dmt.NewClientWithResponses(sb.URL, dmt.WithHTTPClient(sb.HTTPClient), dmt.WithRequestEditorFn(dmtCredentials))
	})
	sb.Admin = must(t, func() (*sandbox.ClientWithResponses, error) {
		return sandbox.NewClientWithResponses(sb.URL, sandbox.WithHTTPClient(sb.HTTPClient))
	})
	sb.Profile = must(t, func() (*profile.ClientWithResponses, error) {
		return profile.NewClientWithResponses(sb.URL, profile.WithHTTPClient(sb.HTTPClient),
			profile.WithRequestEditorFn(sb.bearer))
	})
	return sb
}

func must[T any](t testing.TB, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	return v
}

// dmtCredentials adds the sandbox client's credentials (the contract's clientId and
// clientSecret security schemes) unless the request carries a client_id already.
func dmtCredentials(_ context.Context, req *http.Request) error {
	if req.Header.Get("client_id") == "" {
		req.Header.Set("client_id", DMTClientID)
		req.Header.Set("client_secret", DMTClientSecret)
	}
	return nil
}

// bearer adds the profile token unless the request already carries credentials (or is
// the token request itself).
func (s *Sandbox) bearer(ctx context.Context, req *http.Request) error {
	if req.Header.Get("Authorization") != "" || req.URL.Path == "/api/AppSessionManager/GetAppToken" {
		return nil
	}
	token, err := s.ProfileToken(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return nil
}

// ProfileToken returns a profile API token for ProfileTenant.
func (s *Sandbox) ProfileToken(ctx context.Context) (string, error) {
	s.tokenOnce.Do(func() {
		resp, err := s.Profile.GetAppTokenWithResponse(ctx, &profile.GetAppTokenParams{}, profile.GetAppTokenJSONRequestBody{
			AppId: ProfileAppID, AppSecret: ProfileAppSecret, TenantId: ProfileTenant,
		})
		switch {
		case err != nil:
			s.tokenErr = err
		case resp.JSON200 == nil:
			s.tokenErr = fmt.Errorf("GetAppToken answered %d: %s", resp.StatusCode(), resp.Body)
		default:
			s.token = resp.JSON200.Result.Token
		}
	})
	return s.token, s.tokenErr
}

// Reset drops a tenant's state in every API (all tenants for ""), as POST /__sandbox/reset.
func (s *Sandbox) Reset(t testing.TB, tenant string) {
	t.Helper()
	params := &sandbox.ResetParams{}
	if tenant != "" {
		params.Tenant = &tenant
	}
	resp, err := s.Admin.ResetWithResponse(context.Background(), params)
	if err != nil || resp.StatusCode() != http.StatusOK {
		t.Fatalf("sandboxtest: reset: %v %v", err, resp)
	}
}

// SetPinRequest is a Set PIN V2 request body that sets pin on a kit of tenant: the block is
// built with package partner from the kit's test PAN and the tenant's set-PIN key, both read
// from the admin API, and expiryDate is the kit's. The kit must be ACTIVE for the sandbox to
// accept it, as for the real one.
func (s *Sandbox) SetPinRequest(t testing.TB, tenant, kitNo, pin string) dcms.SetPinV2JSONRequestBody {
	t.Helper()
	kit, err := s.Admin.GetTestKitWithResponse(context.Background(), tenant, kitNo)
	if err != nil {
		t.Fatalf("sandboxtest: kit %s of %s: %v", kitNo, tenant, err)
	}
	if kit.JSON200 == nil {
		t.Fatalf("sandboxtest: kit %s of %s: %d %s", kitNo, tenant, kit.StatusCode(), kit.Body)
	}
	key := s.SetPinKey(t, tenant)
	block, err := partner.EncryptPinBlock(kit.JSON200.Pan, pin, key, nil, false)
	if err != nil {
		t.Fatalf("sandboxtest: PIN block for kit %s: %v", kitNo, err)
	}
	req := dcms.SetPinV2JSONRequestBody{Pin: block, KitNo: kitNo, EntityId: kit.JSON200.EntityId}
	if err := req.ExpiryDate.FromCardExpiryText(kit.JSON200.Expiry); err != nil {
		t.Fatal(err)
	}
	return req
}

// SetPinKey is tenant's Set PIN V2 AES key (GET /__sandbox/tenants/{tenant}/keys).
func (s *Sandbox) SetPinKey(t testing.TB, tenant string) []byte {
	t.Helper()
	return s.keys(t, tenant).setPin
}

// DMTKey is a DMT client's AES-256 key for the encrypted variant (package partner's
// EncryptDMT, DecryptDMT and DMTHeaderSecrets take it).
func (s *Sandbox) DMTKey(t testing.TB, clientID string) []byte {
	t.Helper()
	return s.keys(t, clientID).dmt
}

type keys struct{ setPin, dmt []byte }

func (s *Sandbox) keys(t testing.TB, tenant string) keys {
	t.Helper()
	resp, err := s.Admin.GetTenantKeysWithResponse(context.Background(), tenant)
	if err != nil {
		t.Fatalf("sandboxtest: keys of %s: %v", tenant, err)
	}
	if resp.JSON200 == nil {
		t.Fatalf("sandboxtest: keys of %s: %d %s", tenant, resp.StatusCode(), resp.Body)
	}
	setPin, err1 := base64.StdEncoding.DecodeString(resp.JSON200.SetPinKey)
	dmtKey, err2 := base64.StdEncoding.DecodeString(resp.JSON200.DmtKey)
	if err1 != nil || err2 != nil {
		t.Fatalf("sandboxtest: keys of %s are not Base64: %s", tenant, resp.Body)
	}
	return keys{setPin, dmtKey}
}
