// Package app wires the sandbox together: store, clock, journal, scenario engine, the
// three partner APIs and the admin API, behind one http.Handler.
package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"
	"go.yaml.in/yaml/v3"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/browser"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/console"
	"github.com/partnersandbox/sandbox/internal/coverage"
	"github.com/partnersandbox/sandbox/internal/dcms"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/internal/docs"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/profile"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/store/redisstore"
	"github.com/partnersandbox/sandbox/internal/tenants"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// Config is what the command line can change.
type Config struct {
	Fixtures    fixtures.Options
	JournalSize int
	Log         *slog.Logger
	DCMS        dcms.Config
	DMT         dmt.Config
	Profile     profile.Config
	// SnapshotFile is a snapshot (GET /__sandbox/snapshot, or a --persist file) to start from.
	SnapshotFile string
	// PersistFile is loaded at start if it exists and written by Persist on shutdown.
	PersistFile string
	// PersistEvery writes PersistFile this often too, when the state changed (0: only on
	// shutdown).
	PersistEvery time.Duration
	// JournalBytes bounds the journal's bodies in total, besides JournalSize's entries:
	// the oldest entries leave first.
	JournalBytes int
	// ScenariosDir holds scenario files whose fixtures and rules are part of the start state.
	ScenariosDir string
	// Store is where all state lives: "" keeps it in this process; redis://HOST:PORT/DB
	// keeps it in Redis, shared by every replica started with the same URL and prefix.
	Store string
	// RedisPrefix starts every Redis key (replicas with the same prefix are one sandbox).
	RedisPrefix string
	// RedisTimeout bounds each call to Redis: with Redis unreachable, partner calls answer
	// their 503 within it.
	RedisTimeout time.Duration
	// Backend makes the state store over the shared fixture base, instead of Store (rules,
	// clocks and the journal then stay in this process). Tests use it to run the sandbox
	// over store.Encoded (values as a network backend sees them) or a failing store.
	Backend func(base store.Base, kinds snapshot.Kinds) (store.Backend, error)
	// AccessLog writes one line per partner call to Log.
	AccessLog bool
	// TokenKey (or the contents of TokenKeyFile) signs the DCMS and profile tokens. Without
	// either, each process makes a random key, and replicas sharing a --store share one
	// through it: no signing key is ever written in the binary.
	TokenKey, TokenKeyFile string
	// Hosted is a shared deployment (--hosted): tokens stand for the callers, no Host or
	// CSRF checks, and webhooks may not aim at internal addresses
	// (profile.Config.WebhookAllowPrivate). Every admin call but the docs then needs a
	// Bearer token: the operator's (AdminToken, or the contents of AdminTokenFile;
	// required) or a declared tenant's.
	Hosted                     bool
	AdminToken, AdminTokenFile string
	// Browser is browser safety: --cors-origin and --allowed-host.
	Browser browser.Config
	// MaxTenants bounds the tenants one process serves: a new one past it gets its API's
	// 503 (0: no bound).
	MaxTenants int
	// TenantIdleTTL drops the state of an undeclared tenant no call touched for so long
	// (0: never).
	TenantIdleTTL time.Duration
	// Tenants are declared at start (the tenants section of the --config file).
	Tenants []tenants.Credentials
	// AdminBodyLimit bounds the body of an admin request (a snapshot upload is the largest).
	AdminBodyLimit int64
}

// Sections are the --config file's keys that are not flags: tenants, the declared tenants.
func (c *Config) Sections() map[string]func(*yaml.Node) error {
	return map[string]func(*yaml.Node) error{"tenants": func(n *yaml.Node) error {
		ts, err := tenants.FromYAML(n)
		c.Tenants = append(c.Tenants, ts...)
		return err
	}}
}

// The defaults of --max-tenants and --tenant-idle-ttl.
const (
	DefaultMaxTenants    = 10000
	DefaultTenantIdleTTL = 24 * time.Hour
)

// DefaultConfig is the configuration of `make run`.
func DefaultConfig() Config {
	return Config{Fixtures: fixtures.Default, JournalSize: 1000, JournalBytes: journal.DefaultMaxBytes, PersistEvery: 30 * time.Second, RedisPrefix: redisstore.DefaultPrefix, RedisTimeout: redisstore.DefaultTimeout,
		MaxTenants: DefaultMaxTenants, TenantIdleTTL: DefaultTenantIdleTTL,
		AdminBodyLimit: admin.DefaultBodyLimit}
}

// Flags registers every command-line flag of the configuration on fs.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.Uint64Var(&c.Fixtures.Seed, "seed", c.Fixtures.Seed, "seed of the generated fixtures: the same seed gives the same data")
	fs.IntVar(&c.Fixtures.Customers, "customers", c.Fixtures.Customers, "generated customers per tenant, besides the documented ones")
	fs.IntVar(&c.JournalSize, "journal-size", c.JournalSize, "how many recent calls the journal keeps")
	fs.StringVar(&c.SnapshotFile, "snapshot", c.SnapshotFile, "start from this snapshot file (GET /__sandbox/snapshot output, or a --persist file)")
	fs.StringVar(&c.ScenariosDir, "scenarios", c.ScenariosDir, "load the fixtures and rules of the scenario files (*.yaml) in this folder at start-up; a reset restores them")
	fs.StringVar(&c.PersistFile, "persist", c.PersistFile, "load state from this file at start (if it exists) and write it there on graceful shutdown")
	fs.DurationVar(&c.PersistEvery, "persist-every", c.PersistEvery, "with --persist, also write the state this often when it changed, so a crash (kill -9) loses at most this much (0: only on shutdown)")
	fs.IntVar(&c.JournalBytes, "journal-bytes", c.JournalBytes, "most bytes of (masked) request and response bodies the journal keeps in total; the oldest calls leave first")
	fs.BoolVar(&c.AccessLog, "access-log", c.AccessLog, "log one line per partner API call (time, api, operationId, tenant, method, path, status, outcome, duration), whatever --log-level")
	fs.StringVar(&c.Store, "store", c.Store, "keep all state in Redis, shared by every replica with the same URL and prefix: redis://HOST:PORT/DB (default: in this process)")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", c.RedisPrefix, "prefix of every Redis key: replicas with the same --store and prefix are one sandbox")
	fs.StringVar(&c.TokenKey, "token-key", c.TokenKey, "the key that signs DCMS and profile tokens (prefer its environment variable; default: random per process, shared through --store)")
	fs.StringVar(&c.TokenKeyFile, "token-key-file", c.TokenKeyFile, "a file holding the key that signs DCMS and profile tokens (instead of --token-key)")
	fs.BoolVar(&c.Hosted, "hosted", c.Hosted, "hosted mode, for a deployment shared by partners: declared tenants only (POST /__sandbox/tenants, or the tenants section of --config), each with its own credentials; every admin API call but the docs needs a Bearer token (the operator's, or a tenant's for that tenant)")
	fs.StringVar(&c.AdminToken, "admin-token", c.AdminToken, "the operator's admin API token in hosted mode: every operation, every tenant (prefer the environment variable; required with --hosted unless --admin-token-file)")
	fs.StringVar(&c.AdminTokenFile, "admin-token-file", c.AdminTokenFile, "a file holding the operator's admin API token (instead of --admin-token)")
	fs.DurationVar(&c.RedisTimeout, "redis-timeout", c.RedisTimeout, "bound of each call to Redis: with Redis unreachable, partner calls answer 503 within it")
	fs.IntVar(&c.MaxTenants, "max-tenants", c.MaxTenants, "most tenants one process serves: a new tenant past it gets its API's 503 naming the limit (0: no limit)")
	fs.DurationVar(&c.TenantIdleTTL, "tenant-idle-ttl", c.TenantIdleTTL, "drop the state of an undeclared tenant no call touched for this long (0: never; declared tenants keep theirs)")
	fs.Int64Var(&c.AdminBodyLimit, "admin-body-limit", c.AdminBodyLimit, "the most bytes of an admin API request body (a snapshot upload is the largest); a larger one is answered 400, never cut")
	c.DCMS.Flags(fs)
	c.DMT.Flags(fs)
	c.Profile.Flags(fs)
	c.Browser.Flags(fs)
}

