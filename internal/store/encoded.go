package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Encoded wraps a Backend so that it behaves as a network backend will: every value is
// encoded to JSON when written and decoded into a new value of its registered type when
// read (so nothing can depend on pointer identity or on an unregistered type), and every
// Update's function runs twice, the first run discarded (as an optimistic backend re-runs
// it after a conflict), so a function with effects outside its transaction shows up.
// Tests run the store suite and the partner APIs through it.
type Encoded struct {
	Inner Backend
	Kinds map[string]Kinds // api → its record kinds
}

var _ Backend = (*Encoded)(nil)

var errRerun = errors.New("store: first run discarded")

// View runs fn over round-tripped values.
func (e *Encoded) View(ctx context.Context, p Partition, fn func(Reader) error) error {
	var r *codecTx
	err := e.Inner.View(ctx, p, func(inner Reader) error {
		r = &codecTx{kinds: e.Kinds[p.API], r: inner}
		return fn(r)
	})
	if r != nil && r.err != nil {
		return r.err
	}
	return err
}

// Update runs fn twice: once discarded, then for real.
func (e *Encoded) Update(ctx context.Context, p Partition, fn func(Tx) error) error {
	for _, final := range []bool{false, true} {
		var t *codecTx
		err := e.Inner.Update(ctx, p, func(inner Tx) error {
			t = &codecTx{kinds: e.Kinds[p.API], r: inner, w: inner}
			if err := fn(t); err != nil {
				return err
			}
			if t.err != nil {
				return t.err
			}
			if !final {
				return errRerun
			}
			return nil
		})
		if t != nil && t.err != nil {
			return t.err
		}
		if final || !errors.Is(err, errRerun) {
			return err
		}
	}
	return nil
}

// Reset passes through.
func (e *Encoded) Reset(ctx context.Context, tenant string) error { return e.Inner.Reset(ctx, tenant) }

// Tenants passes through.
func (e *Encoded) Tenants(ctx context.Context, api string) ([]string, error) {
	return e.Inner.Tenants(ctx, api)
}

// Dump round-trips every value of the overlay.
func (e *Encoded) Dump(ctx context.Context, p Partition) (Records, error) {
	recs, err := e.Inner.Dump(ctx, p)
	if err != nil {
		return nil, err
	}
	return e.roundTrip(p.API, recs)
}

// Load round-trips every value before loading.
func (e *Encoded) Load(ctx context.Context, p Partition, recs Records) error {
	out, err := e.roundTrip(p.API, recs)
	if err != nil {
		return err
	}
	return e.Inner.Load(ctx, p, out)
}

// Ping passes through.
func (e *Encoded) Ping(ctx context.Context) error { return e.Inner.Ping(ctx) }

func (e *Encoded) roundTrip(api string, recs Records) (Records, error) {
	out := Records{}
	for kind, r := range recs {
		out[kind] = make(map[string]any, len(r))
		for id, v := range r {
			if v == nil {
				out[kind][id] = nil
				continue
			}
			cp, err := recode(e.Kinds[api], kind, v)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: %w", api, kind, id, err)
			}
			out[kind][id] = cp
		}
	}
	return out, nil
}

// recode encodes v and decodes it as the registered type of kind.
func recode(kinds Kinds, kind string, v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return kinds.Decode(kind, data)
}

// codecTx round-trips every value it reads or writes; the first failure is kept and
// returned by View or Update.
type codecTx struct {
	kinds Kinds
	r     Reader
	w     Tx
	err   error
}

func (t *codecTx) fail(kind, id string, err error) {
	if t.err == nil {
		t.err = fmt.Errorf("%s %s: %w", kind, id, err)
	}
}

func (t *codecTx) Get(kind, id string) (any, bool) {
	v, ok := t.r.Get(kind, id)
	if !ok {
		return nil, false
	}
	cp, err := recode(t.kinds, kind, v)
	if err != nil {
		t.fail(kind, id, err)
		return nil, false
	}
	return cp, true
}

func (t *codecTx) Scan(kind string, fn func(id string, v any) bool) {
	t.r.Scan(kind, func(id string, v any) bool {
		cp, err := recode(t.kinds, kind, v)
		if err != nil {
			t.fail(kind, id, err)
			return false
		}
		return fn(id, cp)
	})
}

func (t *codecTx) Put(kind, id string, v any) {
	cp, err := recode(t.kinds, kind, v)
	if err != nil {
		t.fail(kind, id, err)
		return
	}
	t.w.Put(kind, id, cp)
}

func (t *codecTx) Delete(kind, id string) { t.w.Delete(kind, id) }
