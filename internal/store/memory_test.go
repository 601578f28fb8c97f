package store_test

import (
	"testing"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(seed store.Seeder) store.Store { return store.NewMemory(seed) })
}
