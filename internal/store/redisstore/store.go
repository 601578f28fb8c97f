package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Store is the store.Backend kept in Redis (see the package doc for the design).
type Store struct {
	db    *DB
	base  store.Base
	kinds snapshot.Kinds
	apis  []string

	mu    sync.RWMutex
	parts map[store.Partition]*part
}

var _ store.Backend = (*Store)(nil)

// part is this replica's copy of a partition's overlay, at version ver.
type part struct {
	overlay, changes, tenants string // keys

	write sync.Mutex // one Update of the partition at a time in this replica

	mu       sync.RWMutex
	ver      int64
	own      store.Overlay
	syncedAt time.Time // when the last round trip that brought the copy up to date was sent
}

// Store returns the partitions' store over base; kinds decode each API's records.
func (db *DB) Store(base store.Base, kinds snapshot.Kinds) *Store {
	s := &Store{db: db, base: base, kinds: kinds, parts: map[store.Partition]*part{}}
	for api := range kinds {
		s.apis = append(s.apis, api)
	}
	slices.Sort(s.apis)
	db.OnEpoch(func() {
		s.mu.Lock()
		s.parts = map[store.Partition]*part{}
		s.mu.Unlock()
	})
	return s
}

func (s *Store) part(p store.Partition) *part {
	s.mu.RLock()
	pt := s.parts[p]
	s.mu.RUnlock()
	if pt != nil {
		return pt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pt = s.parts[p]; pt == nil {
		pt = &part{
			overlay: s.db.key("o", p.API, p.Tenant),
			changes: s.db.key("c", p.API, p.Tenant),
			tenants: s.db.key("tenants", p.API),
		}
		s.parts[p] = pt
	}
	return pt
}

// txLua is every transaction's round trip, as a Lua function over the partition's keys
// (overlay o, changes c, the version counter, the API's tenants set t), the version the
// caller holds, the tenant (listed as having used the API) and ARGV's field/value pairs
// from index first ("" is a tombstone, "\0" drops the field). It answers {1, version}
// when the caller's version is current (after writing, if it wrote), else {0, version, 0,
// fields, values} with what changed since the caller's version, or {0, version, 1, the
// whole overlay}.
const txLua = `
local function tx(o, c, seq, t, held, tenant, first)
  redis.call('SADD', t, tenant)
  local ver = tonumber(redis.call('HGET', o, '#ver') or '0')
  if ver ~= held then
    local since = tonumber(redis.call('HGET', o, '#since') or '0')
    if held > 0 and held >= since and held < ver then
      local fields = redis.call('ZRANGEBYSCORE', c, '(' .. held, '+inf')
      local vals = {}
      for i = 1, #fields, 500 do
        local chunk = {}
        for j = i, math.min(i + 499, #fields) do chunk[#chunk + 1] = fields[j] end
        local got = redis.call('HMGET', o, unpack(chunk))
        for j = 1, #got do vals[#vals + 1] = got[j] end
      end
      return {0, ver, 0, fields, vals}
    end
    return {0, ver, 1, redis.call('HGETALL', o)}
  end
  if #ARGV < first then return {1, ver} end
  local v = redis.call('INCR', seq)
  if ver == 0 then redis.call('HSET', o, '#since', v) end
  redis.call('HSET', o, '#ver', v)
  for i = first, #ARGV, 2 do
    if ARGV[i + 1] == '\0' then
      redis.call('HDEL', o, ARGV[i])
    else
      redis.call('HSET', o, ARGV[i], ARGV[i + 1])
    end
    redis.call('ZADD', c, v, ARGV[i])
  end
  return {1, v}
end
`

// txScript runs a transaction. KEYS: epoch, overlay, changes, seq, tenants; ARGV: epoch,
// held version, tenant, then the writes.
var txScript = redis.NewScript(epochCheck + txLua + `
return tx(KEYS[2], KEYS[3], KEYS[4], KEYS[5], tonumber(ARGV[2]), ARGV[3], 4)`)

const (
	tombstone = ""
	dropped   = "\x00"
)

// txReply is txScript's answer.
type txReply struct {
	sent    time.Time // when the round trip was sent: the reply holds every change before
	current bool
	ver     int64
	full    bool
	fields  []any // delta: fields; full: field, value, field, value...
	values  []any
}

func (s *Store) roundTrip(ctx context.Context, p store.Partition, pt *part, held int64, writes []any) (txReply, error) {
	args := append([]any{held, p.Tenant}, writes...)
	sent := time.Now()
	res, err := s.db.run(ctx, txScript, s.txKeys(pt), args...)
	if err != nil {
		return txReply{}, err
	}
	return parseTx(asSlice(res), sent), nil
}

func (s *Store) txKeys(pt *part) []string {
	return []string{pt.overlay, pt.changes, s.db.key("seq"), pt.tenants}
}

func parseTx(r []any, sent time.Time) txReply {
	out := txReply{current: asInt(r[0]) == 1, ver: asInt(r[1]), sent: sent}
	if !out.current {
		out.full = asInt(r[2]) == 1
		out.fields = asSlice(r[3])
		if !out.full {
			out.values = asSlice(r[4])
		}
	}
	return out
}

// refresh applies a reply that says what changed, if it is newer than the copy.
func (s *Store) refresh(p store.Partition, pt *part, r txReply) error {
	if r.current {
		pt.mu.Lock()
		if r.ver == pt.ver {
			pt.fresh(r.sent)
		}
		pt.mu.Unlock()
		return nil
	}
	changes, err := s.decodeChanges(p, r)
	if err != nil {
		return err
	}
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if r.ver <= pt.ver {
		pt.fresh(r.sent) // the copy is as new already
		return nil
	}
	own := pt.own
	if r.full || own == nil {
		own = store.Overlay{}
	}
	for _, c := range changes {
		recs := own[c.kind]
		if recs == nil {
			recs = map[string]store.Entry{}
			own[c.kind] = recs
		}
		if c.drop {
			delete(recs, c.id)
		} else {
			recs[c.id] = c.e
		}
	}
	pt.own, pt.ver = own, r.ver
	pt.fresh(r.sent)
	return nil
}

// change is one record of a reply: its new entry, or drop for one no longer there.
type change struct {
	kind, id string
	e        store.Entry
	drop     bool
}

// decodeChanges decodes the records a reply carries (the whole overlay when r.full, else
// the changed fields and their values).
func (s *Store) decodeChanges(p store.Partition, r txReply) ([]change, error) {
	var changes []change
	n := len(r.fields)
	if r.full {
		n /= 2
	}
	for i := 0; i < n; i++ {
		var field, value any
		if r.full {
			field, value = r.fields[2*i], r.fields[2*i+1]
		} else {
			field, value = r.fields[i], r.values[i]
		}
		f, _ := field.(string)
		c, ok, err := s.decodeChange(p, f, value)
		if err != nil {
			return nil, err
		}
		if ok {
			changes = append(changes, c)
		}
	}
	return changes, nil
}

// decodeChange decodes one overlay field ("kind:id") and its value; ok is false for the
// overlay's own bookkeeping fields ("#ver", "#since").
func (s *Store) decodeChange(p store.Partition, field string, value any) (change, bool, error) {
	kind, id, ok := strings.Cut(field, ":")
	if !ok {
		return change{}, false, nil
	}
	str, present := value.(string)
	switch {
	case !present:
		return change{kind: kind, id: id, drop: true}, true, nil
	case str == tombstone:
		return change{kind: kind, id: id, e: store.Entry{Deleted: true}}, true, nil
	}
	v, err := s.kinds[p.API].Decode(kind, []byte(str))
	if err != nil {
		return change{}, false, s.db.fail(fmt.Errorf("%s %s %s: %v", p.API, kind, id, err))
	}
	return change{kind: kind, id: id, e: store.Entry{V: v}}, true, nil
}

// fresh notes that the copy holds every change acknowledged before t (pt.mu held).
func (pt *part) fresh(t time.Time) {
	if t.After(pt.syncedAt) {
		pt.syncedAt = t
	}
}

// freshFor says whether the copy holds every change acknowledged before the call of ctx
// began (pt.mu held), so that the call may read it without a round trip.
func (pt *part) freshFor(ctx context.Context) bool {
	start, ok := store.Started(ctx)
	return ok && !pt.syncedAt.Before(start)
}

// sync brings the copy up to date with Redis: one round trip, answered "current" (a few
// bytes) unless another replica wrote the partition. (Views arriving together could share
// one round trip, but a caller would then wait for the one on its way and then its own:
// measured, that costs more than the Redis calls it saves.)
func (s *Store) sync(ctx context.Context, p store.Partition, pt *part) error {
	pt.mu.RLock()
	held, fresh := pt.ver, pt.freshFor(ctx)
	pt.mu.RUnlock()
	if fresh {
		return nil
	}
	r, err := s.roundTrip(ctx, p, pt, held, nil)
	if err != nil {
		return err
	}
	return s.refresh(p, pt, r)
}

// View runs fn over the partition as it is in Redis now.
func (s *Store) View(ctx context.Context, p store.Partition, fn func(store.Reader) error) error {
	if store.Peeking(ctx) {
		if used, err := s.used(ctx, p); err != nil || !used {
			if err != nil {
				return err
			}
			return fn(&store.Layered{Base: s.base, P: p}) // no overlay: nobody wrote it
		}
	}
	pt := s.part(p)
	if err := s.sync(ctx, p, pt); err != nil {
		return err
	}
	pt.mu.RLock()
	defer pt.mu.RUnlock()
	return fn(&store.Layered{Base: s.base, P: p, Own: pt.own})
}

// used says whether any replica has used the partition (its tenant is in the API's set):
// this replica's copy, or one round trip.
func (s *Store) used(ctx context.Context, p store.Partition) (bool, error) {
	s.mu.RLock()
	known := s.parts[p] != nil
	s.mu.RUnlock()
	if known {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.db.timeout)
	defer cancel()
	ok, err := s.db.rdb.SIsMember(ctx, s.db.key("tenants", p.API), p.Tenant).Result()
	if err != nil {
		return false, s.db.fail(err)
	}
	return ok, nil
}

// maxAttempts bounds how often an Update runs again because other replicas kept writing
// the partition first.
const maxAttempts = 100

// backoff waits before the attempt after a conflict, a random while growing with the
// attempts (up to 8 ms): two replicas writing one partition in a tight loop then take
// turns instead of one of them losing every race.
func backoff(attempt int) {
	if attempt < 2 {
		return
	}
	limit := min(time.Duration(50<<min(attempt, 8))*time.Microsecond, 8*time.Millisecond)
	time.Sleep(rand.N(limit))
}

// Update runs fn on this replica's copy and writes its changes if nobody wrote the
// partition since that copy's version; otherwise it refreshes the copy and runs fn again.
// fn's own error stands only once the copy it saw is known to be current.
func (s *Store) Update(ctx context.Context, p store.Partition, fn func(store.Tx) error) error {
	pt := s.part(p)
	pt.write.Lock()
	defer pt.write.Unlock()
	for attempt := 1; ; attempt++ {
		pt.mu.RLock()
		held, fresh := pt.ver, pt.freshFor(ctx)
		tx := store.NewStaged(s.base, p, pt.own)
		ferr := fn(tx)
		pt.mu.RUnlock()
		if fresh && (ferr != nil || !tx.Written()) {
			return ferr // decided on a copy fresh enough for this call: nothing to write
		}
		var writes []any
		if ferr == nil && tx.Written() {
			var err error
			if writes, err = encode(tx); err != nil {
				return err
			}
		}
		r, err := s.roundTrip(ctx, p, pt, held, writes)
		if err != nil {
			return err
		}
		if r.current {
			if ferr != nil || writes == nil {
				return ferr
			}
			pt.mu.Lock()
			if pt.ver == held { // else a View brought the write in already
				pt.own, pt.ver = tx.Commit(), r.ver
				pt.fresh(r.sent)
			}
			pt.mu.Unlock()
			return nil
		}
		if err := s.refresh(p, pt, r); err != nil {
			return err
		}
		backoff(attempt)
		if attempt == maxAttempts {
			return s.db.fail(fmt.Errorf("%s tenant %s: gave up after %d attempts: other replicas kept writing first", p.API, p.Tenant, attempt))
		}
	}
}

// encode turns a transaction's writes into txScript's field/value pairs.
func encode(tx *store.Staged) ([]any, error) {
	var out []any
	var err error
	tx.Changes(func(kind, id string, e store.Entry, drop bool) {
		value := tombstone
		switch {
		case drop:
			value = dropped
		case !e.Deleted:
			data, merr := json.Marshal(e.V)
			if merr != nil && err == nil {
				err = fmt.Errorf("%s %s: %v", kind, id, merr)
			}
			value = string(data)
		}
		out = append(out, kind+":"+id, value)
	})
	return out, err
}

var resetScript = redis.NewScript(epochCheck + `
-- KEYS[2..]: tenants sets; ARGV[2]: key prefix; ARGV[3]: tenant ("" : every tenant);
-- ARGV[4..]: the APIs, in the order of KEYS[2..]. A reset partition keeps a fresh version.
for i = 2, #KEYS do
  local api = ARGV[i + 2]
  local tenants = {ARGV[3]}
  if ARGV[3] == '' then tenants = redis.call('SMEMBERS', KEYS[i]) end
  for _, t in ipairs(tenants) do
    local o = ARGV[2] .. 'o:' .. api .. ':' .. t
    if t ~= '*' or ARGV[3] ~= '' then -- store.Global ('*'): reset all leaves it
      if redis.call('EXISTS', o) == 1 then
        local v = redis.call('INCR', ARGV[2] .. 'seq')
        redis.call('DEL', o, ARGV[2] .. 'c:' .. api .. ':' .. t)
        redis.call('HSET', o, '#ver', v, '#since', v)
      end
      redis.call('SREM', KEYS[i], t)
    end
  end
end
return 1`)

// Reset drops a tenant's overlays in every API, or every overlay when tenant is "".
func (s *Store) Reset(ctx context.Context, tenant string) error {
	keys := make([]string, len(s.apis))
	args := []any{s.db.prefix, tenant}
	for i, api := range s.apis {
		keys[i] = s.db.key("tenants", api)
		args = append(args, api)
	}
	_, err := s.db.run(ctx, resetScript, keys, args...)
	return err
}

// Tenants lists the tenants that have used the API, sorted.
func (s *Store) Tenants(ctx context.Context, api string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.db.timeout)
	defer cancel()
	out, err := s.db.rdb.SMembers(ctx, s.db.key("tenants", api)).Result()
	if err != nil {
		return nil, s.db.fail(err)
	}
	slices.Sort(out)
	return out, nil
}

