package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Pipeline serves every partner API: each matched call goes through Stages in order, then
// the API's handler; Observers then learn how it ended. A panic anywhere is answered as
// the API's internal error.
type Pipeline struct {
	Stages    []Stage
	Observers []Observer
	Engine    *scenarios.Engine // the catalogue every route must be in
	Log       *slog.Logger

	apis []API
}

// Stages is the standard order of a partner call's stages: read the body within its
// limit, check its shape against the API's limits, find who is calling, check the request against the contract, then apply the
// client's steering. (Authentication belongs to Identify; CORS and host checks wrap the
// router; metrics and coverage are observers.)
func Stages(engine *scenarios.Engine, timeoutFault time.Duration) []Stage {
	return []Stage{ReadBody{}, Shape{}, Identify{}, Validate{}, Steer{Engine: engine, TimeoutFault: timeoutFault}}
}

type routeKey struct{ method, path string }

type route struct {
	api    API
	op     *scenarios.Operation
	check  *validator
	limits *Limits
}

// Router mounts apis on r (mount them before other routes: they are the hot path) and sets
// its 404/405 handlers. Every route an API mounts runs through the pipeline, bound to its
// operation once here; every catalogue operation must exist in its API's contract.
func (p *Pipeline) Router(r *mux.Router, apis ...API) (*mux.Router, error) {
	p.apis = apis
	bound := map[*mux.Route]bool{}
	for _, api := range apis {
		skip := steeringHeaders
		if ch, ok := api.(CallerHeaders); ok {
			skip = append(slices.Clone(skip), ch.CallerHeaders()...)
		}
		routes := NewRoutes(api.Contract())
		limits, lerr := LimitsOf(api.Contract())
		if lerr != nil {
			return nil, fmt.Errorf("%s: %w", api.Name(), lerr)
		}
		api.Mount(r)
		err := r.Walk(func(mr *mux.Route, _ *mux.Router, _ []*mux.Route) error {
			if bound[mr] || mr.GetHandler() == nil {
				return nil
			}
			bound[mr] = true
			tpl, err := mr.GetPathTemplate()
			if err != nil {
				return err
			}
			methods, _ := mr.GetMethods()
			for _, m := range methods {
				rt := routes[routeKey{m, tpl}]
				if rt == nil {
					return fmt.Errorf("%s %s %s: mounted, but not in the contract", api.Name(), m, tpl)
				}
				op, ok := p.Engine.Catalogue().Op(rt.Operation.OperationID)
				if !ok {
					return fmt.Errorf("%s %s %s: operation %s has no scenario catalogue entry", api.Name(), m, tpl, rt.Operation.OperationID)
				}
				mr.Handler(p.bind(&route{api: api, op: op, check: newValidator(rt, skip), limits: limits}, mr.GetHandler()))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p.unmatched(w, req, NotFound, fmt.Sprintf("no operation at %s %s", req.Method, req.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p.unmatched(w, req, MethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s", req.Method, req.URL.Path))
	})
	return r, nil
}

// unmatched answers a path no operation has: in the envelope of the API the path belongs
// to, or the admin API's error shape.
func (p *Pipeline) unmatched(w http.ResponseWriter, r *http.Request, kind Kind, msg string) {
	name := openapi.APIOf(r.URL.Path)
	for _, api := range p.apis {
		if api.Name() == name {
			api.WriteProblem(w, r, api.Problem(kind, msg, nil))
			return
		}
	}
	status := http.StatusNotFound
	code := "not_found"
	if kind == MethodNotAllowed {
		status, code = http.StatusMethodNotAllowed, "method_not_allowed"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
}

// bind runs the pipeline around one operation's handler.
func (p *Pipeline) bind(rt *route, next http.Handler) http.Handler {
	return bound{func(w http.ResponseWriter, r *http.Request) { p.serve(rt, next, w, r) }}
}

// serve runs one call through the stages, the handler and the observers.
func (p *Pipeline) serve(rt *route, next http.Handler, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	DecodeVars(r)
	st := newCallState(w, rt)
	defer st.release()
	c := &st.call
	c.Start = start
	// The call rides in the context from the start, so an API's Tenant and WriteProblem
	// can read it and name the outcome they produce.
	st.ctx = callContext{Context: r.Context(), call: c}
	st.req = *r.WithContext(&st.ctx) // the copy WithContext makes stays on the stack
	req := &st.req
	defer func() {
		v := recover()
		recoverPanic(v, p.Log, c, &st.rec, req)
		p.finish(c, req, start)
		if v == http.ErrAbortHandler {
			panic(v) // net/http drops the connection
		}
	}()
	for _, s := range p.Stages {
		if outcome, answered := s.Run(c, &st.rec, req); answered {
			c.Outcome = outcome
			return
		}
		if req.Context().Err() != nil { // the client went away: no more work for it
			c.Outcome = clientGone
			return
		}
	}
	next.ServeHTTP(&st.rec, req)
}

// finish names the call's outcome and tells the observers.
func (p *Pipeline) finish(c *Call, r *http.Request, start time.Time) {
	status := c.state.rec.status // 0: no answer (fault, or the client gave up)
	outcome := c.Outcome
	if outcome == "" {
		outcome = deriveOutcome(c.Op, status)
	}
	f := &c.state.finished
	*f = Finished{
		API: c.API, OperationID: c.Op.ID, Tenant: c.Tenant, Method: r.Method, Path: r.URL.Path,
		Status: status, Outcome: outcome, Rule: c.Rule, DecidedBy: decidedBy(c), Duration: time.Since(start),
	}
	for _, o := range p.Observers {
		o.Observe(f, c, r)
	}
}

// decidedBy is what decided the call's answer: "state", or what the client forced it with.
func decidedBy(c *Call) string {
	if c.Decided == "" {
		return DecidedByState
	}
	return c.Decided
}

// reject answers a request a stage refuses, naming the outcome after the status and API
// code (the API's WriteProblem may name it more precisely).
func reject(c *Call, w http.ResponseWriter, r *http.Request, prob Problem) (string, bool) {
	if o, ok := c.Op.Answering(prob.Status, prob.Code); ok {
		c.Outcome = o.Name
	} else {
		c.Outcome = "rejected"
	}
	c.api.WriteProblem(w, r, prob)
	return c.Outcome, true
}

// deriveOutcome names an answer the handler did not name: success is "ok", otherwise the
// only outcome with that status, if there is just one.
func deriveOutcome(op *scenarios.Operation, status int) string {
	if status == http.StatusOK {
		return scenarios.OK
	}
	if status == 0 {
		return "no-answer"
	}
	name := ""
	for _, o := range op.Outcomes {
		if o.Status == status {
			if name != "" {
				return fmt.Sprintf("http-%d", status)
			}
			name = o.Name
		}
	}
	if name == "" {
		return fmt.Sprintf("http-%d", status)
	}
	return name
}

// callState is everything the pipeline keeps for one call, in one pooled allocation.
type callState struct {
	ctx      callContext
	req      http.Request // the request as stages and handler see it: r with ctx
	rec      recorder
	call     Call
	body     replayBody
	limited  io.LimitedReader
	reqBuf   bytes.Buffer
	resBuf   bytes.Buffer
	finished Finished
	decoded  any // the JSON body as the validator decoded it
}

// maxPooled is the largest buffer a callState keeps when it goes back to the pool: one
// large upload must not pin megabytes for the life of the process.
const maxPooled = 64 << 10

var statePool = sync.Pool{New: func() any { return new(callState) }}

func newCallState(w http.ResponseWriter, rt *route) *callState {
	st := statePool.Get().(*callState)
	st.rec = recorder{ResponseWriter: w, body: &st.resBuf}
	st.call = Call{API: rt.api.Name(), Op: rt.op, api: rt.api, check: rt.check, limits: rt.limits, state: st}
	return st
}

func (st *callState) release() {
	st.ctx = callContext{}
	st.req = http.Request{}
	st.rec = recorder{}
	st.call = Call{}
	st.body.Reset(nil)
	st.limited = io.LimitedReader{}
	st.finished = Finished{}
	st.decoded = nil
	for _, b := range []*bytes.Buffer{&st.reqBuf, &st.resBuf} {
		if b.Cap() > maxPooled {
			*b = bytes.Buffer{}
		}
		b.Reset()
	}
	statePool.Put(st)
}
