// Package coverage answers the question a partner's certification asks: has my
// integration been exercised against every documented outcome? It counts, per tenant, how
// many calls were answered with each outcome of the scenario catalogue, and how many of
// those the client forced (steering header, armed rule, magic value).
//
// The counts live in the state store with the tenant's state (a partition of their own,
// API "coverage"), so they are shared by replicas when the store is, and a tenant reset
// drops them with the rest of the tenant.
package coverage

import (
	"context"
	"log/slog"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

// API is the partition name coverage keeps its counts under.
const API = "coverage"

var (
	kinds     = store.Kinds{}
	kindCount = store.Define[Count](kinds, "count") // id: operationId + "/" + outcome
)

// Kinds are coverage's record kinds, for stores that encode values.
func Kinds() store.Kinds { return kinds }

// Count is how often one tenant's calls of one operation got one outcome. Stored values
// are never changed: a call stores a new one.
type Count struct {
	N      int `json:"n"`      // calls answered with the outcome
	Forced int `json:"forced"` // of those, forced by the client
}

// maxTenant bounds the tenant names counted: every partner API's tenants are shorter, and
// a made-up credential of any length never becomes a partition.
const maxTenant = 128

// Counter counts outcomes per tenant in a store. It is safe for concurrent use.
type Counter struct {
	store store.Store
	cat   *scenarios.Catalogue
	log   *slog.Logger
	// keys holds each operation's record ids in the order of its outcomes, and incr the
	// store updates that count them (by the state, by the client), all built once: counting
	// a call builds no string and no closure.
	keys map[*scenarios.Operation][]string
	incr map[*scenarios.Operation][][2]func(store.Tx) error
}

// New returns a counter over every operation of cat.
func New(st store.Store, cat *scenarios.Catalogue, log *slog.Logger) *Counter {
	c := &Counter{store: st, cat: cat, log: log, keys: map[*scenarios.Operation][]string{}, incr: map[*scenarios.Operation][][2]func(store.Tx) error{}}
	for _, op := range cat.Operations() {
		ids := make([]string, len(op.Outcomes))
		incr := make([][2]func(store.Tx) error, len(op.Outcomes))
		for i, o := range op.Outcomes {
			ids[i] = op.ID + "/" + o.Name
			incr[i] = [2]func(store.Tx) error{increment(ids[i], false), increment(ids[i], true)}
		}
		c.keys[op], c.incr[op] = ids, incr
	}
	return c
}

// increment is the update that counts one call answered with the outcome of record id.
func increment(id string, forced bool) func(store.Tx) error {
	return func(tx store.Tx) error {
		n := Count{N: 1}
		if old, ok := kindCount.Get(tx, id); ok {
			n = Count{N: old.N + 1, Forced: old.Forced}
		}
		if forced {
			n.Forced++
		}
		kindCount.Put(tx, id, &n)
		return nil
	}
}

func partition(tenant string) store.Partition { return store.Partition{API: API, Tenant: tenant} }

// Count records that a call of tenant to op was answered with outcome. Outcomes the
// catalogue does not document (no answer, a client that gave up) are not counted. A
// store failure is logged and the call is not counted: the partner's answer is already
// on its way.
func (c *Counter) Count(tenant string, op *scenarios.Operation, outcome string, forced bool) {
	if len(tenant) > maxTenant {
		return
	}
	var update func(store.Tx) error
	for i := range op.Outcomes {
		if op.Outcomes[i].Name == outcome {
			if incr := c.incr[op]; i < len(incr) {
				update = incr[i][b2i(forced)]
			}
			break
		}
	}
	if update == nil {
		return
	}
	err := c.store.Update(context.Background(), partition(tenant), update)
	if err != nil && c.log != nil {
		c.log.Debug("coverage not counted", "tenant", tenant, "operationId", op.ID, "outcome", outcome, "err", err)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Outcome is one documented outcome with its counts.
type Outcome struct {
	*scenarios.Outcome
	Count
}

// Operation is one operation's outcomes with their counts.
type Operation struct {
	*scenarios.Operation
	Outcomes []Outcome
}

// Report is a tenant's coverage: every documented outcome of every operation (of one API,
// or all), in catalogue order.
type Report struct {
	Tenant         string
	Covered, Total int // outcomes received at least once, of all
	Operations     []Operation
}

// Percent is the share of outcomes covered, 0 to 100 (100 when there is nothing to cover).
func (r *Report) Percent() float64 {
	if r.Total == 0 {
		return 100
	}
	return 100 * float64(r.Covered) / float64(r.Total)
}

// Report reads tenant's coverage of api ("" : every API).
func (c *Counter) Report(ctx context.Context, tenant, api string) (Report, error) {
	counts := map[string]Count{}
	err := c.store.View(ctx, partition(tenant), func(r store.Reader) error {
		kindCount.Scan(r, func(id string, v *Count) bool {
			counts[id] = *v
			return true
		})
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	rep := Report{Tenant: tenant, Operations: []Operation{}}
	for _, op := range c.cat.Operations() {
		if api != "" && op.API != api {
			continue
		}
		o := Operation{Operation: op, Outcomes: make([]Outcome, len(op.Outcomes))}
		for i := range op.Outcomes {
			n := counts[c.keys[op][i]]
			o.Outcomes[i] = Outcome{Outcome: &op.Outcomes[i], Count: n}
			rep.Total++
			if n.N > 0 {
				rep.Covered++
			}
		}
		rep.Operations = append(rep.Operations, o)
	}
	return rep, nil
}

// Clear drops tenant's counts and says how many (operation, outcome) counts there were.
func (c *Counter) Clear(ctx context.Context, tenant string) (int, error) {
	n := 0
	err := c.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		var ids []string
		kindCount.Scan(tx, func(id string, _ *Count) bool {
			ids = append(ids, id)
			return true
		})
		for _, id := range ids {
			kindCount.Delete(tx, id)
		}
		n = len(ids)
		return nil
	})
	return n, err
}
