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
	// rd reads the partition; its Own is the overlay. Every View shares it under the read
	// lock, so a read allocates nothing for it.
	rd Layered
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
		part = &partition{rd: Layered{Base: m.base, P: p}}
		m.parts[p] = part
	}
	return part
}

// View runs fn with read access to the partition (see Peek for a partition not used yet).
func (m *Memory) View(ctx context.Context, p Partition, fn func(Reader) error) error {
	if Peeking(ctx) {
		m.mu.RLock()
		known := m.parts[p] != nil
		m.mu.RUnlock()
		if !known {
			return fn(&Layered{Base: m.base, P: p})
		}
	}
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
	tx := &Staged{Layered: part.rd}
	if err := fn(tx); err != nil {
		return err
	}
	part.rd.Own = tx.Commit()
	return nil
}

// Reset drops overlays: the tenant's, or every one but the Global ones when tenant is "".
func (m *Memory) Reset(_ context.Context, tenant string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.parts {
		if tenant == "" && p.Tenant != Global || p.Tenant == tenant {
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
	for kind, recs := range part.rd.Own {
		if len(recs) == 0 {
			continue
		}
		out[kind] = make(map[string]any, len(recs))
		for id, e := range recs {
			out[kind][id] = e.V // nil for a deletion
		}
	}
	return out, nil
}

// Load replaces the partition's overlay.
func (m *Memory) Load(_ context.Context, p Partition, recs Records) error {
	kinds := make(Overlay, len(recs))
	for kind, r := range recs {
		kinds[kind] = make(map[string]Entry, len(r))
		for id, v := range r {
			kinds[kind][id] = Entry{V: v, Deleted: v == nil}
		}
	}
	part := m.partition(p)
	part.mu.Lock()
	defer part.mu.Unlock()
	part.rd.Own = kinds
	return nil
}

// Ping always succeeds: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }
