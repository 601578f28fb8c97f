// Package scenarios names every documented outcome of every partner API operation and
// picks the one a request asks for: by the X-Sandbox-Scenario header or by a magic value
// in the request body. Scenario files and armed rules build on the same catalogue.
package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// OK is the outcome name of plain success; every operation has it.
const OK = "ok"

// OKRefused starts the message of a call that forced OK but was refused: a forced outcome
// never bends state, so where success needs state that does not exist (an unknown id, a
// card or order in a status the operation cannot start from, a spent OTP) the call answers
// the operation's documented error, and says so with this.
const OKRefused = "X-Sandbox-Scenario ok: success needs state that does not exist"

// OKDescription is the catalogue's description of an operation's "ok": what its success
// needs (needs: "an existing customer (entityId)"; "" when it needs nothing) and the rule.
func OKDescription(needs string) string {
	if needs == "" {
		return "Success. Forced, it skips armed rules and magic values; the state decides, as without the header."
	}
	return "Success when the state has what it needs: " + needs + ". Forced, it skips armed rules and magic values but never bends state: " +
		"without what it needs, the call answers the operation's documented error, its message starting \"" + OKRefused + "\"."
}

// Outcome is one documented answer of an operation.
type Outcome struct {
	Name        string  // the X-Sandbox-Scenario value, e.g. customer-not-found
	Status      int     // HTTP status
	Code        string  // the API's own code: DCMS errorCode, DMT statusCode, profile statusCode
	Message     string  // the API's message for it (DCMS shortMessage, DMT statusDesc, ...)
	Description string  // when the real system answers this
	Magic       []Magic // request values that produce it without the header
}

// Magic is a top-level JSON field value of the request that selects an outcome.
type Magic struct {
	Field, Value string
	raw          []byte // Value, for looking for it in bodies without converting each time
}

// Operation is one partner API operation with its outcomes.
type Operation struct {
	API, ID, Method, Path string
	Outcomes              []Outcome
}

// Outcome finds an outcome by name.
func (op *Operation) Outcome(name string) (*Outcome, bool) {
	for i := range op.Outcomes {
		if op.Outcomes[i].Name == name {
			return &op.Outcomes[i], true
		}
	}
	return nil, false
}

// Answering finds the first outcome that answers with this HTTP status and API code.
func (op *Operation) Answering(status int, code string) (*Outcome, bool) {
	for i := range op.Outcomes {
		if op.Outcomes[i].Status == status && op.Outcomes[i].Code == code {
			return &op.Outcomes[i], true
		}
	}
	return nil, false
}

// Names lists the outcome names in catalogue order.
func (op *Operation) Names() []string {
	out := make([]string, len(op.Outcomes))
	for i, o := range op.Outcomes {
		out[i] = o.Name
	}
	return out
}

// Catalogue holds every operation's outcomes.
type Catalogue struct {
	ops  []*Operation
	byID map[string]*Operation
}

// NewCatalogue returns an empty catalogue.
func NewCatalogue() *Catalogue { return &Catalogue{byID: map[string]*Operation{}} }

// Add registers an operation; a second registration of the same id replaces the first.
func (c *Catalogue) Add(op Operation) {
	op.Outcomes = slices.Clone(op.Outcomes)
	for i := range op.Outcomes {
		magic := slices.Clone(op.Outcomes[i].Magic)
		for j := range magic {
			magic[j].raw = []byte(magic[j].Value)
		}
		op.Outcomes[i].Magic = magic
	}
	o := &op
	if _, dup := c.byID[op.ID]; dup {
		for i, old := range c.ops {
			if old.ID == op.ID {
				c.ops[i] = o
			}
		}
	} else {
		c.ops = append(c.ops, o)
	}
	c.byID[op.ID] = o
}

// Op finds an operation by operationId.
func (c *Catalogue) Op(id string) (*Operation, bool) {
	op, ok := c.byID[id]
	return op, ok
}

// Operations lists every operation, sorted by API then path.
func (c *Catalogue) Operations() []*Operation {
	out := append([]*Operation(nil), c.ops...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].API != out[j].API {
			return out[i].API < out[j].API
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// Check proves the catalogue and the contracts agree: every operation of every contract is
// in the catalogue with an "ok" outcome, every catalogued operation exists in its contract
// at its method and path, and every outcome's status is documented for that operation.
func (c *Catalogue) Check(contracts map[string]*openapi3.T) error {
	var problems []string
	seen := map[string]bool{}
	for api, doc := range contracts {
		for _, path := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Value(path).Operations() {
				seen[op.OperationID] = true
				cat, ok := c.byID[op.OperationID]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s %s %s (%s): not in the scenario catalogue", api, method, path, op.OperationID))
					continue
				}
				if cat.API != api || cat.Method != method || cat.Path != path {
					problems = append(problems, fmt.Sprintf("%s: catalogue says %s %s %s, contract says %s %s %s", op.OperationID, cat.API, cat.Method, cat.Path, api, method, path))
				}
				if _, ok := cat.Outcome(OK); !ok {
					problems = append(problems, fmt.Sprintf("%s: no %q outcome", op.OperationID, OK))
				}
				for _, fault := range []string{Fault500, Fault503} {
					if _, ok := FaultOutcome(cat, fault); !ok {
						problems = append(problems, fmt.Sprintf("%s: no outcome for the %s fault", op.OperationID, fault))
					}
				}
				for _, o := range cat.Outcomes {
					if op.Responses.Value(strconv.Itoa(o.Status)) == nil {
						problems = append(problems, fmt.Sprintf("%s: outcome %q answers %d, which the contract does not document", op.OperationID, o.Name, o.Status))
					}
				}
			}
		}
	}
	for _, op := range c.ops {
		if _, ok := contracts[op.API]; ok && !seen[op.ID] {
			problems = append(problems, fmt.Sprintf("%s: in the catalogue but not in openapi/%s.yaml", op.ID, op.API))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("scenario catalogue does not match the contracts:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// Find is the operation at method and path (a concrete path: /ExtReport/GetIndividualProfile/abc),
// or nil.
func (c *Catalogue) Find(method, path string) *Operation {
	got := strings.Split(path, "/")
	for _, op := range c.ops {
		if !strings.EqualFold(op.Method, method) {
			continue
		}
		want := strings.Split(op.Path, "/")
		if len(want) != len(got) {
			continue
		}
		ok := true
		for i := range want {
			if want[i] != got[i] && !(strings.HasPrefix(want[i], "{") && got[i] != "") {
				ok = false
				break
			}
		}
		if ok {
			return op
		}
	}
	return nil
}
