// Package app wires the sandbox together: store, clock, journal, scenario engine, the
// three partner APIs and the admin API, behind one http.Handler.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/admin"
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
	// ScenariosDir holds scenario files whose fixtures and rules are part of the start state.
	ScenariosDir string
	// Backend makes the state store over the shared fixture base; nil is the in-memory
	// store. Tests use it to run the sandbox over store.Encoded (values as a network
	// backend sees them).
	Backend func(base store.Base, kinds snapshot.Kinds) (store.Backend, error)
	// AccessLog writes one line per partner call to Log.
	AccessLog bool
}

// DefaultConfig is the configuration of `make run`.
func DefaultConfig() Config {
	return Config{Fixtures: fixtures.Default, JournalSize: 1000}
}

// Flags registers every command-line flag of the configuration on fs.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.Uint64Var(&c.Fixtures.Seed, "seed", c.Fixtures.Seed, "seed of the generated fixtures: the same seed gives the same data")
	fs.IntVar(&c.Fixtures.Customers, "customers", c.Fixtures.Customers, "generated customers per tenant, besides the documented ones")
	fs.IntVar(&c.JournalSize, "journal-size", c.JournalSize, "how many recent calls the journal keeps")
	fs.StringVar(&c.SnapshotFile, "snapshot", c.SnapshotFile, "start from this snapshot file (GET /__sandbox/snapshot output, or a --persist file)")
	fs.StringVar(&c.ScenariosDir, "scenarios", c.ScenariosDir, "load the fixtures and rules of the scenario files (*.yaml) in this folder at start-up; a reset restores them")
	fs.StringVar(&c.PersistFile, "persist", c.PersistFile, "load state from this file at start (if it exists) and write it there on graceful shutdown")
	fs.BoolVar(&c.AccessLog, "access-log", c.AccessLog, "log one line per partner API call (time, api, operationId, tenant, method, path, status, outcome, duration), whatever --log-level")
	c.DCMS.Flags(fs)
	c.DMT.Flags(fs)
	c.Profile.Flags(fs)
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
	closers []func()
}

// Close stops the sandbox's background work (webhook delivery, writing coverage counts).
func (a *App) Close() {
	for _, c := range a.closers {
		c()
	}
}

// kinds are the record kinds of every partner API.
var kinds = snapshot.Kinds{"dcms": dcms.Kinds(), "dmt": dmt.Kinds(), "profile": profile.Kinds()}

// storeKinds are the record kinds of every partition in the store: the partner APIs' and
// coverage's (which snapshots leave out: they hold what tenants changed, not their traffic).
func storeKinds() snapshot.Kinds {
	out := maps.Clone(kinds)
	out[coverage.API] = coverage.Kinds()
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

// loadScenarios arms the rules of every scenario file in dir as start-up rules and adds
// their fixtures to the base of their tenant.
func loadScenarios(dir string, engine *scenarios.Engine, base *store.Fixtures) error {
	files, err := scenariofile.LoadDir(dir, engine.Catalogue())
	if err != nil {
		return err
	}
	for _, f := range files {
		for _, r := range f.Rules {
			if _, err := engine.Rules().ArmBase(r.Spec()); err != nil {
				return fmt.Errorf("%s: %v", r.Pos, err)
			}
		}
		for _, fx := range f.Fixtures {
			v, err := fx.Decode(kinds)
			if err != nil {
				return err
			}
			base.AddTenant(store.Partition{API: fx.API, Tenant: fx.Tenant}, fx.Kind, fx.ID, v)
		}
	}
	return nil
}

// Persist writes every tenant's state to the --persist file, if one was given.
func (a *App) Persist(ctx context.Context) error {
	if a.persist == "" {
		return nil
	}
	return snapshot.Save(ctx, a.Store, openapi.Partners, a.Clock.Now(""), a.persist)
}

// New builds a sandbox. It fails if the contracts and the scenario catalogue disagree.
func New(cfg Config) (*App, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.JournalSize == 0 {
		cfg.JournalSize = 1000
	}
	a := &App{Clock: &clock.Clock{}, Journal: journal.New(cfg.JournalSize)}

	base, err := newBase(cfg.Fixtures)
	if err != nil {
		return nil, err
	}
	// The scenario engine is built before the store: scenario files add to the base.
	cat := scenarios.NewCatalogue()
	for _, ops := range [][]scenarios.Operation{dcms.Catalogue(), dmt.Catalogue(), profile.Catalogue()} {
		for _, op := range ops {
			cat.Add(op)
		}
	}
	a.Engine = scenarios.NewEngine(cat)
	if cfg.ScenariosDir != "" {
		if err := loadScenarios(cfg.ScenariosDir, a.Engine, base); err != nil {
			return nil, err
		}
		log.Info("scenario files loaded", "dir", cfg.ScenariosDir)
	}
	if cfg.Backend == nil {
		a.Store = store.NewMemory(base)
	} else if a.Store, err = cfg.Backend(base, storeKinds()); err != nil {
		return nil, err
	}

	deps := server.Deps{Store: a.Store, Clock: a.Clock, Log: log, Tenants: a.Store.Tenants, Fixtures: cfg.Fixtures}
	dcmsAPI, err := dcms.New(deps, cfg.DCMS)
	if err != nil {
		return nil, err
	}
	dmtAPI, err := dmt.New(deps, cfg.DMT)
	if err != nil {
		return nil, err
	}
	profileAPI, err := profile.New(deps, cfg.Profile)
	if err != nil {
		return nil, err
	}
	apis := []server.API{dcmsAPI, dmtAPI, profileAPI}
	a.closers = append(a.closers, profileAPI.Close)

	contracts := map[string]*openapi3.T{}
	for _, api := range apis {
		contracts[api.Name()] = api.Contract()
	}
	if err := cat.Check(contracts); err != nil {
		return nil, err
	}

	r := mux.NewRouter()
	a.persist = cfg.PersistFile
	for _, file := range []string{cfg.SnapshotFile, cfg.PersistFile} {
		if file == "" {
			continue
		}
		if _, err := os.Stat(file); file == cfg.PersistFile && errors.Is(err, os.ErrNotExist) {
			continue // the first run with --persist starts from the fixtures
		}
		n, err := snapshot.LoadFile(context.Background(), a.Store, kinds, file)
		if err != nil {
			return nil, err
		}
		log.Info("state loaded", "file", file, "tenants", n)
	}
	m := a.instrument(apis)
	a.Coverage = coverage.New(a.Store, cat, log)
	a.closers = append(a.closers, func() { _ = a.Coverage.Close() })
	adminDeps := admin.Deps{
		Engine: a.Engine, Store: a.Store, Journal: a.Journal, Clock: a.Clock,
		Kinds: kinds, APIs: openapi.Partners, Exporter: scenariofile.Export,
		Checks: a.readiness(apis), Metrics: m, Coverage: a.Coverage,
	}
	// Partner routes first: gorilla/mux tries routes in order, and they are the hot path.
	p := &server.Pipeline{
		Stages:    server.Stages(a.Engine, 0),
		Observers: append([]server.Observer{server.Journal{Journal: a.Journal, Clock: a.Clock}, a.Coverage}, observers(m, cfg.AccessLog, log)...),
		Engine:    a.Engine, Log: log,
	}
	if _, err := p.Router(r, apis...); err != nil {
		return nil, err
	}
	if err := admin.New(adminDeps, dcmsAPI, dmtAPI, profileAPI, docs.Server{}, console.Server{}).Mount(r); err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	a.Handler = r
	return a, nil
}
