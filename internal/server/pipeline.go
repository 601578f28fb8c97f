package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/scenarios"
)

// MaxBody is the largest request body accepted (document uploads are the largest).
const MaxBody = 16 << 20

// Pipeline builds the router that serves every partner API.
type Pipeline struct {
	Engine  *scenarios.Engine
	Journal *journal.Journal
	Clock   *clock.Clock
	Log     *slog.Logger
	// TimeoutFault is how long a "timeout" fault holds a request before dropping it
	// (default scenarios.MaxDelay); a client that gives up first frees it at once.
	TimeoutFault time.Duration
	// Coverage counts each answered call's outcome for its tenant (nil: nothing counts).
	Coverage Counter

	apis   []API
	routes map[routeKey]*route
}

type routeKey struct{ method, path string }

type route struct {
	api   API
	op    *scenarios.Operation
	route *routers.Route
}

// Router mounts apis on r (mount them before other routes: they are the hot path) and sets its
// 404/405 handlers. Every catalogue operation must exist in its API's contract.
func (p *Pipeline) Router(r *mux.Router, apis ...API) (*mux.Router, error) {
	p.apis = apis
	p.routes = map[routeKey]*route{}
	for _, api := range apis {
		for key, rt := range NewRoutes(api.Contract()) {
			cat, ok := p.Engine.Catalogue().Op(rt.Operation.OperationID)
			if !ok {
				return nil, fmt.Errorf("%s %s %s: operation %s has no scenario catalogue entry", api.Name(), key.method, key.path, rt.Operation.OperationID)
			}
			p.routes[key] = &route{api: api, op: cat, route: rt}
		}
		api.Mount(r)
	}
	r.Use(p.middleware)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p.unmatched(w, req, NotFound, fmt.Sprintf("no operation at %s %s", req.Method, req.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p.unmatched(w, req, MethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s", req.Method, req.URL.Path))
	})
	return r, nil
}

func (p *Pipeline) unmatched(w http.ResponseWriter, r *http.Request, kind Kind, msg string) {
	for _, api := range p.apis {
		if api.Owns(r.URL.Path) {
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

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// middleware runs around every matched route; routes of no partner API (the admin API)
// pass straight through.
func (p *Pipeline) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := p.lookup(r)
		if rt == nil {
			next.ServeHTTP(w, r)
			return
		}
		api := rt.api
		reqBuf := bufPool.Get().(*bytes.Buffer)
		respBuf := bufPool.Get().(*bytes.Buffer)
		defer func() {
			reqBuf.Reset()
			respBuf.Reset()
			bufPool.Put(reqBuf)
			bufPool.Put(respBuf)
		}()
		// One allocation holds what the pipeline keeps for the request.
		st := &callState{rec: recorder{ResponseWriter: w, body: respBuf}, call: Call{API: api.Name(), Op: rt.op}}
		rec, call := &st.rec, &st.call
		// The call rides in the context from the start, so an API's Tenant and WriteProblem
		// can read it and name the outcome they produce.
		r = r.WithContext(WithCall(r.Context(), call))
		defer func() {
			v := recover()
			if v != nil && v != http.ErrAbortHandler {
				p.Log.Error("handler panic", "operationId", rt.op.ID, "panic", v)
				if !rec.wrote {
					api.WriteProblem(rec, r, api.Problem(Internal, "the sandbox failed to answer; this is a sandbox bug", nil))
				}
			}
			p.record(r, call, rec, start)
			if v == http.ErrAbortHandler {
				panic(v) // net/http drops the connection
			}
		}()

		if r.Body != nil {
			if prob := readBody(r, reqBuf, st, api); prob != nil {
				p.reject(rec, r, call, api, *prob)
				return
			}
		}

		tenant, prob := api.Tenant(r)
		call.Tenant = tenant
		if prob != nil {
			p.reject(rec, r, call, api, *prob)
			return
		}
		if err := Validate(r, rt.route); err != nil {
			fields := Fields(err)
			p.reject(rec, r, call, api, api.Problem(Invalid, "request does not match the contract: "+strings.Join(fields, "; "), fields))
			return
		}
		st.body.Reset(call.Body) // validation read it; the handler reads it again

		if p.steer(rec, r, call, api) {
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// readBody reads the request body once into buf; the validator and then the handler read
// it again from st.body.
func readBody(r *http.Request, buf *bytes.Buffer, st *callState, api API) *Problem {
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, MaxBody+1)); err != nil {
		prob := api.Problem(Invalid, "body: could not be read: "+err.Error(), []string{"body: could not be read"})
		return &prob
	}
	if buf.Len() > MaxBody {
		prob := api.Problem(Invalid, fmt.Sprintf("body: larger than %d bytes", MaxBody), []string{"body: too large"})
		return &prob
	}
	st.call.Body = buf.Bytes()
	st.body.Reset(st.call.Body)
	r.Body = &st.body
	return nil
}

// steer applies what the client asked of the sandbox for this call (steering headers,
// armed rules, magic values): it answers the call itself and says true for an error
// outcome or a fault, and leaves a forced 200 outcome in call.Forced for the handler.
func (p *Pipeline) steer(w http.ResponseWriter, r *http.Request, call *Call, api API) bool {
	d, err := p.Engine.Decide(call.Op, call.Tenant, r.Header, call.Body)
	if err != nil {
		field := scenarios.Header
		var he *scenarios.HeaderError
		if errors.As(err, &he) {
			field = he.Header
		}
		p.reject(w, r, call, api, api.Problem(UnknownScenario, err.Error(), []string{field}))
		return true
	}
	call.Rule, call.Decided = d.Rule, d.By
	if d.Delay > 0 && !sleep(r.Context(), d.Delay) {
		call.Outcome = "client-gave-up"
		return true
	}
	forced := d.Outcome
	switch d.Fault {
	case scenarios.FaultReset:
		call.Outcome = "fault:" + d.Fault
		dropConnection(w)
		return true
	case scenarios.FaultTimeout:
		call.Outcome = "fault:" + d.Fault
		sleep(r.Context(), p.timeout())
		dropConnection(w)
		return true
	case scenarios.Fault500, scenarios.Fault503:
		forced, _ = scenarios.FaultOutcome(call.Op, d.Fault)
	}
	if forced == nil || forced.Name == scenarios.OK {
		call.Decided = "" // nothing forced: state decides
		return false
	}
	call.Outcome = forced.Name
	if forced.Status != http.StatusOK {
		// An error outcome needs nothing from the domain: answer it here, in the API's
		// envelope, at the status the catalogue checked against the contract.
		api.WriteProblem(w, r, Problem{Status: forced.Status, Code: forced.Code, Message: forced.Message})
		return true
	}
	call.Forced = forced
	return false
}

// sleep waits d, or less if the client gives up first (false then): a delayed request
// never holds the server after its client is gone.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (p *Pipeline) timeout() time.Duration {
	if p.TimeoutFault > 0 {
		return p.TimeoutFault
	}
	return scenarios.MaxDelay
}

// dropConnection ends the connection without an answer; a TCP connection is reset (RST)
// rather than closed, as a crashed peer or a middlebox would.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, tests with a recorder): the best we can do is no body.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// reject answers a request the pipeline refuses, naming the outcome after the status and
// API code (the API's WriteProblem may name it more precisely).
func (p *Pipeline) reject(w http.ResponseWriter, r *http.Request, call *Call, api API, prob Problem) {
	if o, ok := call.Op.Answering(prob.Status, prob.Code); ok {
		call.Outcome = o.Name
	} else {
		call.Outcome = "rejected"
	}
	api.WriteProblem(w, r, prob)
}

func (p *Pipeline) lookup(r *http.Request) *route {
	key, ok := routeKeyOf(r)
	if !ok {
		return nil
	}
	return p.routes[key]
}

func (p *Pipeline) record(r *http.Request, call *Call, rec *recorder, start time.Time) {
	status := rec.status // 0: no answer (fault, or the client gave up)
	outcome := call.Outcome
	if outcome == "" {
		outcome = deriveOutcome(call.Op, status)
	}
	p.Journal.Add(journal.Entry{
		Time:        p.Clock.Now(call.Tenant),
		API:         call.API,
		Tenant:      call.Tenant,
		OperationID: call.Op.ID,
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"),
		Scenario:    r.Header.Get(scenarios.Header),
		Fault:       r.Header.Get(scenarios.FaultHeader),
		Delay:       r.Header.Get(scenarios.DelayHeader),
		Rule:        call.Rule,
		DecidedBy:   decidedBy(call),
		Status:      status,
		Outcome:     outcome,
		Duration:    time.Since(start),
		Request:     call.Body,
		Response:    rec.body.Bytes(),
	})
	p.count(call, outcome)
}

// Counter is told the outcome of each answered call that named a tenant: coverage.
type Counter interface {
	Count(tenant string, op *scenarios.Operation, outcome string, forced bool)
}

// count tells the coverage counter how the call was answered; kept apart from the journal
// so that each observer of a finished call is one small call from record.
func (p *Pipeline) count(call *Call, outcome string) {
	if p.Coverage != nil && call.Tenant != "" {
		p.Coverage.Count(call.Tenant, call.Op, outcome, call.Decided != "")
	}
}

// decidedBy is what decided the call's answer, as the journal shows it.
func decidedBy(call *Call) string {
	if call.Decided == "" {
		return "state"
	}
	return call.Decided
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

// callState is everything the pipeline allocates per request, in one allocation.
type callState struct {
	rec  recorder
	call Call
	body replayBody
}

// replayBody lets the validator and then the handler read the same request bytes.
type replayBody struct{ bytes.Reader }

func (*replayBody) Close() error { return nil }

// recorder passes the response through and keeps a copy for the journal.
type recorder struct {
	http.ResponseWriter
	body   *bytes.Buffer
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	if room := journal.MaxBody - r.body.Len(); room > 0 {
		r.body.Write(b[:min(len(b), room)])
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
