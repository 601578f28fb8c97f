// Package storetest is the behaviour every store.Backend must have, as a reusable test
// suite: the in-memory store runs it directly and through store.Encoded (as a network
// backend sees values), and so must any other implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Rec is the record type of the suite's kinds.
type Rec struct {
	N int    `json:"n"`
	S string `json:"s"`
}

// Kinds are the suite's record kinds, for backends that decode values (store.Encoded).
var Kinds = map[string]store.Kinds{"dcms": {}, "dmt": {}}

var (
	customers = store.Define[Rec](Kinds["dcms"], "customer")
	kits      = store.Define[Rec](Kinds["dcms"], "kit")
	counters  = store.Define[Rec](Kinds["dcms"], "counter")
	_         = store.Define[Rec](Kinds["dmt"], "customer")
)

// Base is the suite's shared base: customer "seeded" in dcms, materialised, and generated
// customers "gen-N" reachable by id only.
func Base() store.Base {
	f := store.NewFixtures()
	err := f.AddAPI("dcms", func(tx store.Tx) error {
		customers.Put(tx, "seeded", &Rec{S: "from fixtures"})
		kits.Put(tx, "k0", &Rec{N: 0})
		return nil
	}, func(kind, id string) (any, bool) {
		if kind == "customer" && strings.HasPrefix(id, "gen-") {
			return &Rec{S: "generated " + id}, true
		}
		return nil, false
	})
	if err != nil {
		panic(err)
	}
	return f
}

var (
	ctx = context.Background()
	a   = store.Partition{API: "dcms", Tenant: "A"}
	b   = store.Partition{API: "dcms", Tenant: "B"}
)

// cases are the suite's tests; each gets a new backend over Base().
var cases = []struct {
	name string
	test func(t *testing.T, s store.Backend)
}{
	{"every tenant reads the base", everyTenantReadsTheBase},
	{"tenants are isolated and the base is never written", tenantsAreIsolatedAndTheBaseIsNeverWritten},
	{"failed update changes nothing", failedUpdateChangesNothing},
	{"update sees its own writes and scans merge base and overlay in id order", updateSeesItsOwnWritesAndScansMergeBaseAndOverlayInIdOrder},
	{"reset drops the overlay and returns to the base", resetDropsTheOverlayAndReturnsToTheBase},
	{"dump holds only the overlay and load restores it exactly", dumpHoldsOnlyTheOverlayAndLoadRestoresItExactly},
	{"concurrent updates lose nothing", concurrentUpdatesLoseNothing},
	{"a peek reads the base without making the tenant known", aPeekDoesNotMakeTheTenantKnown},
}

// Run runs the suite against backends made by newStore over the given base.
func Run(t *testing.T, newStore func(base store.Base) store.Backend) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.test(t, newStore(Base())) })
	}
}

func get(t *testing.T, s store.Backend, p store.Partition, id string) (*Rec, bool) {
	t.Helper()
	var v *Rec
	var ok bool
	if err := s.View(ctx, p, func(r store.Reader) error { v, ok = customers.Get(r, id); return nil }); err != nil {
		t.Fatal(err)
	}
	return v, ok
}

func put(t *testing.T, s store.Backend, p store.Partition, id string, v *Rec) {
	t.Helper()
	if err := s.Update(ctx, p, func(tx store.Tx) error { customers.Put(tx, id, v); return nil }); err != nil {
		t.Fatal(err)
	}
}

