// Package coverage answers the question a partner's certification asks: has my
// integration been exercised against every documented outcome? It counts, per tenant, how
// many calls were answered with each outcome of the scenario catalogue, and how many of
// those the client forced (steering header, armed rule, magic value).
//
// The counts live in the state store (a partition of their own, API "coverage", with one
// record per tenant), so they are shared by replicas when the store is; a tenant reset
// drops the tenant's record. A call adds to a small in-memory tally (no store access, no
// allocation on the partner call's path); the tally goes to the store every FlushEvery,
// before every read, and at Close.
package coverage

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/tenant"
	"github.com/partnersandbox/sandbox/scenarios"
)

// API is the partition name coverage keeps its counts under.
const API = "coverage"

// FlushEvery is how often the tally goes to the store, so other replicas see it.
const FlushEvery = 250 * time.Millisecond

var (
	kinds     = store.Kinds{}
	kindTally = store.Define[Tally](kinds, "tally") // id: the tenant
)

// counts is the partition of every tenant's counts: one small record per tenant, not a
// partition per tenant, so a tenant that made one call costs a record, not a partition.
var counts = store.Partition{API: API}

// Kinds are coverage's record kinds, for stores that encode values.
func Kinds() store.Kinds { return kinds }

// Count is how often one tenant's calls of one operation got one outcome.
type Count struct {
	N      int `json:"n"`      // calls answered with the outcome
	Forced int `json:"forced"` // of those, forced by the client
}

// Tally is a tenant's counts, in id order. Stored values are never changed: an update
// stores a new one.
type Tally struct {
	Counts []Entry `json:"counts"`
}

// Entry is one outcome's count in a Tally.
type Entry struct {
	ID string `json:"id"` // operationId + "/" + outcome
	Count
}

// add returns t with n more calls of outcome id.
func (t *Tally) add(id string, n Count) *Tally {
	out := &Tally{Counts: make([]Entry, 0, len(t.Counts)+1)}
	i, found := slices.BinarySearchFunc(t.Counts, id, func(e Entry, id string) int { return strings.Compare(e.ID, id) })
	out.Counts = append(out.Counts, t.Counts[:i]...)
	if found {
		old := t.Counts[i].Count
		out.Counts = append(out.Counts, Entry{ID: id, Count: Count{N: old.N + n.N, Forced: old.Forced + n.Forced}})
		i++
	} else {
		out.Counts = append(out.Counts, Entry{ID: id, Count: n})
	}
	out.Counts = append(out.Counts, t.Counts[i:]...)
	return out
}

// key names one tally: a tenant and an outcome's record id (an index into Counter.ids).
type key struct {
	tenant string
	id     int32
}

// Counter counts outcomes per tenant. It is safe for concurrent use.
type Counter struct {
	store store.Store
	cat   *scenarios.Catalogue
	log   *slog.Logger
	// ids are every outcome's record id, built once; first holds each operation's index of
	// its first outcome in ids, so counting a call builds no string.
	ids   []string
	first map[*scenarios.Operation]int32

	mu     sync.Mutex // guards tally and spare
	tally  map[key]Count
	spare  map[key]Count // the previous tally, emptied, so a steady flow of calls allocates nothing
	flushM sync.Mutex    // one flush (or forget) at a time

	stop chan struct{}
	done chan struct{}
}

// New returns a counter over every operation of cat, flushing to st every FlushEvery
// until Close.
func New(st store.Store, cat *scenarios.Catalogue, log *slog.Logger) *Counter {
	c := &Counter{store: st, cat: cat, log: log, first: map[*scenarios.Operation]int32{},
		tally: map[key]Count{}, spare: map[key]Count{}, stop: make(chan struct{}), done: make(chan struct{})}
	for _, op := range cat.Operations() {
		c.first[op] = int32(len(c.ids))
		for _, o := range op.Outcomes {
			c.ids = append(c.ids, op.ID+"/"+o.Name)
		}
	}
	go c.flushLoop()
	return c
}

func (c *Counter) flushLoop() {
	defer close(c.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if err := c.Flush(context.Background()); err != nil && c.log != nil {
				c.log.Warn("coverage: counts not written to the store; will try again", "err", err)
			}
		}
	}
}

