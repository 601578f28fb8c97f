package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Rule is an armed rule: "for operation X (only where the request's JSON fields equal
// these values, only for tenant T) answer outcome Y, or inject a fault, for the next N calls
// (or until removed)".
type Rule struct {
	ID          string            `json:"id"`
	OperationID string            `json:"operationId"`
	Outcome     string            `json:"outcome,omitempty"`
	Fault       string            `json:"fault,omitempty"`
	Delay       string            `json:"delay,omitempty"`
	Times       int               `json:"times,omitempty"` // 0: until removed
	Tenant      string            `json:"tenant,omitempty"`
	Match       map[string]string `json:"match,omitempty"` // dotted JSON path → value
	Fired       int               `json:"fired"`

	delay time.Duration
}

// Remaining is how many more calls the rule answers (-1: until removed).
func (r *Rule) Remaining() int {
	if r.Times == 0 {
		return -1
	}
	return r.Times - r.Fired
}

// RuleSet is the armed rules as a shared store keeps them, oldest first.
type RuleSet struct {
	Rules  []Rule `json:"rules"` // Fired is kept apart: SharedRules counts it
	NextID int    `json:"nextId"`
	// Version is the store's version of the set; Fire checks that it is still current.
	Version int64 `json:"-"`
}

// SharedRules keeps the armed rules where every replica of the sandbox sees them (Redis),
// so that a rule armed for N calls answers N calls in total, whichever replicas serve them.
type SharedRules interface {
	// Change applies change to the set atomically and returns the set as it now is;
	// change may run more than once, so it must only compute.
	Change(ctx context.Context, change func(RuleSet) (RuleSet, error)) (RuleSet, error)
	// Load returns the set and how often each of its rules fired.
	Load(ctx context.Context) (RuleSet, map[string]int, error)
	// Fire counts one call against the first of candidates (rules of set version) that has
	// calls left: it returns its index (-1 if none) and how often it has now fired, or
	// ErrStaleRules if the set is no longer that version.
	Fire(ctx context.Context, version int64, candidates []Rule) (int, int, error)
}

// ErrStaleRules says a SharedRules' set changed since the caller loaded it.
var ErrStaleRules = errors.New("the armed rules changed meanwhile")

// Rules holds the armed rules, safe for concurrent use. The armed set is copy-on-write
// behind an atomic pointer: checking a request takes no lock (one atomic load when no rule
// is armed); arming, removing and installing copy the set and swap it in, one writer at a
// time. Without Shared the rules live in this process; with it, this is a copy of the
// shared set that Install refreshes, and firing is counted there.
type Rules struct {
	cat    *Catalogue
	shared SharedRules
	set    atomic.Pointer[armedSet] // never nil
	mu     sync.Mutex               // serialises writers (readers take no lock)
	base   []Rule                   // armed at start-up (--scenarios): Reset arms them again; under mu
}

// armedSet is one version of the armed rules, never changed once published: only each
// rule's fire count moves.
type armedSet struct {
	list    []*armedRule
	nextID  int
	version int64 // of the shared set this copy holds
}

// armedRule is an armed rule and how often it fired, counted without a lock.
type armedRule struct {
	Rule  // Fired is not used: fired is the count
	fired atomic.Int64
}

func (r *armedRule) copy() Rule {
	out := r.Rule
	out.Fired = int(r.fired.Load())
	return out
}

// take counts one call against the rule if it has calls left.
func (r *armedRule) take() (Rule, bool) {
	for {
		n := r.fired.Load()
		if r.Times > 0 && n >= int64(r.Times) {
			return Rule{}, false
		}
		if r.fired.CompareAndSwap(n, n+1) {
			out := r.Rule
			out.Fired = int(n + 1)
			return out, true
		}
	}
}

func newRules(cat *Catalogue) *Rules {
	rs := &Rules{cat: cat}
	rs.set.Store(&armedSet{})
	return rs
}

// Share keeps the rules in s from now on (before any rule is armed).
func (rs *Rules) Share(s SharedRules) { rs.shared = s }

// update publishes change's copy of the armed set; change must not modify the set it is given.
func (rs *Rules) update(change func(old *armedSet) *armedSet) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.set.Store(change(rs.set.Load()))
}

// Install makes set (with its fire counts) this replica's copy of the shared rules.
func (rs *Rules) Install(set RuleSet, fired map[string]int) {
	next := &armedSet{list: make([]*armedRule, 0, len(set.Rules)), nextID: set.NextID, version: set.Version}
	for _, r := range set.Rules {
		r.delay, _ = ParseDelay(r.Delay) // checked when armed; "" is no delay
		a := &armedRule{Rule: r}
		a.fired.Store(int64(fired[r.ID]))
		next.list = append(next.list, a)
	}
	rs.update(func(*armedSet) *armedSet { return next })
}

