// Package redisstore keeps all of the sandbox's state in Redis, so that replicas behind a
// load balancer behave as one sandbox: tenant overlays (store.Backend), armed rules with
// their fire counts and the tenant clocks (Control), and the journal (a capped stream).
// The fixture base is never stored: every replica derives it from --seed and --customers,
// and Open refuses a replica whose seed or customer count differs from the store's.
//
// # Keys
//
// Every key starts with the prefix (default "sandbox:"):
//
//	meta                 hash: seed, customers, created — what the store was created with
//	epoch                random id of this store's life: a Redis that lost its data gets a new one
//	seq                  the version counter of every partition write
//	o:API:TENANT         hash: the partition's overlay, "kind:id" → JSON ("" is a tombstone),
//	                     and "#ver" (version of the last write), "#since" (version of its reset)
//	c:API:TENANT         sorted set: "kind:id" scored by the version that last wrote it
//	tenants:API          set: the tenants that have used the API
//	ctl                  version of the rules and clocks; each change increments it
//	clock, rules         JSON documents: the clock offsets, the armed rules
//	rules:fired          hash: rule id → how often it fired
//	journal, journal:seq the journal stream (capped at --journal-size) and its id counter
//
// # Transactions: optimistic, in one round trip
//
// Each replica keeps a decoded copy of the overlays it uses, with their version. A View
// sends the version it holds to a Lua script, which answers "current" or what changed since
// (the fields scored above it in c:API:TENANT, or the whole overlay after a reset). An
// Update runs its function on the copy and sends its writes with the version they were
// computed from; the script applies them only if that is still the partition's version
// (compare-and-set, atomic in Redis), else answers what changed, and the function runs again
// on the fresh copy (functions may re-run: see the store package). Versions come from one
// counter, so they only grow, and a replica applies an answer only if it is newer than its
// copy. One round trip per transaction while nobody else writes the partition, two after.
//
// A partner call's first round trip (Control.RefreshFor) also brings the caller's partition
// up to date; the copy then holds every change acknowledged before the call began, so the
// call's Views, and its Updates that write nothing, need no round trip of their own (the
// pipeline keeps the call's start in its context: store.StartKey).
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/partnersandbox/sandbox/internal/store"
)

// DefaultPrefix starts every key.
const DefaultPrefix = "sandbox:"

// DefaultTimeout bounds each call to Redis: a partner call answers 503 within it when
// Redis is unreachable.
const DefaultTimeout = time.Second

// Options say where the state lives.
type Options struct {
	URL     string        // redis://HOST:PORT/DB (redis://[user:password@]HOST:PORT/DB)
	Prefix  string        // starts every key; default DefaultPrefix
	Timeout time.Duration // bounds each call; default DefaultTimeout
}

// Marker is what a store is created with; every replica must derive the same fixture base.
type Marker struct {
	Seed      uint64
	Customers int
}

// DB is a connection to the sandbox's state in Redis.
type DB struct {
	rdb     *redis.Client
	prefix  string
	addr    string // HOST:PORT/DB, for messages
	timeout time.Duration
	marker  Marker

	failedAt atomic.Int64 // when a call last failed (unix ns), 0 after a success

	mu      sync.Mutex
	epoch   string
	onEpoch []func() // drop what was cached from a Redis that has lost its data
}

// Open connects to Redis, failing fast with a message naming the address if it cannot be
// reached, and claims the store: it creates it with m, or checks that it was created with
// m. fresh says it was created now (the caller then loads its start-up state).
func Open(ctx context.Context, o Options, m Marker) (db *DB, fresh bool, err error) {
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	opts, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, false, fmt.Errorf("--store %q: %v (want redis://HOST:PORT/DB)", o.URL, err)
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	opts.Protocol = 2
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = o.Timeout, o.Timeout, o.Timeout, o.Timeout
	opts.MaxRetries = -1 // a failed call is the client's 503, never a hidden second write
	opts.DialerRetries = 1
	// Every call is bounded by the socket timeouts above, not by its caller's context: a
	// script Redis has started is never abandoned half way by a client that went away (it is
	// atomic anyway), and the hot path makes no timer per call.
	opts.ContextTimeoutEnabled = false
	opts.DisableIdentity = true
	db = &DB{rdb: redis.NewClient(opts), prefix: o.Prefix, addr: fmt.Sprintf("%s/%d", opts.Addr, opts.DB), timeout: o.Timeout, marker: m}
	pctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := db.rdb.Ping(pctx).Err(); err != nil {
		db.rdb.Close()
		return nil, false, fmt.Errorf("redis at %s is unreachable: %v", db.addr, err)
	}
	if fresh, err = db.claim(pctx); err != nil {
		db.rdb.Close()
		return nil, false, err
	}
	return db, fresh, nil
}

// quiet drops go-redis's own log lines: every failure reaches the caller as an error (a
// 503, a start-up message), so the sandbox's log says what matters once.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// Close closes the connections.
func (db *DB) Close() error { return db.rdb.Close() }

// Addr is HOST:PORT/DB.
func (db *DB) Addr() string { return db.addr }