// App is a wired sandbox.
type App struct {
	Handler http.Handler
	Store   store.Backend
	Clock   *clock.Clock
	Journal *journal.Journal
	Engine  *scenarios.Engine
	// Coverage counts, per tenant, the documented outcomes its calls received.
	Coverage *coverage.Counter

	persist string
	// persisting serialises writes of the persist file; persisted is the fingerprint of
	// the state last written (snapshot.Encode).
	persisting sync.Mutex
	persisted  [sha256.Size]byte
	// stopping ends every steering wait (X-Sandbox-Delay, the timeout fault) when closed.
	stopping chan struct{}
	stopOnce sync.Once
	closers  []func()
	// With a shared store (--store): the Redis store and what brings this replica's copy
	// of clocks and rules up to date with the other replicas; nil in memory.
	redis *redisstore.Store
	// tokenKey signs the DCMS and profile tokens (see Config.TokenKey).
	tokenKey []byte
	control  *redisstore.Control
	// Tenants are the declared tenants and what bounds the tenants this process serves.
	Tenants *tenants.Registry

	// auth is hosted mode's admin API authentication (nil: local mode).
	auth *admin.Auth
}

// Close stops the sandbox's background work (webhook delivery, writing coverage counts)
// and closes its connections, last opened first.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// kinds are the record kinds of every partner API.
var kinds = snapshot.Kinds{"dcms": dcms.Kinds(), "dmt": dmt.Kinds(), "profile": profile.Kinds()}

// storeKinds are the record kinds of every partition in the store: the partner APIs' and
// coverage's (which snapshots leave out: they hold what tenants changed, not their traffic).
func storeKinds() snapshot.Kinds {
	out := maps.Clone(kinds)
	out[coverage.API] = coverage.Kinds()
	out[tenants.API] = tenants.Kinds()
	return out
}

// newBase builds the fixture base every tenant reads through: each API's documented and
// generated records.
func newBase(opts fixtures.Options) (*store.Fixtures, error) {
	base := store.NewFixtures()
	dcmsSeed, dcmsGen, err := dcms.Base(opts)
	if err != nil {
		return nil, err
	}
	dmtSeed, dmtGen, err := dmt.Base(opts)
	if err != nil {
		return nil, err
	}
	profileSeed, err := profile.Base()
	if err != nil {
		return nil, err
	}
	for _, a := range []struct {
		name string
		seed func(store.Tx) error
		gen  store.Generator
	}{{"dcms", dcmsSeed, dcmsGen}, {"dmt", dmtSeed, dmtGen}, {"profile", profileSeed, nil}} {
		if err := base.AddAPI(a.name, a.seed, a.gen); err != nil {
			return nil, fmt.Errorf("%s fixtures: %w", a.name, err)
		}
	}
	return base, nil
}

// loadScenarios adds the fixtures of every scenario file in dir to the base of their
// tenant, and returns the files (whose rules armRules arms once the store is there).
func loadScenarios(dir string, engine *scenarios.Engine, base *store.Fixtures) ([]*scenariofile.File, error) {
	files, err := scenariofile.LoadDir(dir, engine.Catalogue())
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		for _, fx := range f.Fixtures {
			v, err := fx.Decode(kinds)
			if err != nil {
				return nil, err
			}
			base.AddTenant(store.Partition{API: fx.API, Tenant: fx.Tenant}, fx.Kind, fx.ID, v)
		}
	}
	return files, nil
}

// armRules makes the scenario files' rules start-up rules: armed now if the state is new,
// only remembered (a reset arms them again) if a shared store already holds the state.
func armRules(files []*scenariofile.File, rules *scenarios.Rules, fresh bool) error {
	for _, f := range files {
		for _, r := range f.Rules {
			var err error
			if fresh {
				_, err = rules.ArmBase(r.Spec())
			} else {
				err = rules.AddBase(r.Spec())
			}
			if err != nil {
				return fmt.Errorf("%s: %v", r.Pos, err)
			}
		}
	}
	return nil
}