// ArmBase arms a rule that belongs to the sandbox's starting state (a --scenarios file):
// a reset that removes it arms it again, fresh.
func (rs *Rules) ArmBase(r Rule) (Rule, error) {
	armed, err := rs.Arm(r)
	if err != nil {
		return Rule{}, err
	}
	rs.mu.Lock()
	rs.base = append(rs.base, r)
	rs.mu.Unlock()
	return armed, nil
}

// AddBase records a start-up rule without arming it: a shared store that already holds
// the sandbox's state has it armed (or spent, or removed) already. A reset arms it again.
func (rs *Rules) AddBase(r Rule) error {
	if _, err := rs.check(r); err != nil {
		return err
	}
	rs.mu.Lock()
	rs.base = append(rs.base, r)
	rs.mu.Unlock()
	return nil
}

// check validates a rule against the catalogue and returns it ready to arm.
func (rs *Rules) check(r Rule) (Rule, error) {
	op, ok := rs.cat.Op(r.OperationID)
	if !ok {
		return Rule{}, fmt.Errorf("operationId: %q is not an operation of any API; GET /__sandbox/scenarios lists them", r.OperationID)
	}
	if r.Outcome == "" && r.Fault == "" && r.Delay == "" {
		return Rule{}, fmt.Errorf("give an outcome, a fault or a delay: a rule must do something")
	}
	if r.Outcome != "" && r.Fault != "" {
		return Rule{}, fmt.Errorf("give an outcome or a fault, not both")
	}
	if r.Outcome != "" {
		if _, ok := op.Outcome(r.Outcome); !ok {
			return Rule{}, fmt.Errorf("outcome: %q is not documented for %s; valid: %s", r.Outcome, op.ID, strings.Join(op.Names(), ", "))
		}
	}
	if r.Fault != "" && !validFault(r.Fault) {
		return Rule{}, fmt.Errorf("fault: unknown fault %q; valid: %s", r.Fault, strings.Join(Faults, ", "))
	}
	if r.Delay != "" {
		d, err := ParseDelay(r.Delay)
		if err != nil {
			return Rule{}, fmt.Errorf("delay: %v", err)
		}
		r.delay = d
	}
	if r.Times < 0 {
		return Rule{}, fmt.Errorf("times: must be 0 (until removed) or more, got %d", r.Times)
	}
	r.Fired = 0
	return r, nil
}

// Arm checks a rule against the catalogue and arms it; the returned copy has its id. An
// invalid rule's error names the field; a shared store's failure wraps its own error.
func (rs *Rules) Arm(r Rule) (Rule, error) {
	r, err := rs.check(r)
	if err != nil {
		return Rule{}, err
	}
	if rs.shared != nil {
		var armed Rule
		err := rs.change(func(set RuleSet) (RuleSet, error) {
			set.NextID++
			armed = r
			armed.ID = "rule-" + strconv.Itoa(set.NextID)
			set.Rules = append(slices.Clip(set.Rules), armed)
			return set, nil
		})
		return armed, err
	}
	rs.update(func(old *armedSet) *armedSet {
		next := &armedSet{nextID: old.nextID + 1, version: old.version}
		r.ID = "rule-" + strconv.Itoa(next.nextID)
		next.list = append(slices.Clip(old.list), &armedRule{Rule: r})
		return next
	})
	return r, nil
}

// change applies a change through the shared store and installs the result.
func (rs *Rules) change(change func(RuleSet) (RuleSet, error)) error {
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	if _, err := rs.shared.Change(ctx, change); err != nil {
		return err
	}
	return rs.load(ctx)
}

// sharedTimeout bounds an admin change of shared rules.
const sharedTimeout = 5 * time.Second

func (rs *Rules) load(ctx context.Context) error {
	set, fired, err := rs.shared.Load(ctx)
	if err != nil {
		return err
	}
	rs.Install(set, fired)
	return nil
}

// List returns copies of the rules, oldest first, including spent ones (so a test can see
// how often each fired) until they are removed.
func (rs *Rules) List() ([]Rule, error) {
	if rs.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		if err := rs.load(ctx); err != nil {
			return nil, err
		}
	}
	list := rs.set.Load().list
	out := make([]Rule, len(list))
	for i, r := range list {
		out[i] = r.copy()
	}
	return out, nil
}

