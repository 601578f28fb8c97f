package sandboxtest

import (
	"encoding/base64"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/dmt"
)

// Options are the settings of the sandbox New starts: the `sandbox serve` flags that matter
// in tests, each named after its flag. New starts from the defaults of `make run`; an Option
// changes them, and you can write your own:
//
//	func withOTP(otp string) sandboxtest.Option {
//		return func(o *sandboxtest.Options) { o.DMTOTP = otp }
//	}
type Options struct {
	Seed        uint64 // --seed: the generated fixtures (the same seed gives the same data)
	Customers   int    // --customers: generated customers per tenant and API
	JournalSize int    // --journal-size: how many recent calls the journal keeps

	ScenariosDir string // --scenarios: scenario files whose fixtures and rules are part of the start state
	SnapshotFile string // --snapshot: start from this snapshot (GET /__sandbox/snapshot output)

	DCMSRequireAuth        bool              // --dcms-require-auth: a Bearer token on every DCMS call
	DCMSRequireAuthTenants []string          // --dcms-require-auth-tenant: … for these tenants only
	DCMSSetPinKey          []byte            // --dcms-set-pin-key: every tenant's Set PIN V2 key (nil: the sandbox's)
	DCMSTenantSetPinKeys   map[string][]byte // --dcms-tenant-set-pin-key: per-tenant Set PIN V2 keys

	DMTOTP     string      // --dmt-otp: what every otp/send stores ("" the staging 123456, "random", or a value)
	DMTClients []DMTClient // --dmt-client: DMT clients besides sandbox_client

	ProfileReviewAfter    time.Duration // --profile-review-after: automatic review (0: 10m; negative: never)
	ProfileWebhookTimeout time.Duration // --profile-webhook-timeout: one webhook delivery attempt (0: 10s)
}

// DMTClient is an extra DMT client (--dmt-client id:secret[:pass_key[:key]]); its id is its
// partition. Empty PassKey and nil Key are the sandbox's.
type DMTClient struct {
	ID, Secret, PassKey string
	Key                 []byte // AES-256, 32 bytes
}

// Option changes the Options of a sandbox before it starts.
type Option func(*Options)

// WithSeed sets the seed of the generated fixtures (--seed).
func WithSeed(seed uint64) Option { return func(o *Options) { o.Seed = seed } }

// WithCustomers sets how many customers are generated per tenant (--customers).
func WithCustomers(n int) Option { return func(o *Options) { o.Customers = n } }

// WithJournalSize sets the journal's capacity (--journal-size).
func WithJournalSize(n int) Option { return func(o *Options) { o.JournalSize = n } }

// WithScenarios loads the fixtures and rules of the scenario files in dir (--scenarios).
func WithScenarios(dir string) Option { return func(o *Options) { o.ScenariosDir = dir } }

// WithSnapshot starts the sandbox from a snapshot file (--snapshot).
func WithSnapshot(file string) Option { return func(o *Options) { o.SnapshotFile = file } }

// WithDCMSRequireAuth requires a Bearer token on DCMS calls: of every tenant, or only of the
// tenants named (--dcms-require-auth, --dcms-require-auth-tenant).
func WithDCMSRequireAuth(tenants ...string) Option {
	return func(o *Options) {
		if len(tenants) == 0 {
			o.DCMSRequireAuth = true
		}
		o.DCMSRequireAuthTenants = append(o.DCMSRequireAuthTenants, tenants...)
	}
}

// WithDMTOTP sets what every DMT otp/send stores: a fixed OTP, or "random" (--dmt-otp).
func WithDMTOTP(otp string) Option { return func(o *Options) { o.DMTOTP = otp } }

// WithDMTClient adds a DMT client (--dmt-client).
func WithDMTClient(c DMTClient) Option {
	return func(o *Options) { o.DMTClients = append(o.DMTClients, c) }
}

// defaultOptions are the Options of `make run`.
func defaultOptions() Options {
	cfg := app.DefaultConfig()
	return Options{Seed: cfg.Fixtures.Seed, Customers: cfg.Fixtures.Customers, JournalSize: cfg.JournalSize}
}

// config is the sandbox's configuration for o.
func (o Options) config() app.Config {
	cfg := app.DefaultConfig()
	cfg.Fixtures.Seed, cfg.Fixtures.Customers, cfg.JournalSize = o.Seed, o.Customers, o.JournalSize
	cfg.ScenariosDir, cfg.SnapshotFile = o.ScenariosDir, o.SnapshotFile
	cfg.DCMS.RequireAuth = o.DCMSRequireAuth
	cfg.DCMS.AuthTenants = o.DCMSRequireAuthTenants
	if o.DCMSSetPinKey != nil {
		cfg.DCMS.SetPinKey = base64.StdEncoding.EncodeToString(o.DCMSSetPinKey)
	}
	for tenant, key := range o.DCMSTenantSetPinKeys {
		if cfg.DCMS.TenantSetPinKeys == nil {
			cfg.DCMS.TenantSetPinKeys = map[string]string{}
		}
		cfg.DCMS.TenantSetPinKeys[tenant] = base64.StdEncoding.EncodeToString(key)
	}
	cfg.DMT.OTP = o.DMTOTP
	for _, c := range o.DMTClients {
		passKey := c.PassKey
		if passKey == "" {
			passKey = credentials.DMTPassKey
		}
		cfg.DMT.Clients = append(cfg.DMT.Clients, dmt.Client{ID: c.ID, Secret: c.Secret, PassKey: passKey, Key: c.Key})
	}
	cfg.Profile.ReviewAfter, cfg.Profile.WebhookTimeout = o.ProfileReviewAfter, o.ProfileWebhookTimeout
	return cfg
}
