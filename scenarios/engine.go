package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Header is the request header that forces a named outcome.
const Header = "X-Sandbox-Scenario"

// UnknownError says a request named an outcome its operation does not have.
type UnknownError struct {
	Operation string
	Name      string
	Valid     []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("%s: unknown scenario %q for operation %s; valid: %s", Header, e.Name, e.Operation, strings.Join(e.Valid, ", "))
}

// Engine picks the outcome a request asks for.
type Engine struct {
	cat *Catalogue
}

// NewEngine returns an engine over a catalogue.
func NewEngine(cat *Catalogue) *Engine { return &Engine{cat: cat} }

// Catalogue is the engine's catalogue.
func (e *Engine) Catalogue() *Catalogue { return e.cat }

// Pick returns the outcome a request forces, or nil when state decides. header is the
// X-Sandbox-Scenario value; body the raw request body.
func (e *Engine) Pick(op *Operation, header string, body []byte) (*Outcome, error) {
	if header != "" {
		o, ok := op.Outcome(header)
		if !ok {
			return nil, &UnknownError{Operation: op.ID, Name: header, Valid: op.Names()}
		}
		return o, nil
	}
	return pickMagic(op, body), nil
}

// pickMagic finds an outcome whose magic value the body carries. The body is decoded only
// if it contains one of the values at all, so ordinary requests pay a byte search.
func pickMagic(op *Operation, body []byte) *Outcome {
	var fields map[string]any
	decoded := false
	for i := range op.Outcomes {
		o := &op.Outcomes[i]
		for _, m := range o.Magic {
			if !bytes.Contains(body, []byte(m.Value)) {
				continue
			}
			if !decoded {
				decoded = true
				_ = json.Unmarshal(body, &fields)
			}
			if v, ok := fields[m.Field]; ok && fmt.Sprint(v) == m.Value {
				return o
			}
		}
	}
	return nil
}