// Remove disarms a rule; false if there is none with that id.
func (rs *Rules) Remove(id string) (bool, error) {
	if rs.shared != nil {
		found := false
		err := rs.change(func(set RuleSet) (RuleSet, error) {
			i := slices.IndexFunc(set.Rules, func(r Rule) bool { return r.ID == id })
			found = i >= 0
			if found {
				set.Rules = slices.Delete(slices.Clone(set.Rules), i, i+1)
			}
			return set, nil
		})
		return found, err
	}
	found := false
	rs.update(func(old *armedSet) *armedSet {
		i := slices.IndexFunc(old.list, func(r *armedRule) bool { return r.ID == id })
		if found = i >= 0; !found {
			return old
		}
		next := *old
		next.list = slices.Delete(slices.Clone(old.list), i, i+1)
		return &next
	})
	return found, nil
}

// Reset removes the rules of a tenant ("" : every rule, including those for all tenants),
// then arms again the start-up rules it removed.
func (rs *Rules) Reset(tenant string) error {
	rs.mu.Lock()
	var again []Rule
	for _, r := range rs.base {
		if tenant == "" || r.Tenant == tenant {
			again = append(again, r)
		}
	}
	rs.mu.Unlock()
	if rs.shared != nil {
		return rs.change(func(set RuleSet) (RuleSet, error) {
			var kept []Rule
			for _, r := range set.Rules {
				if tenant != "" && r.Tenant != tenant {
					kept = append(kept, r)
				}
			}
			for _, r := range again {
				set.NextID++
				r, _ = rs.check(r) // checked when first armed
				r.ID = "rule-" + strconv.Itoa(set.NextID)
				kept = append(kept, r)
			}
			set.Rules = kept
			return set, nil
		})
	}
	rs.update(func(old *armedSet) *armedSet {
		next := *old
		next.list = slices.DeleteFunc(slices.Clone(old.list), func(r *armedRule) bool { return tenant == "" || r.Tenant == tenant })
		return &next
	})
	for _, r := range again {
		_, _ = rs.Arm(r) // checked when first armed
	}
	return nil
}

// fire finds the oldest live rule matching the request and counts it as fired. It takes
// no lock: the body is decoded (once, outside any lock) only if a rule of the operation
// matches on body fields.
func (rs *Rules) fire(ctx context.Context, op *Operation, tenant string, body []byte) (Rule, bool, error) {
	set := rs.set.Load()
	if len(set.list) == 0 {
		return Rule{}, false, nil
	}
	var fields map[string]any
	decoded := false
	match := func(r *armedRule) bool {
		if r.OperationID != op.ID || (r.Tenant != "" && r.Tenant != tenant) || r.Times > 0 && r.fired.Load() >= int64(r.Times) {
			return false
		}
		if len(r.Match) > 0 {
			if !decoded {
				decoded = true
				_ = json.Unmarshal(body, &fields)
			}
			return matches(fields, r.Match)
		}
		return true
	}
	if rs.shared != nil {
		return rs.fireShared(ctx, set, match)
	}
	for _, r := range set.list {
		if match(r) {
			if fired, ok := r.take(); ok { // else another call took its last one meanwhile
				return fired, true, nil
			}
		}
	}
	return Rule{}, false, nil
}

// fireShared fires the first matching rule that the shared store says has calls left.
func (rs *Rules) fireShared(ctx context.Context, set *armedSet, match func(*armedRule) bool) (Rule, bool, error) {
	for attempt := 0; ; attempt++ {
		var cands []*armedRule
		for _, r := range set.list {
			if match(r) {
				cands = append(cands, r)
			}
		}
		if len(cands) == 0 {
			return Rule{}, false, nil
		}
		rules := make([]Rule, len(cands))
		for j, r := range cands {
			rules[j] = r.Rule
		}
		i, fired, err := rs.shared.Fire(ctx, set.version, rules)
		if errors.Is(err, ErrStaleRules) && attempt < 3 {
			if err := rs.load(ctx); err != nil {
				return Rule{}, false, err
			}
			set = rs.set.Load()
			continue
		}
		if err != nil {
			return Rule{}, false, err
		}
		// The candidates before i are spent: remember it, so they cost no round trip again.
		for j, r := range cands {
			switch {
			case j == i:
				r.fired.Store(int64(fired))
			case i < 0 || j < i:
				r.fired.Store(int64(r.Times))
			}
		}
		if i < 0 {
			return Rule{}, false, nil
		}
		r := rules[i]
		r.Fired = fired
		return r, true, nil
	}
}

// matches says whether every dotted path of want has that value in fields.
func matches(fields map[string]any, want map[string]string) bool {
	for path, value := range want {
		v, ok := Lookup(fields, path)
		if !ok || Scalar(v) != value {
			return false
		}
	}
	return true
}

// Lookup follows a dotted path (a.b.0.c) through decoded JSON.
func Lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Scalar renders a decoded JSON value as a match compares it: strings as they are, numbers
// and booleans as JSON writes them, null as "null".
func Scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return "null"
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}
