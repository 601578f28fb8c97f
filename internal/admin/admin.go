// Package admin serves the sandbox's own API (openapi/sandbox.yaml) under /__sandbox/:
// the scenario catalogue, reset, the journal, the clock and tenant keys here, and the
// per-API parts (test kits, OTPs, profile settings) through the small interfaces below,
// which each partner API package implements.
package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/coverage"
	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/internal/snapshot"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/tenants"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
)

// DCMS is the DCMS part of the admin API.
type DCMS interface {
	GetTestKit(ctx context.Context, req api.GetTestKitRequestObject) (api.GetTestKitResponseObject, error)
	ListDcmsCustomers(ctx context.Context, req api.ListDcmsCustomersRequestObject) (api.ListDcmsCustomersResponseObject, error)
	GetDcmsCustomer(ctx context.Context, req api.GetDcmsCustomerRequestObject) (api.GetDcmsCustomerResponseObject, error)
	ListDcmsOrders(ctx context.Context, req api.ListDcmsOrdersRequestObject) (api.ListDcmsOrdersResponseObject, error)
	// SetPinKey is the tenant's Set PIN V2 AES key.
	SetPinKey(tenant string) []byte
}

// DMT is the DMT part of the admin API.
type DMT interface {
	GetLastOtp(ctx context.Context, req api.GetLastOtpRequestObject) (api.GetLastOtpResponseObject, error)
	ListDmtCustomers(ctx context.Context, req api.ListDmtCustomersRequestObject) (api.ListDmtCustomersResponseObject, error)
	GetDmtCustomer(ctx context.Context, req api.GetDmtCustomerRequestObject) (api.GetDmtCustomerResponseObject, error)
	ListDmtOtps(ctx context.Context, req api.ListDmtOtpsRequestObject) (api.ListDmtOtpsResponseObject, error)
	// Key is the client's AES-256 key for the encrypted variant.
	Key(tenant string) []byte
}

// Profile is the profile part of the admin API.
type Profile interface {
	GetOutbox(ctx context.Context, req api.GetOutboxRequestObject) (api.GetOutboxResponseObject, error)
	GetRateLimits(ctx context.Context, req api.GetRateLimitsRequestObject) (api.GetRateLimitsResponseObject, error)
	SetRateLimits(ctx context.Context, req api.SetRateLimitsRequestObject) (api.SetRateLimitsResponseObject, error)
	GetWebhook(ctx context.Context, req api.GetWebhookRequestObject) (api.GetWebhookResponseObject, error)
	SetWebhook(ctx context.Context, req api.SetWebhookRequestObject) (api.SetWebhookResponseObject, error)
	DeleteWebhook(ctx context.Context, req api.DeleteWebhookRequestObject) (api.DeleteWebhookResponseObject, error)
	GetWebhookDeliveries(ctx context.Context, req api.GetWebhookDeliveriesRequestObject) (api.GetWebhookDeliveriesResponseObject, error)
	ReviewSubmission(ctx context.Context, req api.ReviewSubmissionRequestObject) (api.ReviewSubmissionResponseObject, error)
	ListProfileSubmissions(ctx context.Context, req api.ListProfileSubmissionsRequestObject) (api.ListProfileSubmissionsResponseObject, error)
	GetProfileSubmission(ctx context.Context, req api.GetProfileSubmissionRequestObject) (api.GetProfileSubmissionResponseObject, error)
}

// Docs serves the contracts and the API reference page.
type Docs interface {
	GetContract(ctx context.Context, req api.GetContractRequestObject) (api.GetContractResponseObject, error)
	GetDocs(ctx context.Context, req api.GetDocsRequestObject) (api.GetDocsResponseObject, error)
	GetDocsBundle(ctx context.Context, req api.GetDocsBundleRequestObject) (api.GetDocsBundleResponseObject, error)
}

// Console serves the web console's page and assets.
type Console interface {
	GetConsole(ctx context.Context, req api.GetConsoleRequestObject) (api.GetConsoleResponseObject, error)
	GetConsoleScript(ctx context.Context, req api.GetConsoleScriptRequestObject) (api.GetConsoleScriptResponseObject, error)
	GetConsoleStyle(ctx context.Context, req api.GetConsoleStyleRequestObject) (api.GetConsoleStyleResponseObject, error)
}

// Exporter turns journal entries (oldest first) into a scenario file.
type Exporter func(entries []journal.Entry, name string) ([]byte, error)

// Deps are the sandbox's shared parts the admin API steers.
type Deps struct {
	Engine   *scenarios.Engine
	Store    store.Backend
	Journal  *journal.Journal
	Clock    *clock.Clock
	Kinds    snapshot.Kinds // how to decode snapshot records
	APIs     []string       // the partner APIs, in order
	Exporter Exporter
	Checks   []Check // what GET /readyz runs
	Metrics  Metrics // what GET /metrics shows
	Coverage *coverage.Counter
	// Auth, if set, is hosted mode: who may call which operation (see Scopes).
	Auth *Auth
	// Refresh, if set, brings the clocks and armed rules up to date with the other
	// replicas (a shared store) before each operation on state (those documenting the
	// Unavailable 503).
	Refresh func(context.Context) error
	// Declared are the declared tenants (POST /__sandbox/tenants and the --config file).
	Declared *tenants.Registry
	// BodyLimit bounds an admin request's body (0: DefaultBodyLimit); a body over it is
	// answered 400 naming the limit, never cut.
	BodyLimit int64
}

