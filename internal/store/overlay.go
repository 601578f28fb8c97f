package store

import "slices"

// Entry is an overlay record: a value, or a tombstone hiding the base record of its id.
type Entry struct {
	V       any
	Deleted bool
}

// Overlay is a partition's own records, kind → id → entry, as a backend holds them in
// memory (the in-memory store, or a network store's local copy). A transaction never
// changes an Overlay it reads; Staged.Commit builds the next one.
type Overlay map[string]map[string]Entry

// Layered is a partition as a transaction reads it: the overlay first, then the base.
type Layered struct {
	Base Base
	P    Partition
	Own  Overlay
}

// Get returns the record: the overlay's (a tombstone hides it), else the base's.
func (v *Layered) Get(kind, id string) (any, bool) {
	if e, ok := v.Own[kind][id]; ok {
		return e.V, !e.Deleted
	}
	return v.Base.Get(v.P, kind, id)
}

// Scan visits the kind's base and overlay records in id order.
func (v *Layered) Scan(kind string, fn func(id string, v any) bool) {
	scan(v.Base, v.P, v.Own[kind], nil, kind, fn)
}

// scan merges the base's materialised records with overlays (later ones win), in id order.
func scan(base Base, p Partition, own, pending map[string]Entry, kind string, fn func(id string, v any) bool) {
	var ids []string
	base.Scan(p, kind, func(id string, _ any) bool {
		if _, ok := own[id]; !ok {
			if _, ok := pending[id]; !ok {
				ids = append(ids, id)
			}
		}
		return true
	})
	for _, layer := range []map[string]Entry{own, pending} {
		for id, e := range layer {
			if !e.Deleted {
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
			val, ok = e.V, !e.Deleted
		} else if e, in := own[id]; in {
			val, ok = e.V, !e.Deleted
		} else {
			val, ok = base.Get(p, kind, id)
		}
		if ok && !fn(id, val) {
			return
		}
	}
}

// Staged is a write transaction over a Layered partition: it sees its own writes, and
// keeps them apart until the backend commits them, so a failed Update leaves nothing.
type Staged struct {
	Layered
	pending Overlay
}

// NewStaged starts a write transaction over own.
func NewStaged(base Base, p Partition, own Overlay) *Staged {
	return &Staged{Layered: Layered{Base: base, P: p, Own: own}}
}

func (t *Staged) Get(kind, id string) (any, bool) {
	if e, ok := t.pending[kind][id]; ok {
		return e.V, !e.Deleted
	}
	return t.Layered.Get(kind, id)
}

func (t *Staged) Scan(kind string, fn func(id string, v any) bool) {
	scan(t.Base, t.P, t.Own[kind], t.pending[kind], kind, fn)
}

func (t *Staged) set(kind, id string, e Entry) {
	if t.pending == nil {
		t.pending = make(Overlay)
	}
	k := t.pending[kind]
	if k == nil {
		k = make(map[string]Entry)
		t.pending[kind] = k
	}
	k[id] = e
}

func (t *Staged) Put(kind, id string, v any) { t.set(kind, id, Entry{V: v}) }

// Delete hides the record. An overlay record with no base record under it is simply
// dropped; one over a base record becomes a tombstone.
func (t *Staged) Delete(kind, id string) { t.set(kind, id, Entry{Deleted: true}) }

// Changes visits the staged writes: a value, a tombstone (drop false) for a deleted base
// record, or drop true for a deleted record that only the overlay had.
func (t *Staged) Changes(fn func(kind, id string, e Entry, drop bool)) {
	for kind, chg := range t.pending {
		for id, e := range chg {
			drop := false
			if e.Deleted {
				_, inBase := t.Base.Get(t.P, kind, id)
				drop = !inBase
			}
			fn(kind, id, e, drop)
		}
	}
}

// Written says whether the transaction wrote anything.
func (t *Staged) Written() bool { return len(t.pending) > 0 }

// Commit applies the staged writes to the overlay in place and returns it (the caller
// makes sure no reader is using it).
func (t *Staged) Commit() Overlay {
	out := t.Own
	if len(t.pending) > 0 && out == nil {
		out = make(Overlay, len(t.pending))
	}
	t.Changes(func(kind, id string, e Entry, drop bool) {
		recs := out[kind]
		if recs == nil {
			recs = make(map[string]Entry)
			out[kind] = recs
		}
		if drop {
			delete(recs, id)
		} else {
			recs[id] = e
		}
	})
	return out
}
