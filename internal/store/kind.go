package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Kinds is an API's record kinds: for each kind name, a new value of its Go type. It is
// how snapshots and network backends decode stored JSON back into records.
type Kinds map[string]func() any

// Kind is one record kind of an API, registered once with its Go type: Get, Put and Scan
// through it are typed, so no caller asserts types.
type Kind[T any] struct{ name string }

// Define registers a kind named name whose records are *T.
func Define[T any](ks Kinds, name string) Kind[T] {
	if _, dup := ks[name]; dup {
		panic("store: kind " + name + " defined twice")
	}
	ks[name] = func() any { return new(T) }
	return Kind[T]{name: name}
}

// Name is the kind's name in the store and in snapshots.
func (k Kind[T]) Name() string { return k.name }

// Get returns the record id of this kind.
func (k Kind[T]) Get(r Reader, id string) (*T, bool) {
	v, ok := r.Get(k.name, id)
	if !ok {
		return nil, false
	}
	t, ok := v.(*T)
	return t, ok
}

// Put stores v as the record id of this kind.
func (k Kind[T]) Put(tx Tx, id string, v *T) { tx.Put(k.name, id, v) }

// Delete removes the record id of this kind.
func (k Kind[T]) Delete(tx Tx, id string) { tx.Delete(k.name, id) }

// Scan visits this kind's materialised records in id order until fn returns false.
func (k Kind[T]) Scan(r Reader, fn func(id string, v *T) bool) {
	r.Scan(k.name, func(id string, v any) bool {
		t, ok := v.(*T)
		return !ok || fn(id, t)
	})
}

// Decode turns a record's JSON into a value of the kind's type.
func (ks Kinds) Decode(kind string, data []byte) (any, error) {
	newValue, ok := ks[kind]
	if !ok {
		return nil, fmt.Errorf("not a record kind (known: %v)", slices.Sorted(maps.Keys(ks)))
	}
	v := newValue()
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	return v, nil
}
