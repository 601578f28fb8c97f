package store

import (
	"maps"
	"slices"
)

// Base is the state every tenant starts from, shared and never written: the partner APIs'
// documented fixtures, their generated customers and the fixtures of scenario files.
type Base interface {
	Get(p Partition, kind, id string) (any, bool)
	// Scan visits the materialised base records of a kind in id order (see Reader.Scan).
	Scan(p Partition, kind string, fn func(id string, v any) bool)
}

// Generator produces a generated record from its id alone (deterministically, from the
// fixture seed), so a million customers cost nothing until someone asks for one.
type Generator func(kind, id string) (any, bool)

// Fixtures is the in-process Base, built once at start-up and read-only afterwards.
type Fixtures struct {
	apis   map[string]*fixtureSet
	tenant map[Partition]*fixtureSet // scenario-file fixtures of one tenant
}

type fixtureSet struct {
	recs Records
	ids  map[string][]string // kind → sorted ids, for Scan
	gen  Generator
}

// NewFixtures returns an empty base.
func NewFixtures() *Fixtures {
	return &Fixtures{apis: map[string]*fixtureSet{}, tenant: map[Partition]*fixtureSet{}}
}

// AddAPI gives an API its base: the records seed writes (it runs once, now) and, for ids
// none of them has, the generator (may be nil).
func (f *Fixtures) AddAPI(api string, seed func(Tx) error, gen Generator) error {
	set := &fixtureSet{recs: Records{}, gen: gen}
	if seed != nil {
		if err := seed(builder{set}); err != nil {
			return err
		}
	}
	set.index()
	f.apis[api] = set
	return nil
}

// AddTenant adds a record to one tenant's base (a scenario file's fixture): it is there
// from the tenant's first call and again after every reset.
func (f *Fixtures) AddTenant(p Partition, kind, id string, v any) {
	set := f.tenant[p]
	if set == nil {
		set = &fixtureSet{recs: Records{}}
		f.tenant[p] = set
	}
	builder{set}.Put(kind, id, v)
	set.index()
}

// Get returns a base record: the tenant's own fixtures first, then the API's, then the
// API's generated records.
func (f *Fixtures) Get(p Partition, kind, id string) (any, bool) {
	if set := f.tenant[p]; set != nil {
		if v, ok := set.recs[kind][id]; ok {
			return v, true
		}
	}
	set := f.apis[p.API]
	if set == nil {
		return nil, false
	}
	if v, ok := set.recs[kind][id]; ok {
		return v, true
	}
	if set.gen != nil {
		return set.gen(kind, id)
	}
	return nil, false
}

// Scan visits the materialised base records of a kind in id order.
func (f *Fixtures) Scan(p Partition, kind string, fn func(id string, v any) bool) {
	own, api := f.tenant[p], f.apis[p.API]
	var ids []string
	if own != nil {
		ids = own.ids[kind]
	}
	if api != nil {
		if len(ids) == 0 {
			ids = api.ids[kind]
		} else {
			ids = mergeSorted(ids, api.ids[kind])
		}
	}
	for _, id := range ids {
		v, ok := f.Get(p, kind, id)
		if ok && !fn(id, v) {
			return
		}
	}
}

func (s *fixtureSet) index() {
	s.ids = make(map[string][]string, len(s.recs))
	for kind, recs := range s.recs {
		ids := make([]string, 0, len(recs))
		for id := range recs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		s.ids[kind] = ids
	}
}

// mergeSorted merges two sorted id lists, dropping duplicates.
func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// builder is the Tx a seed writes the base through.
type builder struct{ s *fixtureSet }

func (b builder) Get(kind, id string) (any, bool) {
	if v, ok := b.s.recs[kind][id]; ok {
		return v, true
	}
	if b.s.gen != nil {
		return b.s.gen(kind, id)
	}
	return nil, false
}

func (b builder) Scan(kind string, fn func(id string, v any) bool) {
	recs := b.s.recs[kind]
	for _, id := range slices.Sorted(maps.Keys(recs)) {
		if !fn(id, recs[id]) {
			return
		}
	}
}

func (b builder) Put(kind, id string, v any) {
	recs := b.s.recs[kind]
	if recs == nil {
		recs = map[string]any{}
		b.s.recs[kind] = recs
	}
	recs[id] = v
}

func (b builder) Delete(kind, id string) { delete(b.s.recs[kind], id) }
