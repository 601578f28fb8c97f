package store

import (
	"context"
	"maps"
	"slices"
	"sort"
	"sync"
)

// Memory is the in-memory Store.
type Memory struct {
	seed Seeder

	mu    sync.RWMutex
	parts map[Partition]*partition
}

type partition struct {
	mu     sync.RWMutex
	seeded bool
	kinds  map[string]map[string]any
}

// NewMemory returns an empty in-memory store that seeds each partition with seed (may be nil).
func NewMemory(seed Seeder) *Memory {
	return &Memory{seed: seed, parts: make(map[Partition]*partition)}
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
		part = &partition{kinds: make(map[string]map[string]any)}
		m.parts[p] = part
	}
	return part
}

// ensureSeeded seeds the partition once. Callers hold no lock on it.
func (m *Memory) ensureSeeded(p Partition, part *partition) error {
	part.mu.RLock()
	seeded := part.seeded
	part.mu.RUnlock()
	if seeded {
		return nil
	}
	part.mu.Lock()
	defer part.mu.Unlock()
	if part.seeded {
		return nil
	}
	if m.seed != nil {
		tx := newOverlay(part)
		if err := m.seed(p, tx); err != nil {
			return err
		}
		tx.commit()
	}
	part.seeded = true
	return nil
}

// View runs fn with read access to the partition.
func (m *Memory) View(ctx context.Context, p Partition, fn func(Tx) error) error {
	part := m.partition(p)
	if err := m.ensureSeeded(p, part); err != nil {
		return err
	}
	part.mu.RLock()
	defer part.mu.RUnlock()
	return fn(readTx{part})
}

// Update runs fn with write access; its writes are applied only if it returns nil.
func (m *Memory) Update(ctx context.Context, p Partition, fn func(Tx) error) error {
	part := m.partition(p)
	if err := m.ensureSeeded(p, part); err != nil {
		return err
	}
	part.mu.Lock()
	defer part.mu.Unlock()
	tx := newOverlay(part)
	if err := fn(tx); err != nil {
		return err
	}
	tx.commit()
	return nil
}

// Reset drops partitions; they are seeded again on next use.
func (m *Memory) Reset(tenant string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.parts {
		if tenant == "" || p.Tenant == tenant {
			delete(m.parts, p)
		}
	}
}

// Tenants lists an API's tenants that have state.
func (m *Memory) Tenants(api string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for p := range m.parts {
		if p.API == api {
			out = append(out, p.Tenant)
		}
	}
	sort.Strings(out)
	return out
}

// Dump copies the partition's record maps (the values themselves are immutable).
func (m *Memory) Dump(ctx context.Context, p Partition) (Records, error) {
	part := m.partition(p)
	if err := m.ensureSeeded(p, part); err != nil {
		return nil, err
	}
	part.mu.RLock()
	defer part.mu.RUnlock()
	out := make(Records, len(part.kinds))
	for kind, recs := range part.kinds {
		if len(recs) > 0 {
			out[kind] = maps.Clone(recs)
		}
	}
	return out, nil
}

// Load replaces the partition's records.
func (m *Memory) Load(ctx context.Context, p Partition, recs Records) error {
	kinds := make(map[string]map[string]any, len(recs))
	for kind, r := range recs {
		kinds[kind] = maps.Clone(r)
	}
	part := m.partition(p)
	part.mu.Lock()
	defer part.mu.Unlock()
	part.kinds = kinds
	part.seeded = true
	return nil
}

type readTx struct{ p *partition }

func (t readTx) Get(kind, id string) (any, bool) {
	v, ok := t.p.kinds[kind][id]
	return v, ok
}

func (t readTx) Put(kind, id string, v any) { panic("store: Put in a View transaction") }
func (t readTx) Delete(kind, id string)     { panic("store: Delete in a View transaction") }

func (t readTx) Scan(kind string, fn func(id string, v any) bool) {
	recs := t.p.kinds[kind]
	ids := make([]string, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !fn(id, recs[id]) {
			return
		}
	}
}

// overlay buffers an Update's writes so a failed Update leaves the partition untouched.
type overlay struct {
	p       *partition
	changes map[string]map[string]change
}

type change struct {
	v       any
	deleted bool
}

func newOverlay(p *partition) *overlay { return &overlay{p: p} }

func (t *overlay) Get(kind, id string) (any, bool) {
	if c, ok := t.changes[kind][id]; ok {
		return c.v, !c.deleted
	}
	v, ok := t.p.kinds[kind][id]
	return v, ok
}

func (t *overlay) set(kind, id string, c change) {
	if t.changes == nil {
		t.changes = make(map[string]map[string]change)
	}
	k := t.changes[kind]
	if k == nil {
		k = make(map[string]change)
		t.changes[kind] = k
	}
	k[id] = c
}

func (t *overlay) Put(kind, id string, v any) { t.set(kind, id, change{v: v}) }
func (t *overlay) Delete(kind, id string)     { t.set(kind, id, change{deleted: true}) }

func (t *overlay) Scan(kind string, fn func(id string, v any) bool) {
	base := t.p.kinds[kind]
	chg := t.changes[kind]
	ids := make([]string, 0, len(base)+len(chg))
	for id := range base {
		if _, ok := chg[id]; !ok {
			ids = append(ids, id)
		}
	}
	for id, c := range chg {
		if !c.deleted {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		v, _ := t.Get(kind, id)
		if !fn(id, v) {
			return
		}
	}
}

func (t *overlay) commit() {
	for kind, chg := range t.changes {
		recs := t.p.kinds[kind]
		if recs == nil {
			recs = make(map[string]any)
			t.p.kinds[kind] = recs
		}
		for id, c := range chg {
			if c.deleted {
				delete(recs, id)
			} else {
				recs[id] = c.v
			}
		}
	}
}
