// Package store keeps the sandbox's state, partitioned by API and tenant.
//
// A partition is seeded from the fixtures the first time it is used and is dropped by
// Reset. All access goes through transactions: View for reads, Update for writes. An
// Update whose function returns an error changes nothing, so a failed request never leaves
// state half written. Updates of one partition are serialised; partitions never share data.
//
// Values are treated as immutable: a caller never changes a value it got from Get or Scan,
// it Puts a new one. That lets the in-memory store hand out its own values without copying.
package store

import "context"

// Partition names one tenant's state in one API.
type Partition struct {
	API    string // dcms, dmt, profile
	Tenant string // DCMS tenant header, DMT client_id, profile token tenant
}

// Tx is one partition's state inside a transaction. Kinds name record types
// ("customer", "kit", ...); ids are unique within a kind.
type Tx interface {
	Get(kind, id string) (any, bool)
	Put(kind, id string, v any)
	Delete(kind, id string)
	// Scan visits a kind's records in id order until fn returns false.
	Scan(kind string, fn func(id string, v any) bool)
}

// Seeder fills a new partition; it runs inside the partition's first transaction.
type Seeder func(p Partition, tx Tx) error

// Store is what the domain needs of a state store. The in-memory Memory is the default;
// any other implementation must pass the same tests (see storetest).
type Store interface {
	View(ctx context.Context, p Partition, fn func(Tx) error) error
	Update(ctx context.Context, p Partition, fn func(Tx) error) error
	// Reset drops a tenant's partitions in every API, or every partition when tenant is "".
	Reset(tenant string)
	// Tenants lists the tenants of an API that have state, sorted.
	Tenants(api string) []string
	// Dump returns every record of a partition (seeding it first): kind → id → value.
	Dump(ctx context.Context, p Partition) (Records, error)
	// Load replaces a partition with exactly these records; it is not seeded again.
	Load(ctx context.Context, p Partition, recs Records) error
}

// Records are a partition's records: kind → id → value.
type Records map[string]map[string]any
