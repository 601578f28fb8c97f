// Package app wires the sandbox together: store, clock, journal, scenario engine, the
// three partner APIs and the admin API, behind one http.Handler.
package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/dcms"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/internal/docs"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/profile"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Config is what the command line can change.
type Config struct {
	Fixtures    fixtures.Options
	JournalSize int
	Log         *slog.Logger
	DCMS        dcms.Config
	DMT         dmt.Config
	Profile     profile.Config
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
	c.DCMS.Flags(fs)
	c.DMT.Flags(fs)
	c.Profile.Flags(fs)
}

// App is a wired sandbox.
type App struct {
	Handler http.Handler
	Store   store.Store
	Clock   *clock.Clock
	Journal *journal.Journal
	Engine  *scenarios.Engine
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

	seeders := map[string]func(store.Tx) error{}
	for api, seeder := range map[string]func(fixtures.Options) (func(store.Tx) error, error){
		"dcms": dcms.Seeder, "dmt": dmt.Seeder, "profile": profile.Seeder,
	} {
		seed, err := seeder(cfg.Fixtures)
		if err != nil {
			return nil, err
		}
		seeders[api] = seed
	}
	a.Store = store.NewMemory(func(p store.Partition, tx store.Tx) error {
		if seed := seeders[p.API]; seed != nil {
			return seed(tx)
		}
		return nil
	})

	deps := server.Deps{Store: a.Store, Clock: a.Clock, Log: log}
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

	cat := scenarios.NewCatalogue()
	for _, ops := range [][]scenarios.Operation{dcms.Catalogue(), dmt.Catalogue(), profile.Catalogue()} {
		for _, op := range ops {
			cat.Add(op)
		}
	}
	contracts := map[string]*openapi3.T{}
	for _, api := range apis {
		contracts[api.Name()] = api.Contract()
	}
	if err := cat.Check(contracts); err != nil {
		return nil, err
	}
	a.Engine = scenarios.NewEngine(cat)

	r := mux.NewRouter()
	adminDeps := admin.Deps{
		Engine: a.Engine, Store: a.Store, Journal: a.Journal, Clock: a.Clock,
		Kinds: snapshot.Kinds{"dcms": dcms.Kinds(), "dmt": dmt.Kinds(), "profile": profile.Kinds()},
		APIs:  []string{"dcms", "dmt", "profile"}, Exporter: scenarios.Export,
	}
	if err := admin.New(adminDeps, dcmsAPI, dmtAPI, profileAPI, docs.Server{}).Mount(r); err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	p := &server.Pipeline{Engine: a.Engine, Journal: a.Journal, Clock: a.Clock, Log: log}
	if _, err := p.Router(r, apis...); err != nil {
		return nil, err
	}
	a.Handler = r
	return a, nil
}
