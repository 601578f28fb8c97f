package server

import (
	"net/http"
	"time"
)

// A Stage is one job of a partner call, run in the pipeline's order before the API's
// handler. It either passes the call on (answered false) or answers the call itself (a
// refusal, a forced outcome, a fault) and returns the outcome it answered with, which ends
// the call. Stages see the call's state in c and may not keep it after Run returns.
type Stage interface {
	Run(c *Call, w http.ResponseWriter, r *http.Request) (outcome string, answered bool)
}

// Finished is what observers learn of a partner call once it is answered.
type Finished struct {
	API, OperationID, Tenant string
	Method, Path             string
	Status                   int // 0: no answer (a fault, or the client gave up)
	Outcome                  string
	Rule                     string // the armed rule that decided the answer, if any
	DecidedBy                string // DecidedByState, or what the client forced the answer with: header, rule, magic
	Duration                 time.Duration
}

// DecidedByState is Finished.DecidedBy for an answer nothing forced: the sandbox decided
// from the request and the tenant's state, as the real system would.
const DecidedByState = "state"

// An Observer is told about every finished partner call (journal, metrics, access log,
// coverage), on the request's goroutine: it must be quick and, on the hot path, allocate
// as little as it can. c and r are the call's; an observer must not keep them.
type Observer interface {
	Observe(f *Finished, c *Call, r *http.Request)
}
