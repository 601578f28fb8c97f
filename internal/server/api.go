// Package server is the HTTP pipeline every partner API call goes through: routing,
// tenant identification, contract validation, scenario selection, the handler, and the
// journal. Each partner API plugs in as an API; the pipeline knows nothing of their domains.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Kind is a failure the pipeline itself detects, before any handler runs.
type Kind int

const (
	Invalid          Kind = iota // the request breaks the contract
	NotFound                     // no such path
	MethodNotAllowed             // path exists, method does not
	UnknownScenario              // X-Sandbox-Scenario names no outcome of the operation
	Internal                     // the sandbox failed (never the client's fault)
	Unavailable                  // the state store cannot be reached: try again later
	Refused                      // browser safety refused the request (a Host local mode does not serve): the API's 400
)

// KindOf is the failure a handler's error stands for: Unavailable when the state store
// failed (the API answers its documented 503), Internal otherwise.
func KindOf(err error) Kind {
	if errors.Is(err, store.ErrUnavailable) {
		return Unavailable
	}
	return Internal
}

// Problem is an answer other than success, in terms every API can render in its own
// envelope.
type Problem struct {
	Status  int      // HTTP status
	Code    string   // the API's own code (DCMS errorCode, DMT statusCode, ...)
	Message string   // human-readable, says what was wrong
	Fields  []string // one entry per offending field: "entityId: value is required"
}

// API is what the pipeline needs of a partner API adapter.
type API interface {
	// Name is the API's short name: dcms, dmt, profile.
	Name() string
	// Contract is the API's parsed OpenAPI document.
	Contract() *openapi3.T
	// Mount registers the API's generated routes on r. The pipeline runs as r's
	// middleware, so it sees a request before the generated code binds its parameters.
	Mount(r *mux.Router)
	// Tenant identifies the caller's partition (and authenticates it where the API does).
	Tenant(r *http.Request) (string, *Problem)
	// Problem renders a pipeline failure as the API's documented answer.
	Problem(kind Kind, message string, fields []string) Problem
	// WriteProblem writes p in the API's envelope. It may set CallFrom(r.Context()).Outcome
	// to name the answer more precisely than the pipeline can.
	WriteProblem(w http.ResponseWriter, r *http.Request, p Problem)
}

// Call is what the pipeline knows of the request being handled; handlers read the forced
// outcome from it and record the outcome they produced.
type Call struct {
	API    string
	Tenant string
	Op     *scenarios.Operation
	Forced *scenarios.Outcome // set when the client forced an outcome answered by the handler
	// ForcedOK says the client forced "ok": armed rules and magic values are skipped and
	// state decides; an API that refuses the call anyway says why with Refusal.
	ForcedOK bool
	Outcome  string    // the named outcome the handler produced; "" means derive from status
	Rule     string    // the armed rule that decided the answer, if any
	Decided  string    // what forced the answer (scenarios.ByHeader, ByRule, ByMagic); "": state
	Body     []byte    // the raw request body
	Start    time.Time // when the pipeline began the call

	api   API
	check *validator
	state *callState
}

// Refusal is the message of a refused call: msg, said to come from the state when the
// client forced "ok" (see scenarios.OKRefused).
func (c *Call) Refusal(msg string) string {
	if c.ForcedOK {
		return scenarios.OKRefused + ": " + msg
	}
	return msg
}

type callKey struct{}

// callContext carries the call in a request's context. It lives in the pooled call state,
// so attaching the call allocates nothing; nothing keeps a request's context after the
// request (the handlers and background work take what they need from it).
type callContext struct {
	context.Context
	call *Call
}

func (c *callContext) Value(key any) any {
	switch key {
	case callKey{}:
		return c.call
	case store.StartKey{}:
		return &c.call.Start
	}
	return c.Context.Value(key)
}

// CallFrom returns the call of a request context handled by the pipeline, or an empty call.
func CallFrom(ctx context.Context) *Call {
	if c, ok := ctx.Value(callKey{}).(*Call); ok {
		return c
	}
	return &Call{}
}

// WithCall returns ctx carrying c; for tests of handlers outside the pipeline.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// Deps are the shared parts every partner API is built on.
type Deps struct {
	Store store.Store
	Clock *clock.Clock
	Log   *slog.Logger
	// Tenants lists the tenants that have used an API (background work, such as webhook
	// retries and automatic reviews, visits them); nil lists none.
	Tenants func(ctx context.Context, api string) ([]string, error)
	// Fixtures are the options the fixture base was built with (how many customers are
	// generated, for the admin API's state views).
	Fixtures fixtures.Options
	// Shared says other replicas share the store: background work (webhook deliveries and
	// their retries) starts at once, since another replica may have left work to finish.
	Shared bool
	// TokenKey signs the tokens an API issues (DCMS authenticate, profile GetAppToken).
	TokenKey []byte
}

// RequestError is the generated code's handler of a request it cannot bind (a parameter
// of the wrong type): the API's answer to an invalid request.
func RequestError(api API) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		api.WriteProblem(w, r, api.Problem(Invalid, err.Error(), []string{err.Error()}))
	}
}

// ResponseError is the generated code's handler of an error a handler returned: the
// API's 503 when the state store failed, its internal error otherwise (logged: a sandbox
// bug or an outage, never the client's mistake).
func ResponseError(api API, log *slog.Logger) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("handler failed", "api", api.Name(), "err", err)
		api.WriteProblem(w, r, api.Problem(KindOf(err), "", nil))
	}
}