// Close stops the background flush and writes what is left.
func (c *Counter) Close() error {
	select {
	case <-c.stop:
		return nil
	default:
	}
	close(c.stop)
	<-c.done
	return c.Flush(context.Background())
}

// Observe counts a finished partner call that named a tenant: the counter is one of the
// pipeline's observers.
func (c *Counter) Observe(f *server.Finished, call *server.Call, _ *http.Request) {
	if f.Tenant != "" {
		c.Count(f.Tenant, call.Op, f.Outcome, f.DecidedBy != server.DecidedByState)
	}
}

// Count records that a call of tenant name to op was answered with outcome. Outcomes the
// catalogue does not document (no answer, a client that gave up) are not counted, nor are
// names that are no tenant name.
func (c *Counter) Count(name string, op *scenarios.Operation, outcome string, forced bool) {
	first, ok := c.first[op]
	if !ok || !tenant.Valid(name) {
		return
	}
	for i := range op.Outcomes {
		if op.Outcomes[i].Name != outcome {
			continue
		}
		k := key{name, first + int32(i)}
		c.mu.Lock()
		n := c.tally[k]
		n.N++
		if forced {
			n.Forced++
		}
		c.tally[k] = n
		c.mu.Unlock()
		return
	}
}

// Flush writes the tally to the store, in one update. Counts a failed update could not
// write are added back, to be written by the next flush.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushM.Lock()
	defer c.flushM.Unlock()
	c.mu.Lock()
	taken := c.tally
	c.tally, c.spare = c.spare, nil
	c.mu.Unlock()

	var err error
	if len(taken) > 0 {
		err = c.store.Update(ctx, counts, func(tx store.Tx) error {
			changed := map[string]*Tally{}
			for k, n := range taken {
				name := k.tenant
				t := changed[name]
				if t == nil {
					if t, _ = kindTally.Get(tx, name); t == nil {
						t = &Tally{}
					}
				}
				changed[name] = t.add(c.ids[k.id], n)
			}
			for name, t := range changed {
				kindTally.Put(tx, name, t)
			}
			return nil
		})
		if err == nil {
			clear(taken)
		}
	}
	c.mu.Lock()
	for k, n := range taken { // not written: count them again
		m := c.tally[k]
		c.tally[k] = Count{N: m.N + n.N, Forced: m.Forced + n.Forced}
	}
	clear(taken)
	c.spare = taken
	c.mu.Unlock()
	return err
}

// Reset drops a tenant's counts ("": every tenant's), those not yet written included, so
// no later flush brings back counts from before the reset.
func (c *Counter) Reset(ctx context.Context, name string) error {
	c.flushM.Lock()
	defer c.flushM.Unlock()
	c.mu.Lock()
	for k := range c.tally {
		if name == "" || k.tenant == name {
			delete(c.tally, k)
		}
	}
	c.mu.Unlock()
	return c.store.Update(ctx, counts, func(tx store.Tx) error {
		if name != "" {
			kindTally.Delete(tx, name)
			return nil
		}
		var all []string
		kindTally.Scan(tx, func(id string, _ *Tally) bool {
			all = append(all, id)
			return true
		})
		for _, id := range all {
			kindTally.Delete(tx, id)
		}
		return nil
	})
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

// Report reads tenant's coverage of api ("" : every API), after writing the tally, so it
// includes every call this sandbox has answered.
func (c *Counter) Report(ctx context.Context, tenant, api string) (Report, error) {
	if err := c.Flush(ctx); err != nil {
		return Report{}, err
	}
	got := map[string]Count{}
	err := c.store.View(ctx, counts, func(r store.Reader) error {
		clear(got)
		if t, ok := kindTally.Get(r, tenant); ok {
			for _, e := range t.Counts {
				got[e.ID] = e.Count
			}
		}
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
			n := got[c.ids[c.first[op]+int32(i)]]
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
	if err := c.Flush(ctx); err != nil {
		return 0, err
	}
	n := 0
	err := c.store.Update(ctx, counts, func(tx store.Tx) error {
		n = 0
		if t, ok := kindTally.Get(tx, tenant); ok {
			n = len(t.Counts)
			kindTally.Delete(tx, tenant)
		}
		return nil
	})
	return n, err
}
