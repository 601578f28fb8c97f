package scenarios

import (
	"encoding/json"
	"fmt"
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

// Rules holds the armed rules, safe for concurrent use. With no rules armed, checking a
// request costs one atomic load.
type Rules struct {
	cat    *Catalogue
	armed  atomic.Int32
	mu     sync.Mutex
	list   []*Rule
	nextID int
	base   []Rule // armed at start-up (--scenarios): Reset arms them again
}

func newRules(cat *Catalogue) *Rules { return &Rules{cat: cat} }

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

// Arm checks a rule against the catalogue and arms it; the returned copy has its id.
func (rs *Rules) Arm(r Rule) (Rule, error) {
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
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.nextID++
	r.ID = "rule-" + strconv.Itoa(rs.nextID)
	r.Fired = 0
	rs.list = append(rs.list, &r)
	rs.armed.Add(1)
	return r, nil
}

// List returns copies of the rules, oldest first, including spent ones (so a test can see
// how often each fired) until they are removed.
func (rs *Rules) List() []Rule {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]Rule, len(rs.list))
	for i, r := range rs.list {
		out[i] = *r
	}
	return out
}

// Remove disarms a rule; false if there is none with that id.
func (rs *Rules) Remove(id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, r := range rs.list {
		if r.ID == id {
			rs.list = append(rs.list[:i], rs.list[i+1:]...)
			rs.armed.Add(-1)
			return true
		}
	}
	return false
}

// Reset removes the rules of a tenant ("" : every rule, including those for all tenants),
// then arms again the start-up rules it removed.
func (rs *Rules) Reset(tenant string) {
	rs.mu.Lock()
	kept := rs.list[:0]
	for _, r := range rs.list {
		if tenant != "" && r.Tenant != tenant {
			kept = append(kept, r)
		}
	}
	clear(rs.list[len(kept):])
	rs.list = kept
	rs.armed.Store(int32(len(kept)))
	var again []Rule
	for _, r := range rs.base {
		if tenant == "" || r.Tenant == tenant {
			again = append(again, r)
		}
	}
	rs.mu.Unlock()
	for _, r := range again {
		_, _ = rs.Arm(r) // checked when first armed
	}
}

// fire finds the oldest live rule matching the request and counts it as fired.
func (rs *Rules) fire(op *Operation, tenant string, body []byte) (Rule, bool) {
	if rs.armed.Load() == 0 {
		return Rule{}, false
	}
	var fields map[string]any
	decoded := false
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.list {
		if r.OperationID != op.ID || (r.Tenant != "" && r.Tenant != tenant) || r.Remaining() == 0 {
			continue
		}
		if len(r.Match) > 0 {
			if !decoded {
				decoded = true
				_ = json.Unmarshal(body, &fields)
			}
			if !matches(fields, r.Match) {
				continue
			}
		}
		r.Fired++
		return *r, true
	}
	return Rule{}, false
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