// Ping says whether Redis answers within the timeout.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	if err := db.rdb.Ping(ctx).Err(); err != nil {
		return db.fail(err)
	}
	return nil
}

func (db *DB) key(parts ...string) string {
	k := db.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

var claimScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'seed', ARGV[1], 'customers', ARGV[2], 'created', ARGV[4])
  redis.call('SET', KEYS[2], ARGV[3])
  return {1, ARGV[3], ARGV[1], ARGV[2]}
end
local e = redis.call('GET', KEYS[2])
if not e then
  e = ARGV[3]
  redis.call('SET', KEYS[2], e)
end
return {0, e, redis.call('HGET', KEYS[1], 'seed'), redis.call('HGET', KEYS[1], 'customers')}`)

// claim creates the store's marker, or checks the existing one against the replica's.
func (db *DB) claim(ctx context.Context) (bool, error) {
	seed, customers := strconv.FormatUint(db.marker.Seed, 10), strconv.Itoa(db.marker.Customers)
	res, err := claimScript.Run(ctx, db.rdb, []string{db.key("meta"), db.key("epoch")},
		seed, customers, newID(), time.Now().UTC().Format(time.RFC3339)).Slice()
	if err != nil {
		return false, fmt.Errorf("redis at %s: %v", db.addr, err)
	}
	fresh := res[0].(int64) == 1
	gotSeed, _ := res[2].(string)
	gotCustomers, _ := res[3].(string)
	if gotSeed != seed || gotCustomers != customers {
		return false, fmt.Errorf("the sandbox state at redis %s (prefix %q) was created with --seed %s --customers %s, "+
			"but this replica has --seed %s --customers %s: every replica must derive the same fixtures "+
			"(start it with the store's values, or use another --redis-prefix)", db.addr, db.prefix, gotSeed, gotCustomers, seed, customers)
	}
	db.mu.Lock()
	db.epoch = res[1].(string)
	db.mu.Unlock()
	return fresh, nil
}

// OnEpoch registers fn to run when Redis turns out to have lost the sandbox's data (it
// restarted without persistence, or was flushed): whatever was cached from it is stale.
func (db *DB) OnEpoch(fn func()) {
	db.mu.Lock()
	db.onEpoch = append(db.onEpoch, fn)
	db.mu.Unlock()
}

func (db *DB) currentEpoch() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.epoch
}

// errEpoch is what every script answers when the store's epoch is not the caller's.
const errEpoch = "EPOCH"

// epochCheck starts every script: KEYS[1] is the epoch key, ARGV[1] the caller's epoch.
const epochCheck = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('` + errEpoch + `') end
`

// run runs a script whose KEYS[1]/ARGV[1] are the epoch (added here), within the timeout
// (the connection's).
// A Redis that lost its data is claimed again and the caches dropped; the call fails once.
func (db *DB) run(ctx context.Context, s *redis.Script, keys []string, args ...any) (any, error) {
	res, err := s.Run(ctx, db.rdb, append([]string{db.key("epoch")}, keys...), append([]any{db.currentEpoch()}, args...)...).Result()
	if err != nil && redis.HasErrorPrefix(err, errEpoch) {
		if _, cerr := db.claim(ctx); cerr != nil {
			return nil, db.fail(cerr)
		}
		db.mu.Lock()
		hooks := db.onEpoch
		db.mu.Unlock()
		for _, fn := range hooks {
			fn()
		}
		return nil, fmt.Errorf("%w: redis at %s lost the sandbox's state (restarted without persistence?); starting again from the fixtures", store.ErrUnavailable, db.addr)
	}
	if err != nil {
		return nil, db.fail(err)
	}
	db.ok()
	return res, nil
}

// ok notes that Redis answered.
func (db *DB) ok() { db.failedAt.Store(0) }

// down says a call failed within the last timeout: what can be skipped (a journal entry)
// fails at once instead of waiting for Redis again.
func (db *DB) down() bool {
	at := db.failedAt.Load()
	return at != 0 && time.Since(time.Unix(0, at)) < db.timeout
}

// fail wraps a Redis failure as the store's ErrUnavailable.
func (db *DB) fail(err error) error {
	db.failedAt.Store(time.Now().UnixNano())
	if errors.Is(err, store.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: redis at %s: %v", store.ErrUnavailable, db.addr, err)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// reply helpers: script replies are arrays of integers, strings and nested arrays.

func asInt(v any) int64 {
	switch t := v.(type) {
	case int64:
		return t
	case string:
		n, _ := strconv.ParseInt(t, 10, 64)
		return n
	}
	return 0
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// SharedKey is the random key named name that every replica of this store uses: the
// first replica to ask makes it (SET NX), the others read it. For keys that must be the
// same everywhere yet are never written in the binary (the token-signing key).
func (db *DB) SharedKey(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	k := db.key("secret", name)
	if err := db.rdb.SetNX(ctx, k, fresh, 0).Err(); err != nil {
		return nil, fmt.Errorf("redis at %s: %v", db.addr, err)
	}
	got, err := db.rdb.Get(ctx, k).Bytes()
	if err != nil {
		return nil, fmt.Errorf("redis at %s: %v", db.addr, err)
	}
	return got, nil
}
