package dmt

import "github.com/partnersandbox/sandbox/scenarios"

// Magic mobile numbers: a request for one of them gets the outcome without the
// X-Sandbox-Scenario header (in the plain and the encrypted variant).
const (
	MagicStatusCode4        = "9000000004" // internal-error: HTTP 200, statusCode 4
	MagicInternalError      = "9000000500" // internal-error too, as SANDBOX_500 is in the other APIs
	MagicServiceUnavailable = "9000000503" // service-unavailable: HTTP 503, statusCode 4
)

var magicMobiles = map[string][]string{
	outInternalError:      {MagicStatusCode4, MagicInternalError},
	outServiceUnavailable: {MagicServiceUnavailable},
}

// Catalogue is the DMT part of the scenario catalogue, built from the operations and
// the error table.
func Catalogue() []scenarios.Operation {
	out := make([]scenarios.Operation, 0, len(operations))
	for i := range operations {
		o := &operations[i]
		op := scenarios.Operation{API: "dmt", ID: o.id, Method: "POST", Path: o.path, Outcomes: []scenarios.Outcome{{
			Name: scenarios.OK, Status: 200, Message: "Answered from the sandbox's state (status SUCCESS)",
			Description: scenarios.OKDescription(o.needs),
		}}}
		names := append(append(append([]string{}, o.outcomes[:o.leadingSuccesses()]...), leadingFailures...), o.outcomes[o.leadingSuccesses():]...)
		for _, name := range append(names, commonOutcomes...) {
			info := o.outcome(name)
			oc := scenarios.Outcome{Name: name, Status: info.status, Code: info.code, Message: info.desc, Description: info.about}
			for _, v := range magicMobiles[name] {
				oc.Magic = append(oc.Magic, scenarios.Magic{Field: o.mobile, Value: v})
			}
			op.Outcomes = append(op.Outcomes, oc)
		}
		out = append(out, op)
	}
	return out
}

// leadingSuccesses counts the SUCCESS outcomes at the head of o.outcomes.
func (o *opSpec) leadingSuccesses() int {
	n := 0
	for n < len(o.outcomes) && success(outcomes[o.outcomes[n]].code) {
		n++
	}
	return n
}

// outcome is the table entry of name as this operation words it (code 4's message
// differs per operation).
func (o *opSpec) outcome(name string) outcome {
	info := outcomes[name]
	if info.code == "4" && info.status != 503 {
		info.desc = o.issue
	}
	return info
}
