// Package sandboxtest starts the whole partner sandbox in-process for Go tests, with typed
// clients (generated from the contracts) for the three partner APIs and the admin API.
// Every answer the clients receive is checked against the OpenAPI documents, and the
// sandbox stops when the test ends:
//
//	func TestMyIntegration(t *testing.T) {
//		sb := sandboxtest.New(t)
//		resp, err := sb.DCMS.ViewCustomerWithResponse(ctx, &dcms.ViewCustomerParams{Tenant: "ACME_BANK"},
//			dcms.ViewCustomerJSONRequestBody{EntityId: "675676"})
//		...
//	}
//
// Point your own client at sb.URL to test it against the sandbox.
package sandboxtest

import (
	"context"
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
)

// The documented sandbox credentials.
const (
	DCMSTenant       = "ACME_BANK"
	DMTClientID      = "sandbox_client"
	DMTClientSecret  = "sandbox_secret"
	ProfileAppID     = "sandbox_app"
	ProfileAppSecret = "sandbox_secret"
	ProfileTenant    = "sandbox_tenant"
)

// Option changes how the sandbox starts.
type Option func(*app.Config)

// WithSeed sets the seed of the generated fixtures (--seed).
func WithSeed(seed uint64) Option { return func(c *app.Config) { c.Fixtures.Seed = seed } }

// WithCustomers sets how many customers are generated per tenant (--customers).
func WithCustomers(n int) Option { return func(c *app.Config) { c.Fixtures.Customers = n } }

// WithJournalSize sets the journal's capacity (--journal-size).
func WithJournalSize(n int) Option { return func(c *app.Config) { c.JournalSize = n } }

// Sandbox is a running in-process sandbox.
type Sandbox struct {
	// URL is the base URL of every API (e.g. http://127.0.0.1:41234).
	URL string
	// HTTPClient checks every answer against the contracts; the typed clients use it.
	HTTPClient *http.Client

	DCMS *dcms.ClientWithResponses
	DMT  *dmt.ClientWithResponses
	// Profile sends a Bearer token for ProfileTenant with every call (fetched once, on first
	// use); set your own Authorization header in a request editor to act as another tenant.
	Profile *profile.ClientWithResponses
	Admin   *sandbox.ClientWithResponses

	tokenOnce sync.Once
	token     string
	tokenErr  error
}

// New starts a sandbox for the test and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Sandbox {
	t.Helper()
	configure := make([]func(*app.Config), len(opts))
	for i, o := range opts {
		configure[i] = o
	}
	_, c := contracttest.Start(t, configure...)
	sb := &Sandbox{URL: c.BaseURL, HTTPClient: &http.Client{Transport: contracttest.Transport(t, nil)}}
	sb.DCMS = must(t, func() (*dcms.ClientWithResponses, error) {
		return dcms.NewClientWithResponses(sb.URL, dcms.WithHTTPClient(sb.HTTPClient))
	})
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