// Persist writes every tenant's state to the --persist file, if one was given. Calls
// still running keep running: each change is atomic in the store, so the file holds every
// change committed before it was taken.
func (a *App) Persist(ctx context.Context) error {
	_, err := a.persistState(ctx, true)
	return err
}

// persistState writes the --persist file, or, unless always, leaves it as it is when the
// state has not changed since the last write; it says whether it wrote.
func (a *App) persistState(ctx context.Context, always bool) (bool, error) {
	if a.persist == "" {
		return false, nil
	}
	a.persisting.Lock()
	defer a.persisting.Unlock()
	data, sum, err := snapshot.Encode(ctx, a.Store, openapi.Partners, a.Clock.Now(""))
	if err != nil {
		return false, err
	}
	if !always && sum == a.persisted {
		return false, nil
	}
	if err := snapshot.WriteFile(a.persist, data); err != nil {
		return false, err
	}
	a.persisted = sum
	return true, nil
}

// persistEvery writes the --persist file every d while the state changes, until Close.
// It starts after the state was loaded: what was loaded needs no writing back, and a file
// that could not be loaded stopped the start, so it is never overwritten.
func (a *App) persistEvery(d time.Duration, log *slog.Logger) {
	if _, sum, err := snapshot.Encode(context.Background(), a.Store, openapi.Partners, a.Clock.Now("")); err == nil {
		a.persisted = sum
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	a.closers = append(a.closers, func() { close(done); <-stopped })
	go func() {
		defer close(stopped)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), d)
				wrote, err := a.persistState(ctx, false)
				cancel()
				switch {
				case err != nil:
					log.Error("writing the --persist file", "file", a.persist, "err", err)
				case wrote:
					log.Debug("state persisted", "file", a.persist)
				}
			}
		}
	}()
}

// StopWaits ends at once every X-Sandbox-Delay and timeout-fault wait, those in flight and
// those of calls still to come: a delayed call goes on to its answer, a timeout fault
// drops its connection. Shutdown calls it first, so draining never waits for them.
func (a *App) StopWaits() {
	a.stopOnce.Do(func() { close(a.stopping) })
}

// useRedis keeps all state in the Redis of cfg.Store: the overlays, the journal, and the
// clocks and rules. fresh says the store was created now.
func (a *App) useRedis(cfg Config, base store.Base) (fresh bool, err error) {
	if !strings.HasPrefix(cfg.Store, "redis://") {
		return false, fmt.Errorf("--store %q: want redis://HOST:PORT/DB (or no --store: state in this process)", cfg.Store)
	}
	ctx := context.Background()
	db, fresh, err := redisstore.Open(ctx, redisstore.Options{URL: cfg.Store, Prefix: cfg.RedisPrefix, Timeout: cfg.RedisTimeout},
		redisstore.Marker{Seed: cfg.Fixtures.Seed, Customers: cfg.Fixtures.Customers})
	if err != nil {
		return false, err
	}
	a.closers = append(a.closers, func() { _ = db.Close() })
	if cfg.TokenKey == "" && cfg.TokenKeyFile == "" {
		// Replicas must verify each other's tokens: the first one makes the key.
		if a.tokenKey, err = db.SharedKey(ctx, "token-key", randomKey()); err != nil {
			return false, err
		}
	}
	if a.control, err = db.Control(ctx, a.Clock, a.Engine.Rules()); err != nil {
		return false, err
	}
	a.redis = db.Store(base, storeKinds())
	a.Store = a.redis
	a.Journal = journal.NewShared(db.Journal(cfg.JournalSize).LimitBytes(cfg.JournalBytes), cfg.JournalSize)
	return fresh, nil
}

