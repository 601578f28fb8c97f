package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Control keeps what steers every partner call in Redis: the tenant clocks and the armed
// rules with their fire counts. Both are small and change rarely, so each replica holds a
// copy and Refresh, before each call, asks Redis for their version (one GET) and reloads
// them only when it changed. Firing a rule is
// counted in Redis, atomically, so a rule armed for N calls answers N calls in total.
type Control struct {
	db        *DB
	clock     *clock.Clock
	rules     *scenarios.Rules
	installed atomic.Int64 // version of the copies; -1: none yet
}

// Control keeps clk and rules in Redis from now on, and loads their shared state.
func (db *DB) Control(ctx context.Context, clk *clock.Clock, rules *scenarios.Rules) (*Control, error) {
	c := &Control{db: db, clock: clk, rules: rules}
	c.installed.Store(-1)
	clk.Shared, clk.Timeout = clockDoc{c}, 5*db.timeout
	rules.Share(ruleDoc{c})
	db.OnEpoch(func() { c.installed.Store(-1) })
	return c, c.Refresh(ctx)
}

func (c *Control) keys() []string {
	return []string{c.db.key("ctl"), c.db.key("clock"), c.db.key("rules"), c.db.key("rules:fired")}
}

// Refresh brings this replica's clocks and rules up to date with Redis.
func (c *Control) Refresh(ctx context.Context) error {
	v, err := c.db.rdb.Get(ctx, c.db.key("ctl")).Int64()
	if err == redis.Nil {
		v, err = 0, nil
	}
	if err != nil {
		return c.db.fail(err)
	}
	c.db.ok()
	if v == c.installed.Load() {
		return nil
	}
	st, err := c.load(ctx)
	if err != nil {
		return err
	}
	c.install(st)
	return nil
}

// state is the control documents at one version.
type state struct {
	ver   int64
	clock clock.Offsets
	rules scenarios.RuleSet
	fired map[string]int
}

var loadControlScript = redis.NewScript(epochCheck + `
return {tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('GET', KEYS[3]) or '', redis.call('GET', KEYS[4]) or '', redis.call('HGETALL', KEYS[5])}`)

func (c *Control) load(ctx context.Context) (state, error) {
	res, err := c.db.run(ctx, loadControlScript, c.keys())
	if err != nil {
		return state{}, err
	}
	r := asSlice(res)
	st := state{ver: asInt(r[0]), fired: map[string]int{}}
	if doc, _ := r[1].(string); doc != "" {
		if err := json.Unmarshal([]byte(doc), &st.clock); err != nil {
			return state{}, c.db.fail(fmt.Errorf("clock: %v", err))
		}
	}
	if doc, _ := r[2].(string); doc != "" {
		if err := json.Unmarshal([]byte(doc), &st.rules); err != nil {
			return state{}, c.db.fail(fmt.Errorf("rules: %v", err))
		}
	}
	st.rules.Version = st.ver
	fired := asSlice(r[3])
	for i := 0; i+1 < len(fired); i += 2 {
		id, _ := fired[i].(string)
		st.fired[id] = int(asInt(fired[i+1]))
	}
	return st, nil
}

func (c *Control) install(st state) {
	c.clock.Install(st.clock)
	c.rules.Install(st.rules, st.fired)
	c.installed.Store(st.ver)
}

var casScript = redis.NewScript(epochCheck + `
-- KEYS: epoch, ctl, the document, rules:fired; ARGV: epoch, expected version, document, fire counts to drop
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[3], ARGV[3])
for i = 4, #ARGV do redis.call('HDEL', KEYS[4], ARGV[i]) end
return redis.call('INCR', KEYS[2])`)

// change applies change to one document at the version it was read at, reading again when
// another replica changed the control state first.
func (c *Control) change(ctx context.Context, doc string, change func(st state) (any, []string, error)) (state, error) {
	for attempt := 1; ; attempt++ {
		st, err := c.load(ctx)
		if err != nil {
			return state{}, err
		}
		next, drop, err := change(st)
		if err != nil {
			return state{}, err
		}
		data, err := json.Marshal(next)
		if err != nil {
			return state{}, err
		}
		args := []any{st.ver, data}
		for _, id := range drop {
			args = append(args, id)
		}
		res, err := c.db.run(ctx, casScript, []string{c.db.key("ctl"), c.db.key(doc), c.db.key("rules:fired")}, args...)
		if err != nil {
			return state{}, err
		}
		if v := asInt(res); v != 0 {
			st.ver = v
			return st, nil
		}
		if attempt == maxAttempts {
			return state{}, c.db.fail(fmt.Errorf("%s: gave up after %d attempts: other replicas kept changing it first", doc, attempt))
		}
	}
}

