package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(base store.Base) store.Backend { return store.NewMemory(base) })
}

func TestEncoded(t *testing.T) {
	storetest.Run(t, func(base store.Base) store.Backend {
		return &store.Encoded{Inner: store.NewMemory(base), Kinds: storetest.Kinds}
	})
}

// An unregistered kind cannot be stored through a backend that encodes values, and the
// failed Update changes nothing.
func TestEncodedRefusesUnregisteredKinds(t *testing.T) {
	ctx := context.Background()
	s := &store.Encoded{Inner: store.NewMemory(storetest.Base()), Kinds: storetest.Kinds}
	p := store.Partition{API: "dcms", Tenant: "A"}
	err := s.Update(ctx, p, func(tx store.Tx) error {
		tx.Put("customer", "ok", &storetest.Rec{N: 1})
		tx.Put("unknown", "x", &storetest.Rec{})
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "not a record kind") {
		t.Fatalf("err = %v", err)
	}
	dump, _ := s.Dump(ctx, p)
	if !dump.Empty() {
		t.Fatalf("a refused update left %v", dump)
	}
}

// Encoded runs every Update's function twice, the first run discarded: a function with an
// effect outside its transaction is caught.
func TestEncodedRerunsUpdates(t *testing.T) {
	s := &store.Encoded{Inner: store.NewMemory(nil), Kinds: storetest.Kinds}
	runs := 0
	_ = s.Update(context.Background(), store.Partition{API: "dcms", Tenant: "A"}, func(tx store.Tx) error {
		runs++
		return nil
	})
	if runs != 2 {
		t.Fatalf("runs = %d, want 2", runs)
	}
}