// New builds a sandbox. It fails if the contracts and the scenario catalogue disagree.
func New(cfg Config) (*App, error) {
	a := &App{Clock: &clock.Clock{}, stopping: make(chan struct{})}
	if err := a.build(cfg); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// newEngine builds the scenario engine over the catalogue, with the --scenarios files
// loaded (their fixtures go into base; their rules are armed once the store is open).
func (a *App) newEngine(cfg Config, base *store.Fixtures, log *slog.Logger) (*scenarios.Catalogue, []*scenariofile.File, error) {
	cat := catalogue()
	a.Engine = scenarios.NewEngine(cat)
	if cfg.ScenariosDir == "" {
		return cat, nil, nil
	}
	files, err := loadScenarios(cfg.ScenariosDir, a.Engine, base)
	if err != nil {
		return nil, nil, err
	}
	log.Info("scenario files loaded", "dir", cfg.ScenariosDir)
	return cat, files, nil
}

func (a *App) build(cfg Config) error {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.JournalSize == 0 {
		cfg.JournalSize = 1000
	}
	a.Journal = journal.New(cfg.JournalSize)
	a.Journal.LimitBytes(cfg.JournalBytes)
	a.persist = cfg.PersistFile

	base, err := newBase(cfg.Fixtures)
	if err != nil {
		return err
	}
	// The scenario engine is built before the store: scenario files add to the base.
	cat, files, err := a.newEngine(cfg, base, log)
	if err != nil {
		return err
	}
	fresh, err := a.openStore(cfg, base, log)
	if err != nil {
		return err
	}
	if err := armRules(files, a.Engine.Rules(), fresh); err != nil {
		return err
	}
	if err := a.loadTokenKey(cfg); err != nil {
		return err
	}
	if err := a.declareTenants(cfg, log); err != nil {
		return err
	}
	if err := a.loadAdminAuth(cfg, log); err != nil {
		return err
	}
	apis, err := a.newAPIs(cfg, log, cat)
	if err != nil {
		return err
	}
	if err := a.loadState(cfg, fresh, log); err != nil {
		return err
	}
	if cfg.PersistFile != "" && cfg.PersistEvery > 0 {
		a.persistEvery(cfg.PersistEvery, log)
	}
	return a.route(cfg, log, cat, apis)
}

// catalogue is every partner operation's documented outcomes.
func catalogue() *scenarios.Catalogue {
	cat := scenarios.NewCatalogue()
	for _, ops := range [][]scenarios.Operation{dcms.Catalogue(), dmt.Catalogue(), profile.Catalogue()} {
		for _, op := range ops {
			cat.Add(op)
		}
	}
	return cat
}

// openStore builds the state store over base: a test's backend, Redis (--store), or this
// process's memory. fresh says the state starts now (a shared store may hold it already).
func (a *App) openStore(cfg Config, base store.Base, log *slog.Logger) (fresh bool, err error) {
	switch {
	case cfg.Backend != nil:
		a.Store, err = cfg.Backend(base, storeKinds())
		return true, err
	case cfg.Store != "":
		if fresh, err = a.useRedis(cfg, base); err == nil {
			log.Info("state kept in redis", "store", cfg.Store, "prefix", cfg.RedisPrefix, "new", fresh)
		}
		return fresh, err
	default:
		a.Store = store.NewMemory(base)
		return true, nil
	}
}

// newAPIs builds the three partner APIs and checks the catalogue against their contracts.
func (a *App) newAPIs(cfg Config, log *slog.Logger, cat *scenarios.Catalogue) (partnerAPIs, error) {
	deps := server.Deps{Store: a.Store, Clock: a.Clock, Log: log, Tenants: a.Store.Tenants, Fixtures: cfg.Fixtures, Shared: a.control != nil, TokenKey: a.tokenKey, Declared: a.Tenants}
	var apis partnerAPIs
	var err error
	if apis.dcms, err = dcms.New(deps, cfg.DCMS); err != nil {
		return apis, err
	}
	if apis.dmt, err = dmt.New(deps, cfg.DMT); err != nil {
		return apis, err
	}
	cfg.Profile.Hosted = cfg.Hosted
	if apis.profile, err = profile.New(deps, cfg.Profile); err != nil {
		return apis, err
	}
	a.closers = append(a.closers, apis.profile.Close)
	contracts := map[string]*openapi3.T{}
	for _, api := range apis.all() {
		contracts[api.Name()] = api.Contract()
	}
	return apis, cat.Check(contracts)
}

// loadTokenKey settles the token-signing key: --token-key, --token-key-file, the one the
// shared store holds, or a random one for this process.
func (a *App) loadTokenKey(cfg Config) error {
	switch {
	case cfg.TokenKey != "" && cfg.TokenKeyFile != "":
		return errors.New("--token-key and --token-key-file: give one of them")
	case cfg.TokenKey != "":
		a.tokenKey = []byte(cfg.TokenKey)
	case cfg.TokenKeyFile != "":
		data, err := os.ReadFile(cfg.TokenKeyFile)
		if err != nil {
			return fmt.Errorf("--token-key-file: %w", err)
		}
		if a.tokenKey = bytes.TrimSpace(data); len(a.tokenKey) == 0 {
			return fmt.Errorf("--token-key-file %s: the file is empty", cfg.TokenKeyFile)
		}
	case a.tokenKey != nil: // the shared store's
	case cfg.PersistFile != "":
		// Tokens outlive a restart as the state does: the key is kept beside the state.
		return a.persistedTokenKey(cfg.PersistFile + ".token-key")
	default:
		a.tokenKey = randomKey()
	}
	return nil
}

// loadAdminAuth settles hosted mode's operator token: --admin-token (SANDBOX_ADMIN_TOKEN)
// or --admin-token-file. Hosted mode without one does not start; the token is never logged.
func (a *App) loadAdminAuth(cfg Config, log *slog.Logger) error {
	token := cfg.AdminToken
	switch {
	case cfg.AdminToken != "" && cfg.AdminTokenFile != "":
		return errors.New("--admin-token (SANDBOX_ADMIN_TOKEN) and --admin-token-file: give one of them")
	case cfg.AdminTokenFile != "":
		data, err := os.ReadFile(cfg.AdminTokenFile)
		if err != nil {
			return fmt.Errorf("--admin-token-file: %w", err)
		}
		if token = strings.TrimSpace(string(data)); token == "" {
			return fmt.Errorf("--admin-token-file %s: the file is empty", cfg.AdminTokenFile)
		}
	}
	switch {
	case cfg.Hosted && token == "":
		return errors.New("--hosted needs the operator's admin token: set SANDBOX_ADMIN_TOKEN (or give --admin-token-file FILE); a hosted sandbox never serves its admin API unauthenticated")
	case cfg.Hosted:
		a.auth = &admin.Auth{OperatorToken: token, Tenants: a.Tenants}
		log.Info("hosted mode: the admin API needs a Bearer token")
	case token != "":
		log.Warn("an admin token is set but the sandbox is not --hosted: the admin API asks for no token")
	}
	return nil
}

// persistedTokenKey reads the key file, or makes one (readable by its owner only).
func (a *App) persistedTokenKey(path string) error {
	data, err := os.ReadFile(path)
	switch {
	case err == nil && len(bytes.TrimSpace(data)) > 0:
		a.tokenKey = bytes.TrimSpace(data)
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("token key %s: %w", path, err)
	}
	key := make([]byte, 64)
	hex.Encode(key, randomKey())
	if err := snapshot.WriteFile(path, key); err != nil {
		return fmt.Errorf("token key %s: %w", path, err)
	}
	a.tokenKey = key
	return nil
}

// randomKey is 32 random bytes.
func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	return k
}