// clockDoc is the Control as a clock.Shared.
type clockDoc struct{ c *Control }

func (d clockDoc) Change(ctx context.Context, change func(clock.Offsets) clock.Offsets) (clock.Offsets, error) {
	var next clock.Offsets
	_, err := d.c.change(ctx, "clock", func(st state) (any, []string, error) {
		next = change(st.clock)
		return next, nil, nil
	})
	return next, err
}

// ruleDoc is the Control as a scenarios.SharedRules.
type ruleDoc struct{ c *Control }

func (d ruleDoc) Change(ctx context.Context, change func(scenarios.RuleSet) (scenarios.RuleSet, error)) (scenarios.RuleSet, error) {
	var next scenarios.RuleSet
	st, err := d.c.change(ctx, "rules", func(st state) (any, []string, error) {
		var err error
		if next, err = change(st.rules); err != nil {
			return nil, nil, err
		}
		// Fire counts of rules no longer armed go with them.
		var drop []string
		for id := range st.fired {
			if !armed(next, id) {
				drop = append(drop, id)
			}
		}
		return next, drop, nil
	})
	next.Version = st.ver
	return next, err
}

func armed(set scenarios.RuleSet, id string) bool {
	for _, r := range set.Rules {
		if r.ID == id {
			return true
		}
	}
	return false
}

func (d ruleDoc) Load(ctx context.Context) (scenarios.RuleSet, map[string]int, error) {
	st, err := d.c.load(ctx)
	if err != nil {
		return scenarios.RuleSet{}, nil, err
	}
	return st.rules, st.fired, nil
}

var fireScript = redis.NewScript(epochCheck + `
-- KEYS: epoch, ctl, rules:fired; ARGV: epoch, rules version, then rule id / times pairs
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return {-2, 0} end
for i = 3, #ARGV, 2 do
  local times = tonumber(ARGV[i + 1])
  local n = tonumber(redis.call('HGET', KEYS[3], ARGV[i]) or '0')
  if times == 0 or n < times then
    return {(i - 3) / 2, redis.call('HINCRBY', KEYS[3], ARGV[i], 1)}
  end
end
return {-1, 0}`)

func (d ruleDoc) Fire(ctx context.Context, version int64, candidates []scenarios.Rule) (int, int, error) {
	args := []any{version}
	for _, r := range candidates {
		args = append(args, r.ID, strconv.Itoa(r.Times))
	}
	res, err := d.c.db.run(ctx, fireScript, []string{d.c.db.key("ctl"), d.c.db.key("rules:fired")}, args...)
	if err != nil {
		return -1, 0, err
	}
	r := asSlice(res)
	i, n := int(asInt(r[0])), int(asInt(r[1]))
	if i == -2 {
		return -1, 0, scenarios.ErrStaleRules
	}
	return i, n, nil
}

// refreshScript is Refresh and a View of the caller's partition in one round trip. KEYS:
// epoch, the partition's keys (as txScript), ctl; ARGV: epoch, held version, tenant.
var refreshScript = redis.NewScript(epochCheck + txLua + `
return {tonumber(redis.call('GET', KEYS[6]) or '0'), tx(KEYS[2], KEYS[3], KEYS[4], KEYS[5], tonumber(ARGV[2]), ARGV[3], 4)}`)

// RefreshFor is Refresh, and brings this replica's copy of the caller's partition up to
// date in the same round trip, so the call's reads of it need no round trip of their own.
// changed says the clocks or rules changed (what was decided on them should be again).
func (c *Control) RefreshFor(ctx context.Context, s *Store, p store.Partition) (changed bool, err error) {
	if p.Tenant == "" {
		before := c.installed.Load()
		err := c.Refresh(ctx)
		return err == nil && c.installed.Load() != before, err
	}
	pt := s.part(p)
	pt.mu.RLock()
	held := pt.ver
	pt.mu.RUnlock()
	sent := time.Now()
	res, err := c.db.run(ctx, refreshScript, append(s.txKeys(pt), c.db.key("ctl")), held, p.Tenant)
	if err != nil {
		return false, err
	}
	r := asSlice(res)
	if err := s.refresh(p, pt, parseTx(asSlice(r[1]), sent)); err != nil {
		return false, err
	}
	if asInt(r[0]) == c.installed.Load() {
		return false, nil
	}
	st, err := c.load(ctx)
	if err != nil {
		return false, err
	}
	c.install(st)
	return true, nil
}