// Dump returns the partition's overlay as it is in Redis.
func (s *Store) Dump(ctx context.Context, p store.Partition) (store.Records, error) {
	if used, err := s.used(ctx, p); err != nil || !used {
		return store.Records{}, err // nobody wrote it: no overlay (and none is made)
	}
	pt := s.part(p)
	if err := s.sync(ctx, p, pt); err != nil {
		return nil, err
	}
	pt.mu.RLock()
	defer pt.mu.RUnlock()
	out := store.Records{}
	for kind, recs := range pt.own {
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

var loadScript = redis.NewScript(epochCheck + `
-- KEYS: epoch, overlay, changes, seq, tenants; ARGV: epoch, tenant, field/value pairs
local v = redis.call('INCR', KEYS[4])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[2], '#ver', v, '#since', v)
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[5], ARGV[2])
return v`)

// Load replaces the partition's overlay with recs (nil values are deletions).
func (s *Store) Load(ctx context.Context, p store.Partition, recs store.Records) error {
	pt := s.part(p)
	args := []any{p.Tenant}
	for kind, byID := range recs {
		for id, v := range byID {
			value := tombstone
			if v != nil {
				data, err := json.Marshal(v)
				if err != nil {
					return fmt.Errorf("%s %s %s: %v", p.API, kind, id, err)
				}
				value = string(data)
			}
			args = append(args, kind+":"+id, value)
		}
	}
	_, err := s.db.run(ctx, loadScript, s.txKeys(pt), args...)
	return err
}

// Ping says whether Redis answers within the timeout.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }
