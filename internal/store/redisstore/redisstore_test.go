package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/store/redisstore"
	"github.com/partnersandbox/sandbox/internal/store/redisstore/redistest"
	"github.com/partnersandbox/sandbox/internal/store/storetest"
	"github.com/partnersandbox/sandbox/scenarios"
)

var ctx = context.Background()

var prefixes atomic.Int64

// open opens a store with a prefix of its own on srv; more replicas share it with join.
func open(t *testing.T, srv *redistest.Server, prefix string) *redisstore.DB {
	t.Helper()
	db, _, err := redisstore.Open(ctx, redisstore.Options{URL: srv.URL(0), Prefix: prefix}, redisstore.Marker{Seed: 1, Customers: 25})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newPrefix() string { return fmt.Sprintf("test%d:", prefixes.Add(1)) }

var kinds = snapshot.Kinds(storetest.Kinds)

func TestStoreSuite(t *testing.T) {
	srv := redistest.Start(t)
	storetest.Run(t, func(base store.Base) store.Backend {
		return open(t, srv, newPrefix()).Store(base, kinds)
	})
}

// Two replicas on one Redis are one store: each sees what the other wrote, updates of one
// partition from both lose nothing, and a reset through one is seen by the other.
func TestReplicasShareOneStore(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	base := storetest.Base()
	a := open(t, srv, prefix).Store(base, kinds)
	b := open(t, srv, prefix).Store(base, kinds)
	p := store.Partition{API: "dcms", Tenant: "T"}
	counter := func(s store.Backend) int {
		t.Helper()
		n := -1
		if err := s.View(ctx, p, func(r store.Reader) error {
			n = 0
			if v, ok := r.Get("counter", "n"); ok {
				n = v.(*storetest.Rec).N
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var wg sync.WaitGroup
	const each = 150
	for _, s := range []store.Backend{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := s.Update(ctx, p, func(tx store.Tx) error {
					n := 0
					if v, ok := tx.Get("counter", "n"); ok {
						n = v.(*storetest.Rec).N
					}
					tx.Put("counter", "n", &storetest.Rec{N: n + 1})
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, other := counter(a), counter(b); got != 4*each || other != 4*each {
		t.Fatalf("counter = %d on one replica, %d on the other, want %d", got, other, 4*each)
	}
	// A function's error stands only on current state: B created x, A must see it.
	if err := b.Update(ctx, p, func(tx store.Tx) error { tx.Put("customer", "x", &storetest.Rec{S: "by B"}); return nil }); err != nil {
		t.Fatal(err)
	}
	err := a.Update(ctx, p, func(tx store.Tx) error {
		if _, ok := tx.Get("customer", "x"); !ok {
			return errors.New("x not found")
		}
		tx.Delete("customer", "x")
		return nil
	})
	if err != nil {
		t.Fatalf("replica A decided on a stale copy: %v", err)
	}
	if err := b.View(ctx, p, func(r store.Reader) error {
		if _, ok := r.Get("customer", "x"); ok {
			return errors.New("B still sees x deleted by A")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Reset(ctx, "T"); err != nil {
		t.Fatal(err)
	}
	if tenants, _ := b.Tenants(ctx, "dcms"); len(tenants) != 0 {
		t.Fatalf("tenants after reset: %v", tenants)
	}
	if n := counter(b); n != 0 {
		t.Fatalf("after a reset through A, B reads counter %d", n)
	}
}

// A replica with other fixtures than the store's is refused, naming both; an unreachable
// Redis fails fast, naming its address.
func TestOpenRefusesWhatCannotWork(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	open(t, srv, prefix)
	_, _, err := redisstore.Open(ctx, redisstore.Options{URL: srv.URL(0), Prefix: prefix}, redisstore.Marker{Seed: 2, Customers: 25})
	if err == nil || !strings.Contains(err.Error(), "--seed 1 --customers 25") || !strings.Contains(err.Error(), "--seed 2 --customers 25") {
		t.Fatalf("a replica with another seed: %v", err)
	}
	start := time.Now()
	_, _, err = redisstore.Open(ctx, redisstore.Options{URL: "redis://127.0.0.1:1/0"}, redisstore.Marker{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1/0") || time.Since(start) > 3*time.Second {
		t.Fatalf("unreachable redis: %v after %s", err, time.Since(start))
	}
}

// While Redis is down every call fails with store.ErrUnavailable within the timeout; when
// it is back the same connection serves again, with nothing lost (AOF).
func TestRedisDownIsUnavailableThenRecovers(t *testing.T) {
	srv := redistest.Start(t)
	db, _, err := redisstore.Open(ctx, redisstore.Options{URL: srv.URL(0), Prefix: newPrefix(), Timeout: 500 * time.Millisecond}, redisstore.Marker{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.Store(storetest.Base(), kinds)
	p := store.Partition{API: "dcms", Tenant: "T"}
	put := func(n int) error {
		return s.Update(ctx, p, func(tx store.Tx) error { tx.Put("counter", "n", &storetest.Rec{N: n}); return nil })
	}
	if err := put(1); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	start := time.Now()
	if err := put(2); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("update with redis down: %v", err)
	}
	if err := s.View(ctx, p, func(store.Reader) error { return nil }); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("view with redis down: %v", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("ping with redis down: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("three failing calls took %s", d)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	var got int
	if err := s.View(ctx, p, func(r store.Reader) error {
		v, _ := r.Get("counter", "n")
		got = v.(*storetest.Rec).N
		return nil
	}); err != nil || got != 1 {
		t.Fatalf("after restart: %d %v (the refused write must not be there, the acknowledged one must)", got, err)
	}
}

// Rules armed on one replica fire exactly N times in total across replicas; clocks and the
// journal are shared.
func TestControlIsShared(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	cat := scenarios.NewCatalogue()
	cat.Add(scenarios.Operation{API: "dcms", ID: "viewCustomer", Method: "POST", Path: "/v1/viewCustomer", Outcomes: []scenarios.Outcome{
		{Name: scenarios.OK, Status: 200}, {Name: "customer-not-found", Status: 400, Code: "CUS001"}}})
	op, _ := cat.Op("viewCustomer")
	type replica struct {
		engine  *scenarios.Engine
		clock   *clock.Clock
		control *redisstore.Control
		journal *journal.Journal
	}
	var rs []replica
	for range 2 {
		db := open(t, srv, prefix)
		r := replica{engine: scenarios.NewEngine(cat), clock: &clock.Clock{}}
		var err error
		if r.control, err = db.Control(ctx, r.clock, r.engine.Rules()); err != nil {
			t.Fatal(err)
		}
		r.journal = journal.NewShared(db.Journal(10), 10)
		rs = append(rs, r)
	}
	armed, err := rs[0].engine.Rules().Arm(scenarios.Rule{OperationID: "viewCustomer", Outcome: "customer-not-found", Times: 3})
	if err != nil {
		t.Fatal(err)
	}
	var fired atomic.Int64
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rs[i%2]
			if err := r.control.Refresh(ctx); err != nil {
				t.Error(err)
				return
			}
			d, err := r.engine.Decide(ctx, op, "T", nil, []byte(`{}`))
			if err != nil {
				t.Error(err)
			}
			if d.Rule == armed.ID {
				fired.Add(1)
			}
		}()
	}
	wg.Wait()
	if fired.Load() != 3 {
		t.Fatalf("a rule armed for 3 calls fired %d times across two replicas", fired.Load())
	}
	list, err := rs[1].engine.Rules().List()
	if err != nil || len(list) != 1 || list[0].Fired != 3 || list[0].Remaining() != 0 {
		t.Fatalf("rules seen by the other replica: %+v %v", list, err)
	}
	if err := rs[1].engine.Rules().Reset(""); err != nil {
		t.Fatal(err)
	}
	if err := rs[0].control.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := rs[0].engine.Decide(ctx, op, "T", nil, nil); d.Rule != "" {
		t.Fatal("a rule removed through one replica fired on the other")
	}

	if err := rs[0].clock.Advance("A", 72*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := rs[1].control.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if off := rs[1].clock.Offset("A"); off != 72*time.Hour || rs[1].clock.Offset("B") != 0 {
		t.Fatalf("the other replica's clock: A %s, B %s", off, rs[1].clock.Offset("B"))
	}

	for i := range 15 {
		if err := rs[i%2].journal.Add(ctx, journal.Entry{API: "dcms", OperationID: fmt.Sprint("op", i), Request: []byte(`{"pin":"1234"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := rs[1].journal.List(ctx, journal.Filter{})
	if err != nil || len(got) != 10 || got[0].OperationID != "op14" || got[0].ID != 15 || strings.Contains(string(got[0].Request), "1234") {
		t.Fatalf("journal: %d entries, first %+v, %v", len(got), got[0], err)
	}
	if n, bytes := rs[0].journal.Size(); n != 10 || bytes != 10*len(`{"pin":"****"}`) {
		t.Fatalf("size: %d entries, %d bytes", n, bytes)
	}
	if n, err := rs[0].journal.Clear(ctx); err != nil || n != 10 {
		t.Fatalf("clear: %d %v", n, err)
	}
}

// A call reads a partition without a round trip of its own when this replica's copy was
// brought up to date after the call began (as the pipeline's refresh does), and asks Redis
// when the copy is older than the call.
func TestFreshCopyServesTheCallThatFetchedIt(t *testing.T) {
	srv := redistest.Start(t)
	db := open(t, srv, newPrefix())
	s := db.Store(storetest.Base(), kinds)
	control, err := db.Control(ctx, &clock.Clock{}, scenarios.NewEngine(scenarios.NewCatalogue()).Rules())
	if err != nil {
		t.Fatal(err)
	}
	p := store.Partition{API: "dcms", Tenant: "T"}
	begun := time.Now()
	call := context.WithValue(ctx, store.StartKey{}, &begun)
	if _, err := control.RefreshFor(call, s, p); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if err := s.View(call, p, func(r store.Reader) error { return nil }); err != nil {
		t.Fatalf("the call that refreshed the partition could not read it without Redis: %v", err)
	}
	later := time.Now()
	if err := s.View(context.WithValue(ctx, store.StartKey{}, &later), p, func(store.Reader) error { return nil }); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a call that began after the copy was fetched read it without asking Redis: %v", err)
	}
	if err := s.View(ctx, p, func(store.Reader) error { return nil }); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a read outside any call used the copy without asking Redis: %v", err)
	}
}
