package store

import (
	"context"
	"slices"
	"sync"
)

// Memory is the in-memory Backend: one overlay per partition over a shared Base.
type Memory struct {
	base Base

	mu    sync.RWMutex
	parts map[Partition]*partition
}

// partition is one tenant's overlay of one API: only what the tenant wrote.
type partition struct {
	mu sync.RWMutex
	// rd reads the partition; its own is the overlay (kind → id → entry). Every View
	// shares it under the read lock, so a read allocates nothing for it.
	rd view
}

// entry is an overlay record; deleted hides the base record of the same id.
type entry struct {
	v       any
	deleted bool
}

var _ Backend = (*Memory)(nil)

// NewMemory returns an in-memory store over base (nil: an empty base).
func NewMemory(base Base) *Memory {
	if base == nil {
		base = NewFixtures()
	}
	return &Memory{base: base, parts: make(map[Partition]*partition)}
}

func (m *Memory) partition(p Partition) *partition {
	m.mu.RLock()
	part := m.parts[p]
	m.mu.RUnlock()
	if part != nil {
		return part
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if part = m.parts[p]; part == nil {
		part = &partition{rd: view{base: m.base, p: p}}
		m.parts[p] = part
	}
	return part
}

// View runs fn with read access to the partition.
func (m *Memory) View(ctx context.Context, p Partition, fn func(Reader) error) error {
	part := m.partition(p)
	part.mu.RLock()
	defer part.mu.RUnlock()
	return fn(&part.rd)
}

// Update runs fn with write access; its writes are applied only if it returns nil.
func (m *Memory) Update(ctx context.Context, p Partition, fn func(Tx) error) error {
	part := m.partition(p)
	part.mu.Lock()
	defer part.mu.Unlock()
	tx := &update{view: part.rd}
	if err := fn(tx); err != nil {
		return err
	}
	part.rd.own = tx.commit()
	return nil
}

// Reset drops overlays: the tenant's, or every one when tenant is "".
func (m *Memory) Reset(_ context.Context, tenant string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.parts {
		if tenant == "" || p.Tenant == tenant {
			delete(m.parts, p)
		}
	}
	return nil
}

// Tenants lists an API's tenants that have used it.
func (m *Memory) Tenants(_ context.Context, api string) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for p := range m.parts {
		if p.API == api {
			out = append(out, p.Tenant)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Dump copies the partition's overlay (the values themselves are immutable).
func (m *Memory) Dump(_ context.Context, p Partition) (Records, error) {
	m.mu.RLock()
	part := m.parts[p]
	m.mu.RUnlock()
	out := Records{}
	if part == nil {
		return out, nil
	}
	part.mu.RLock()
	defer part.mu.RUnlock()
	for kind, recs := range part.rd.own {
		if len(recs) == 0 {
			continue
		}
		out[kind] = make(map[string]any, len(recs))
		for id, e := range recs {
			out[kind][id] = e.v // nil for a deletion
		}
	}
	return out, nil
}

// Load replaces the partition's overlay.
func (m *Memory) Load(_ context.Context, p Partition, recs Records) error {
	kinds := make(map[string]map[string]entry, len(recs))
	for kind, r := range recs {
		kinds[kind] = make(map[string]entry, len(r))
		for id, v := range r {
			kinds[kind][id] = entry{v: v, deleted: v == nil}
		}
	}
	part := m.partition(p)
	part.mu.Lock()
	defer part.mu.Unlock()
	part.rd.own = kinds
	return nil
}

// Ping always succeeds: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }

// view reads a partition: its overlay first, then the base.
type view struct {
	base Base
	p    Partition
	own  map[string]map[string]entry
}

func (v *view) Get(kind, id string) (any, bool) {
	if e, ok := v.own[kind][id]; ok {
		return e.v, !e.deleted
	}
	return v.base.Get(v.p, kind, id)
}

func (v *view) Scan(kind string, fn func(id string, v any) bool) {
	scan(v.base, v.p, v.own[kind], nil, kind, fn)
}

// scan merges the base's materialised records with overlays (later ones win), in id order.
func scan(base Base, p Partition, own, pending map[string]entry, kind string, fn func(id string, v any) bool) {
	var ids []string
	base.Scan(p, kind, func(id string, _ any) bool {
		if _, ok := own[id]; !ok {
			if _, ok := pending[id]; !ok {
				ids = append(ids, id)
			}
		}
		return true
	})
	for _, layer := range []map[string]entry{own, pending} {
		for id, e := range layer {
			if !e.deleted {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		var (
			val any
			ok  bool
		)
		if e, in := pending[id]; in {
			val, ok = e.v, !e.deleted
		} else if e, in := own[id]; in {
			val, ok = e.v, !e.deleted
		} else {
			val, ok = base.Get(p, kind, id)
		}
		if ok && !fn(id, val) {
			return
		}
	}
}

// update buffers an Update's writes so a failed Update leaves the partition untouched.
type update struct {
	view
	pending map[string]map[string]entry
}

func (t *update) Get(kind, id string) (any, bool) {
	if e, ok := t.pending[kind][id]; ok {
		return e.v, !e.deleted
	}
	return t.view.Get(kind, id)
}

func (t *update) Scan(kind string, fn func(id string, v any) bool) {
	scan(t.base, t.p, t.own[kind], t.pending[kind], kind, fn)
}

func (t *update) set(kind, id string, e entry) {
	if t.pending == nil {
		t.pending = make(map[string]map[string]entry)
	}
	k := t.pending[kind]
	if k == nil {
		k = make(map[string]entry)
		t.pending[kind] = k
	}
	k[id] = e
}

func (t *update) Put(kind, id string, v any) { t.set(kind, id, entry{v: v}) }

// Delete hides the record. An overlay record with no base record under it is simply
// dropped; one over a base record becomes a tombstone.
func (t *update) Delete(kind, id string) { t.set(kind, id, entry{deleted: true}) }

// commit applies the pending writes to the overlay (the caller holds the partition's
// write lock, so no View is reading it).
func (t *update) commit() map[string]map[string]entry {
	out := t.own
	if len(t.pending) > 0 && out == nil {
		out = make(map[string]map[string]entry, len(t.pending))
	}
	for kind, chg := range t.pending {
		recs := out[kind]
		if recs == nil {
			recs = make(map[string]entry, len(chg))
			out[kind] = recs
		}
		for id, e := range chg {
			if e.deleted {
				if _, inBase := t.base.Get(t.p, kind, id); !inBase {
					delete(recs, id)
					continue
				}
			}
			recs[id] = e
		}
	}
	return out
}
