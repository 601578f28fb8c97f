// Package store keeps the sandbox's state, partitioned by API and tenant.
//
// Every tenant reads through one shared, immutable Base: the documented fixtures and the
// generated customers, the same for everyone. A tenant's partition holds only what that
// tenant wrote (new records, changed records, and deletions as tombstones), so a tenant
// that only reads costs almost nothing and a reset drops its overlay.
//
// All access goes through transactions: View for reads, Update for writes. An Update whose
// function returns an error changes nothing, so a failed request never leaves state half
// written. Updates of one partition are serialised; partitions never share data.
//
// A backend may fail (a network store). Reads inside a transaction cannot return an error,
// so that domain code stays readable: a backend that fails a read records the failure, and
// View or Update returns it (wrapping ErrUnavailable) and discards the transaction's writes.
// Whatever the function decided on a failed read is therefore never applied.
//
// Update's function may run more than once (an optimistic backend re-runs it when another
// writer got there first), so it must have no effect outside the transaction: collect
// results in variables it resets at its start, and send events only after Update returns.
//
// Values are immutable pointers to the kind's registered type (see Kind): a caller never
// changes a value it got from Get or Scan, it Puts a new one. That lets the in-memory
// store hand out its own values without copying; a network backend encodes them as JSON.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrUnavailable wraps every failure of the backend itself (not of the request): the
// partner APIs answer it with their documented 503.
var ErrUnavailable = errors.New("state store unavailable")

// Partition names one tenant's state in one API.
type Partition struct {
	API    string // dcms, dmt, profile
	Tenant string // DCMS tenant header, DMT client_id, profile token tenant
}

// Reader is one partition's state as a transaction sees it: the tenant's own records over
// the shared base. Kinds name record types ("customer", "kit", ...); ids are unique within
// a kind.
type Reader interface {
	Get(kind, id string) (any, bool)
	// Scan visits a kind's materialised records in id order until fn returns false: the
	// documented fixtures and the tenant's own records. Generated records are reachable
	// by id only, so no operation ever walks a million generated customers.
	Scan(kind string, fn func(id string, v any) bool)
}

// Tx is a Reader that can write; its writes are applied when the Update returns nil.
type Tx interface {
	Reader
	Put(kind, id string, v any)
	Delete(kind, id string)
}

// Store is what the partner APIs see: read and write transactions on one partition.
type Store interface {
	View(ctx context.Context, p Partition, fn func(Reader) error) error
	Update(ctx context.Context, p Partition, fn func(Tx) error) error
}

// Global is the tenant of a partition that holds the sandbox's own records rather than a
// tenant's state (the declared tenants): no tenant name is valid as it, so no caller's
// partition is ever one, and Reset, even of every tenant, leaves it alone.
const Global = "*"

// Admin is what the admin side (reset, snapshots, persistence) needs besides transactions.
type Admin interface {
	// Reset drops a tenant's overlays in every API, or every overlay when tenant is "" (but
	// never a Global partition).
	Reset(ctx context.Context, tenant string) error
	// Tenants lists the tenants of an API that have used it, sorted.
	Tenants(ctx context.Context, api string) ([]string, error)
	// Dump returns a partition's overlay: the records the tenant wrote, and a nil value
	// for each base record it deleted.
	Dump(ctx context.Context, p Partition) (Records, error)
	// Load replaces a partition's overlay with recs (nil values are deletions).
	Load(ctx context.Context, p Partition, recs Records) error
	// Ping says whether the backend can serve (readiness).
	Ping(ctx context.Context) error
}

// Backend is a complete state store: Memory, or a network store passing the same suite
// (see storetest).
type Backend interface {
	Store
	Admin
}

// Records are a partition's overlay: kind → id → value, nil for a deleted base record.
type Records map[string]map[string]any

// Empty says whether an overlay holds nothing.
func (r Records) Empty() bool {
	for _, recs := range r {
		if len(recs) > 0 {
			return false
		}
	}
	return true
}

// StartKey is the context key under which the pipeline keeps when the call being served
// began (a *time.Time). A network backend whose copy of a partition was brought up to date
// after that moment may read it without asking again: every change acknowledged before the
// call began is in it.
type StartKey struct{}

// Started returns when the call of ctx began, if ctx says.
func Started(ctx context.Context) (time.Time, bool) {
	if t, ok := ctx.Value(StartKey{}).(*time.Time); ok && t != nil && !t.IsZero() {
		return *t, true
	}
	return time.Time{}, false
}
