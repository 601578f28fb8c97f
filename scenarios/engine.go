package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Request headers a client steers the sandbox with.
const (
	Header      = "X-Sandbox-Scenario" // force a named outcome
	DelayHeader = "X-Sandbox-Delay"    // answer after a Go duration, e.g. 250ms
	FaultHeader = "X-Sandbox-Fault"    // connection-reset | timeout | http-500 | http-503
)

// Faults a request or a rule can inject.
const (
	FaultReset   = "connection-reset"
	FaultTimeout = "timeout"
	Fault500     = "http-500"
	Fault503     = "http-503"
)

// Faults lists the fault names.
var Faults = []string{FaultReset, FaultTimeout, Fault500, Fault503}

// MaxDelay bounds X-Sandbox-Delay and rule delays.
const MaxDelay = 60 * time.Second

// UnknownError says a request named an outcome its operation does not have.
type UnknownError struct {
	Operation string
	Name      string
	Valid     []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("%s: unknown scenario %q for operation %s; valid: %s", Header, e.Name, e.Operation, strings.Join(e.Valid, ", "))
}

// HeaderError says a steering header has a value the sandbox does not understand.
type HeaderError struct{ Header, Message string }

func (e *HeaderError) Error() string { return e.Header + ": " + e.Message }

// What forced an outcome or a fault (Decision.By); "" means nothing did: state decides.
const (
	ByHeader = "header" // X-Sandbox-Scenario or X-Sandbox-Fault
	ByRule   = "rule"   // an armed rule
	ByMagic  = "magic"  // a magic value in the request body
)

// Decision is what the engine decided for one request: all fields empty means state
// decides.
type Decision struct {
	Outcome *Outcome      // a forced outcome (nil: state decides)
	Fault   string        // a fault to inject instead of answering
	Delay   time.Duration // wait before answering
	Rule    string        // the armed rule that decided, if any
	By      string        // what forced Outcome or Fault: ByHeader, ByRule, ByMagic
}

// Engine decides, per request, whether the client forced an outcome or a fault.
type Engine struct {
	cat   *Catalogue
	rules *Rules
}

// NewEngine returns an engine over a catalogue with no armed rules.
func NewEngine(cat *Catalogue) *Engine { return &Engine{cat: cat, rules: newRules(cat)} }

// Catalogue is the engine's catalogue.
func (e *Engine) Catalogue() *Catalogue { return e.cat }

// Rules are the armed rules.
func (e *Engine) Rules() *Rules { return e.rules }

// Decide looks, in order, at the request headers, the armed rules and the magic values of
// the body. header is the request's header; body its raw body.
// A failing shared rule store's error is returned as it is.
func (e *Engine) Decide(ctx context.Context, op *Operation, tenant string, header http.Header, body []byte) (Decision, error) {
	var d Decision
	if v := header.Get(DelayHeader); v != "" {
		delay, err := ParseDelay(v)
		if err != nil {
			return d, &HeaderError{DelayHeader, err.Error()}
		}
		d.Delay = delay
	}
	if v := header.Get(FaultHeader); v != "" {
		if !validFault(v) {
			return d, &HeaderError{FaultHeader, fmt.Sprintf("unknown fault %q; valid: %s", v, strings.Join(Faults, ", "))}
		}
		d.Fault, d.By = v, ByHeader
		return d, nil
	}
	if name := header.Get(Header); name != "" {
		o, ok := op.Outcome(name)
		if !ok {
			return d, &UnknownError{Operation: op.ID, Name: name, Valid: op.Names()}
		}
		d.Outcome, d.By = o, ByHeader
		return d, nil
	}
	r, ok, err := e.rules.fire(ctx, op, tenant, body)
	if err != nil {
		return d, err
	}
	if ok {
		d.Rule = r.ID
		if r.delay > d.Delay {
			d.Delay = r.delay
		}
		d.Fault = r.Fault
		if r.Outcome != "" {
			d.Outcome, _ = op.Outcome(r.Outcome)
		}
		if d.Outcome != nil || d.Fault != "" {
			d.By = ByRule
		}
		return d, nil
	}
	if d.Outcome = pickMagic(op, body); d.Outcome != nil {
		d.By = ByMagic
	}
	return d, nil
}

// FaultOutcome is the catalogue outcome an http-500 or http-503 fault answers with.
func FaultOutcome(op *Operation, fault string) (*Outcome, bool) {
	status := http.StatusInternalServerError
	if fault == Fault503 {
		status = http.StatusServiceUnavailable
	}
	for i := range op.Outcomes {
		if op.Outcomes[i].Status == status {
			return &op.Outcomes[i], true
		}
	}
	return nil, false
}

// ParseDelay reads a delay: a Go duration from 0 to MaxDelay.
func ParseDelay(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > MaxDelay {
		return 0, fmt.Errorf("%q is not a Go duration between 0 and %s, such as 250ms or 2s", v, MaxDelay)
	}
	return d, nil
}

func validFault(f string) bool {
	for _, v := range Faults {
		if f == v {
			return true
		}
	}
	return false
}

// pickMagic finds an outcome whose magic value the body carries. The body is decoded only
// if it contains one of the values at all, so ordinary requests pay a byte search.
func pickMagic(op *Operation, body []byte) *Outcome {
	var fields map[string]any // decoded once, only when a magic value appears in the body
	for i := range op.Outcomes {
		o := &op.Outcomes[i]
		for _, m := range o.Magic {
			if !bytes.Contains(body, m.raw) {
				continue
			}
			if fields == nil {
				fields = topLevelFields(body)
			}
			if v, ok := fields[m.Field]; ok && fmt.Sprint(v) == m.Value {
				return o
			}
		}
	}
	return nil
}

// topLevelFields decodes a JSON object body (an empty map when it is not one).
func topLevelFields(body []byte) map[string]any {
	fields := map[string]any{}
	_ = json.Unmarshal(body, &fields)
	return fields
}