// partnerAPIs are the three partner APIs.
type partnerAPIs struct {
	dcms    *dcms.API
	dmt     *dmt.API
	profile *profile.API
}

func (p partnerAPIs) all() []server.API { return []server.API{p.dcms, p.dmt, p.profile} }

// loadState restores --snapshot and --persist files into a store whose state starts now.
func (a *App) loadState(cfg Config, fresh bool, log *slog.Logger) error {
	for _, file := range []string{cfg.SnapshotFile, cfg.PersistFile} {
		if file == "" {
			continue
		}
		if _, err := os.Stat(file); file == cfg.PersistFile && errors.Is(err, os.ErrNotExist) {
			continue // the first run with --persist starts from the fixtures
		}
		if !fresh {
			// Not loaded, but a persist file this sandbox would write over must be sound.
			if file == cfg.PersistFile {
				if _, err := snapshot.ReadFile(kinds, file); err != nil {
					return fmt.Errorf("--persist file %w (the sandbox did not start, and left the file as it is: repair or remove it)", err)
				}
			}
			log.Info("state file not loaded: the shared store already holds the sandbox's state", "file", file)
			continue
		}
		n, err := snapshot.LoadFile(context.Background(), a.Store, kinds, file)
		if err != nil && file == cfg.PersistFile {
			return fmt.Errorf("--persist file %w (the sandbox did not start, and left the file as it is: repair or remove it)", err)
		}
		if err != nil {
			return err
		}
		log.Info("state loaded", "file", file, "tenants", n)
	}
	return nil
}

