// Package storetest is the behaviour every store.Store must have, as a reusable test
// suite: the in-memory store runs it, and so must any other implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Run runs the suite against stores made by newStore.
func Run(t *testing.T, newStore func(seed store.Seeder) store.Store) {
	ctx := context.Background()
	seed := func(p store.Partition, tx store.Tx) error {
		tx.Put("customer", "seeded", "from fixtures of "+p.Tenant)
		return nil
	}
	a := store.Partition{API: "dcms", Tenant: "A"}
	b := store.Partition{API: "dcms", Tenant: "B"}

	get := func(t *testing.T, s store.Store, p store.Partition, kind, id string) (any, bool) {
		t.Helper()
		var v any
		var ok bool
		if err := s.View(ctx, p, func(tx store.Tx) error { v, ok = tx.Get(kind, id); return nil }); err != nil {
			t.Fatal(err)
		}
		return v, ok
	}

	t.Run("seeds on first use", func(t *testing.T) {
		s := newStore(seed)
		v, ok := get(t, s, a, "customer", "seeded")
		if !ok || v != "from fixtures of A" {
			t.Fatalf("got %v %v", v, ok)
		}
	})

	t.Run("tenants are isolated", func(t *testing.T) {
		s := newStore(seed)
		if err := s.Update(ctx, a, func(tx store.Tx) error { tx.Put("customer", "x", 1); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, ok := get(t, s, b, "customer", "x"); ok {
			t.Fatal("tenant B sees tenant A's write")
		}
		if _, ok := get(t, s, store.Partition{API: "dmt", Tenant: "A"}, "customer", "x"); ok {
			t.Fatal("another API's tenant A sees dcms tenant A's write")
		}
	})

	t.Run("failed update changes nothing", func(t *testing.T) {
		s := newStore(seed)
		boom := errors.New("boom")
		err := s.Update(ctx, a, func(tx store.Tx) error {
			tx.Put("customer", "half", 1)
			tx.Delete("customer", "seeded")
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if _, ok := get(t, s, a, "customer", "half"); ok {
			t.Fatal("write of a failed update is visible")
		}
		if _, ok := get(t, s, a, "customer", "seeded"); !ok {
			t.Fatal("delete of a failed update is visible")
		}
	})

	t.Run("update sees its own writes and scans in id order", func(t *testing.T) {
		s := newStore(nil)
		err := s.Update(ctx, a, func(tx store.Tx) error {
			tx.Put("k", "b", 2)
			tx.Put("k", "a", 1)
			tx.Put("k", "c", 3)
			tx.Delete("k", "c")
			if v, ok := tx.Get("k", "a"); !ok || v != 1 {
				return fmt.Errorf("own write not visible: %v %v", v, ok)
			}
			var ids []string
			tx.Scan("k", func(id string, _ any) bool { ids = append(ids, id); return true })
			if fmt.Sprint(ids) != "[a b]" {
				return fmt.Errorf("scan in tx = %v", ids)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		_ = s.View(ctx, a, func(tx store.Tx) error {
			tx.Scan("k", func(id string, _ any) bool { ids = append(ids, id); return true })
			return nil
		})
		if fmt.Sprint(ids) != "[a b]" {
			t.Fatalf("scan = %v", ids)
		}
	})

	t.Run("reset one tenant reseeds it and keeps others", func(t *testing.T) {
		s := newStore(seed)
		for _, p := range []store.Partition{a, b} {
			_ = s.Update(ctx, p, func(tx store.Tx) error { tx.Put("customer", "x", 1); return nil })
		}
		s.Reset("A")
		if _, ok := get(t, s, a, "customer", "x"); ok {
			t.Fatal("reset tenant kept its write")
		}
		if _, ok := get(t, s, a, "customer", "seeded"); !ok {
			t.Fatal("reset tenant not reseeded")
		}
		if _, ok := get(t, s, b, "customer", "x"); !ok {
			t.Fatal("reset of A dropped B's state")
		}
		s.Reset("")
		if _, ok := get(t, s, b, "customer", "x"); ok {
			t.Fatal("reset all kept B's write")
		}
	})

	t.Run("dump and load round-trip a partition exactly", func(t *testing.T) {
		s := newStore(seed)
		_ = s.Update(ctx, a, func(tx store.Tx) error { tx.Put("kit", "k1", "v1"); return nil })
		dump, err := s.Dump(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if dump["customer"]["seeded"] != "from fixtures of A" || dump["kit"]["k1"] != "v1" {
			t.Fatalf("dump = %v", dump)
		}
		_ = s.Update(ctx, a, func(tx store.Tx) error { tx.Put("kit", "k2", "later"); tx.Delete("kit", "k1"); return nil })
		if err := s.Load(ctx, a, dump); err != nil {
			t.Fatal(err)
		}
		if _, ok := get(t, s, a, "kit", "k2"); ok {
			t.Fatal("load kept a record the dump does not have")
		}
		if v, _ := get(t, s, a, "kit", "k1"); v != "v1" {
			t.Fatal("load lost a record")
		}
		// Loading into a new partition does not seed it on top.
		if err := s.Load(ctx, b, store.Records{"kit": {"only": 1}}); err != nil {
			t.Fatal(err)
		}
		if _, ok := get(t, s, b, "customer", "seeded"); ok {
			t.Fatal("a loaded partition was seeded too")
		}
	})

	t.Run("concurrent updates lose nothing", func(t *testing.T) {
		s := newStore(nil)
		const workers, each = 8, 200
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					_ = s.Update(ctx, a, func(tx store.Tx) error {
						n, _ := tx.Get("counter", "n")
						c, _ := n.(int)
						tx.Put("counter", "n", c+1)
						return nil
					})
				}
			}()
		}
		wg.Wait()
		if v, _ := get(t, s, a, "counter", "n"); v != workers*each {
			t.Fatalf("counter = %v, want %d", v, workers*each)
		}
		if got := s.Tenants("dcms"); fmt.Sprint(got) != "[A]" {
			t.Fatalf("tenants = %v", got)
		}
	})
}
