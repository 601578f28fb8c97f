package profile

import (
	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Seeder fills a new profile tenant (the profile issue adds the records).
func Seeder(opts fixtures.Options) (func(tx store.Tx) error, error) {
	return func(store.Tx) error { return nil }, nil
}