// route mounts the partner APIs through the pipeline, then the admin API.
func (a *App) route(cfg Config, log *slog.Logger, cat *scenarios.Catalogue, apis partnerAPIs) error {
	m := a.instrument(apis.all())
	a.Coverage = coverage.New(a.Store, cat, log)
	a.closers = append(a.closers, func() { _ = a.Coverage.Close() })
	adminDeps := admin.Deps{
		Engine: a.Engine, Store: a.Store, Journal: a.Journal, Clock: a.Clock,
		Kinds: kinds, APIs: openapi.Partners, Exporter: scenariofile.Export,
		Checks: a.readiness(apis.all()), Metrics: m, Coverage: a.Coverage, Declared: a.Tenants, Auth: a.auth,
		BodyLimit: cfg.AdminBodyLimit,
	}
	if a.control != nil {
		adminDeps.Refresh = a.control.Refresh
	}
	p := &server.Pipeline{
		Stages:    a.stages(),
		Observers: append([]server.Observer{server.Journal{Journal: a.Journal, Clock: a.Clock, Log: log}, a.Coverage}, observers(m, cfg.AccessLog, log)...),
		Engine:    a.Engine, Log: log,
	}
	// Two routers, split by path (openapi.APIOf, in browser.Wrap): the partner APIs', the
	// hot path, and the admin API's. Both match paths as sent (no redirect for "." or ".." segments, an encoded
	// slash stays inside its parameter); each parameter is then decoded (server.DecodeVars:
	// the pipeline for partner calls, the admin router's middleware for the others).
	partner := mux.NewRouter().SkipClean(true).UseEncodedPath()
	if _, err := p.Router(partner, apis.all()...); err != nil {
		return err
	}
	adm := mux.NewRouter().SkipClean(true).UseEncodedPath()
	adm.Use(server.DecodedVars)
	adm.NotFoundHandler, adm.MethodNotAllowedHandler = partner.NotFoundHandler, partner.MethodNotAllowedHandler
	if err := admin.New(adminDeps, apis.dcms, apis.dmt, apis.profile, docs.Server{}, console.Server{}).Mount(adm); err != nil {
		return fmt.Errorf("admin API: %w", err)
	}
	var err error
	a.Handler, err = browser.Wrap(p.Handler(partner), adm, cfg.Browser, cfg.Hosted, refuse(apis.all()))
	return err
}

// stages are the pipeline's stages; with a shared store, Refresh takes Identify's place
// (it identifies the caller and brings clocks, rules and the caller's state up to date).
func (a *App) stages() []server.Stage {
	stages := server.Stages(a.Engine, 0)
	for i, s := range stages {
		switch s := s.(type) {
		case server.Steer:
			s.Stop = a.stopping
			stages[i] = s
		case server.Identify:
			stages[i] = server.Identify{Gate: a.Tenants}
			if a.control != nil {
				stages[i] = server.Refresh{Gate: a.Tenants, Func: func(ctx context.Context, p store.Partition) (bool, error) {
					return a.control.RefreshFor(ctx, a.redis, p)
				}}
			}
		}
	}
	return stages
}