func ids(t *testing.T, s store.Backend, p store.Partition) string {
	t.Helper()
	var out []string
	if err := s.View(ctx, p, func(r store.Reader) error {
		customers.Scan(r, func(id string, _ *Rec) bool { out = append(out, id); return true })
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}

func everyTenantReadsTheBase(t *testing.T, s store.Backend) {
	for _, p := range []store.Partition{a, b} {
		if v, ok := get(t, s, p, "seeded"); !ok || !reflect.DeepEqual(v, &Rec{S: "from fixtures"}) {
			t.Fatalf("%v: seeded = %v %v", p, v, ok)
		}
		if v, ok := get(t, s, p, "gen-7"); !ok || v.S != "generated gen-7" {
			t.Fatalf("%v: generated = %v %v", p, v, ok)
		}
	}
	if got := ids(t, s, a); got != "[seeded]" {
		t.Fatalf("scan = %s: generated records are reachable by id only", got)
	}
}

func tenantsAreIsolatedAndTheBaseIsNeverWritten(t *testing.T, s store.Backend) {
	put(t, s, a, "x", &Rec{N: 1})
	put(t, s, a, "seeded", &Rec{S: "changed by A"})
	if err := s.Update(ctx, a, func(tx store.Tx) error { kits.Delete(tx, "k0"); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, s, b, "x"); ok {
		t.Fatal("tenant B sees tenant A's write")
	}
	if v, _ := get(t, s, b, "seeded"); v.S != "from fixtures" {
		t.Fatalf("tenant B sees A's change of a base record: %v", v)
	}
	if v, _ := get(t, s, a, "seeded"); v.S != "changed by A" {
		t.Fatalf("tenant A does not see its own change: %v", v)
	}
	var bKit, aKit bool
	_ = s.View(ctx, b, func(r store.Reader) error { _, bKit = kits.Get(r, "k0"); return nil })
	_ = s.View(ctx, a, func(r store.Reader) error { _, aKit = kits.Get(r, "k0"); return nil })
	if aKit || !bKit {
		t.Fatalf("delete of a base record: A sees it %v (want false), B sees it %v (want true)", aKit, bKit)
	}
	if _, ok := get(t, s, store.Partition{API: "dmt", Tenant: "A"}, "x"); ok {
		t.Fatal("another API's tenant A sees dcms tenant A's write")
	}
}

func failedUpdateChangesNothing(t *testing.T, s store.Backend) {
	boom := errors.New("boom")
	err := s.Update(ctx, a, func(tx store.Tx) error {
		customers.Put(tx, "half", &Rec{N: 1})
		customers.Delete(tx, "seeded")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := get(t, s, a, "half"); ok {
		t.Fatal("write of a failed update is visible")
	}
	if _, ok := get(t, s, a, "seeded"); !ok {
		t.Fatal("delete of a failed update is visible")
	}
}

func updateSeesItsOwnWritesAndScansMergeBaseAndOverlayInIdOrder(t *testing.T, s store.Backend) {
	err := s.Update(ctx, a, func(tx store.Tx) error {
		customers.Put(tx, "b", &Rec{N: 2})
		customers.Put(tx, "a", &Rec{N: 1})
		customers.Put(tx, "c", &Rec{N: 3})
		customers.Delete(tx, "c")
		if v, ok := customers.Get(tx, "a"); !ok || v.N != 1 {
			return fmt.Errorf("own write not visible: %v %v", v, ok)
		}
		var got []string
		customers.Scan(tx, func(id string, _ *Rec) bool { got = append(got, id); return true })
		if fmt.Sprint(got) != "[a b seeded]" {
			return fmt.Errorf("scan in tx = %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, a, "z", &Rec{})
	if err := s.Update(ctx, a, func(tx store.Tx) error { customers.Delete(tx, "seeded"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, s, a); got != "[a b z]" {
		t.Fatalf("scan = %s", got)
	}
	var first []string
	_ = s.View(ctx, a, func(r store.Reader) error {
		customers.Scan(r, func(id string, _ *Rec) bool { first = append(first, id); return false })
		return nil
	})
	if fmt.Sprint(first) != "[a]" {
		t.Fatalf("scan did not stop when asked: %v", first)
	}
}

func resetDropsTheOverlayAndReturnsToTheBase(t *testing.T, s store.Backend) {
	global := store.Partition{API: "dmt", Tenant: store.Global}
	for _, p := range []store.Partition{a, b, global} {
		put(t, s, p, "x", &Rec{N: 1})
		put(t, s, p, "seeded", &Rec{S: "changed"})
	}
	if err := s.Reset(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, s, a, "x"); ok {
		t.Fatal("reset tenant kept its write")
	}
	if v, _ := get(t, s, a, "seeded"); v.S != "from fixtures" {
		t.Fatalf("reset tenant does not see the base again: %v", v)
	}
	if _, ok := get(t, s, b, "x"); !ok {
		t.Fatal("reset of A dropped B's state")
	}
	if err := s.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, s, b, "x"); ok {
		t.Fatal("reset all kept B's write")
	}
	if _, ok := get(t, s, global, "x"); !ok {
		t.Fatal("reset all dropped a Global partition (the sandbox's own records)")
	}
}

func aPeekDoesNotMakeTheTenantKnown(t *testing.T, s store.Backend) {
	put(t, s, a, "x", &Rec{N: 1})
	peek := store.Peek(ctx)
	for _, p := range []store.Partition{a, b} {
		var seeded, x bool
		if err := s.View(peek, p, func(r store.Reader) error {
			_, seeded = customers.Get(r, "seeded")
			_, x = customers.Get(r, "x")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !seeded || x != (p == a) {
			t.Fatalf("a peek at %s: base %v, own write %v", p.Tenant, seeded, x)
		}
	}
	if tenants, err := s.Tenants(ctx, "dcms"); err != nil || fmt.Sprint(tenants) != "[A]" {
		t.Fatalf("tenants after a peek at B: %v %v", tenants, err)
	}
}

func dumpHoldsOnlyTheOverlayAndLoadRestoresItExactly(t *testing.T, s store.Backend) {
	_, _ = get(t, s, a, "seeded")
	dump, err := s.Dump(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !dump.Empty() {
		t.Fatalf("a tenant that only read has an overlay: %v", dump)
	}
	put(t, s, a, "k1", &Rec{N: 1, S: "one"})
	if err := s.Update(ctx, a, func(tx store.Tx) error { customers.Delete(tx, "seeded"); return nil }); err != nil {
		t.Fatal(err)
	}
	dump, err = s.Dump(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Records{"customer": {"k1": &Rec{N: 1, S: "one"}, "seeded": nil}}
	if !reflect.DeepEqual(dump, want) {
		t.Fatalf("dump = %#v, want %#v", dump, want)
	}
	put(t, s, a, "k2", &Rec{S: "later"})
	put(t, s, a, "seeded", &Rec{S: "back"})
	if err := s.Load(ctx, a, dump); err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, s, a, "k2"); ok {
		t.Fatal("load kept a record the dump does not have")
	}
	if _, ok := get(t, s, a, "seeded"); ok {
		t.Fatal("load lost a deletion")
	}
	if v, _ := get(t, s, a, "k1"); !reflect.DeepEqual(v, &Rec{N: 1, S: "one"}) {
		t.Fatalf("load lost a record: %v", v)
	}
	if err := s.Load(ctx, b, store.Records{"customer": {"only": &Rec{N: 9}}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := get(t, s, b, "only"); v == nil || v.N != 9 {
		t.Fatalf("loaded record = %v", v)
	}
	if _, ok := get(t, s, b, "seeded"); !ok {
		t.Fatal("a loaded tenant lost the base under its overlay")
	}
}

func concurrentUpdatesLoseNothing(t *testing.T, s store.Backend) {
	const workers, each = 8, 100
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				_ = s.Update(ctx, a, func(tx store.Tx) error {
					n := 0
					if c, ok := counters.Get(tx, "n"); ok {
						n = c.N
					}
					counters.Put(tx, "n", &Rec{N: n + 1})
					return nil
				})
			}
		}()
	}
	wg.Wait()
	var got int
	_ = s.View(ctx, a, func(r store.Reader) error {
		if c, ok := counters.Get(r, "n"); ok {
			got = c.N
		}
		return nil
	})
	if got != workers*each {
		t.Fatalf("counter = %d, want %d", got, workers*each)
	}
	tenants, err := s.Tenants(ctx, "dcms")
	if err != nil || fmt.Sprint(tenants) != "[A]" {
		t.Fatalf("tenants = %v %v", tenants, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}