// DefaultBodyLimit is the admin API's body limit unless --admin-body-limit says otherwise:
// room for the snapshot of a tenant with its documents.
const DefaultBodyLimit = 256 << 20

// Server implements the admin API.
type Server struct {
	core
	DCMS
	DMT
	Profile
	Docs
	Console
}

var _ api.StrictServerInterface = (*Server)(nil)

// New returns the admin server over the sandbox's shared parts.
func New(deps Deps, dcms DCMS, dmt DMT, profile Profile, docs Docs, console Console) *Server {
	return &Server{core: core{Deps: deps, dcms: dcms, dmt: dmt}, DCMS: dcms, DMT: dmt, Profile: profile, Docs: docs, Console: console}
}

// Mount registers the admin routes on r (a router of the admin API's own) with contract
// validation and, in hosted mode, authorization first.
func (s *Server) Mount(r *mux.Router) error {
	doc, err := openapi.Load("sandbox")
	if err != nil {
		return err
	}
	if err := checkScopes(doc); err != nil {
		return err
	}
	routes := server.NewRoutes(doc)
	h := api.NewStrictHandlerWithOptions(s, nil, api.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: badRequest, ResponseErrorHandlerFunc: failed,
	})
	api.HandlerWithOptions(h, api.GorillaServerOptions{
		BaseRouter:       r,
		Middlewares:      []api.MiddlewareFunc{s.checked(routes)},
		ErrorHandlerFunc: badRequest,
	})
	if s.Auth == nil {
		return nil
	}
	// Hosted mode: each admin route authorizes first, before its parameters are read (a
	// tenant token's own tenant fills in a tenant parameter left out).
	return r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if next := route.GetHandler(); next != nil {
			route.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if rt := routes.Find(r); rt != nil {
					var ok bool
					if r, ok = s.authorize(w, r, rt.Operation); !ok {
						return
					}
				}
				next.ServeHTTP(w, r)
			}))
		}
		return nil
	})
}

// checked is the admin operations' middleware: state brought up to date with the other
// replicas where the operation reads or changes it, the body read within its limit and
// checked against the contract (and, for a tenant's token, against its scope).
func (s *Server) checked(routes server.Routes) api.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The admin API looks on: its reads never make a tenant one that has used an API.
			r = r.WithContext(store.Peek(r.Context()))
			rt := routes.Find(r)
			if rt == nil {
				next.ServeHTTP(w, r)
				return
			}
			if s.Refresh != nil && onState(rt.Operation) {
				if err := s.Refresh(r.Context()); err != nil {
					writeError(w, http.StatusServiceUnavailable, "unavailable", err.Error())
					return
				}
			}
			body, err := s.readBody(r)
			if err != nil {
				writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err := server.ValidateRequest(r, rt); err != nil {
				writeError(w, http.StatusBadRequest, "invalid_request", strings.Join(server.Fields(err), "; "))
				return
			}
			if tenant, ok := TenantCaller(r.Context()); ok {
				if no := bodyScope(rt.Operation, body, tenant); no != nil {
					no.write(w)
					return
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	}
}

func badRequest(w http.ResponseWriter, _ *http.Request, err error) {
	writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
}

// failed answers an operation's error: 503 for a store that cannot be reached.
func failed(w http.ResponseWriter, _ *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		writeError(w, http.StatusServiceUnavailable, "unavailable", err.Error())
		return
	}
	writeError(w, http.StatusInternalServerError, "internal", err.Error())
}

// authorize lets r through to an open operation, or as the operator, or as a tenant within
// op's scope (the tenant in r's context); otherwise it answers 401, 403 or (the tenant
// tokens cannot be read) 503 and says no.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, op *openapi3.Operation) (*http.Request, bool) {
	if Scopes[op.OperationID] == Open {
		return r, true
	}
	r, no, err := s.Auth.authenticate(r)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", err.Error())
		return r, false
	}
	if tenant, ok := TenantCaller(r.Context()); ok && no == nil {
		no = scope(r, op, tenant)
	}
	if no != nil {
		no.write(w)
		return r, false
	}
	return r, true
}

// readBody reads an admin request's body whole, or says it is over the body limit.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	limit := s.BodyLimit
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	tooLarge := fmt.Errorf("body: larger than %d bytes (the admin API's body limit, --admin-body-limit)", limit)
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("body: could not be read: %v", err)
	case int64(len(body)) > limit:
		return nil, tooLarge
	}
	return body, nil
}

// onState says whether an admin operation reads or changes the sandbox's state: it
// documents the Unavailable 503 of a store that cannot be reached.
func onState(op *openapi3.Operation) bool {
	r := op.Responses.Status(http.StatusServiceUnavailable)
	return r != nil && r.Ref == "#/components/responses/Unavailable"
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.Error{Error: struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{Code: code, Message: msg}})
}

// WriteForbidden writes the admin API's 403 (components/responses/Forbidden).
func WriteForbidden(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusForbidden, "forbidden", msg)
}

// NotFound is the admin API's 404 body.
func NotFound(format string, args ...any) api.NotFoundJSONResponse {
	return api.NotFoundJSONResponse(errorBody("not_found", fmt.Sprintf(format, args...)))
}

// BadRequest is the admin API's 400 body.
func BadRequest(format string, args ...any) api.BadRequestJSONResponse {
	return api.BadRequestJSONResponse(errorBody("invalid_request", fmt.Sprintf(format, args...)))
}

func errorBody(code, msg string) api.Error {
	var e api.Error
	e.Error.Code, e.Error.Message = code, msg
	return e
}

// Time formats a sandbox time the way the admin API shows every time.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
