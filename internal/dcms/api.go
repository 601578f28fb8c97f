package dcms

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	gen "github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/openapi"
)

// Config is the DCMS part of the sandbox's configuration.
type Config struct{}

// Flags registers the DCMS command-line flags.
func (c *Config) Flags(fs *flag.FlagSet) {}

// API adapts the DCMS domain to its generated strict server and the pipeline.
type API struct {
	svc *Service
	doc *openapi3.T
	log *slog.Logger
}

var (
	_ gen.StrictServerInterface = (*API)(nil)
	_ server.API                = (*API)(nil)
)

// New returns the DCMS API.
func New(deps server.Deps, cfg Config) (*API, error) {
	doc, err := openapi.Load("dcms")
	if err != nil {
		return nil, err
	}
	return &API{svc: NewService(deps.Store, deps.Clock), doc: doc, log: deps.Log}, nil
}

func (a *API) Name() string          { return "dcms" }
func (a *API) Contract() *openapi3.T { return a.doc }
func (a *API) Owns(path string) bool { return strings.HasPrefix(path, "/v1/") }
func (a *API) Service() *Service     { return a.svc }
func (a *API) Tenant(r *http.Request) (string, *server.Problem) {
	tenant := r.Header.Get("tenant")
	if tenant == "" {
		p := problem("tenant.header.missing", "tenant: header is required")
		return "", &p
	}
	return tenant, nil
}

// Mount registers the generated DCMS routes.
func (a *API) Mount(r *mux.Router) {
	h := gen.NewStrictHandlerWithOptions(a, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			a.WriteProblem(w, r, a.Problem(server.Invalid, err.Error(), []string{err.Error()}))
		},
		ResponseErrorHandlerFunc: a.responseError,
	})
	gen.HandlerWithOptions(h, gen.GorillaServerOptions{
		BaseRouter: r,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			a.WriteProblem(w, r, a.Problem(server.Invalid, err.Error(), []string{err.Error()}))
		},
	})
}

// errNotImplemented marks an operation whose issue has not landed yet.
var errNotImplemented = errors.New("not implemented yet in the sandbox")

func (a *API) responseError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNotImplemented) {
		// Temporary: see the README's status table.
		a.WriteProblem(w, r, server.Problem{Status: http.StatusNotImplemented, Code: "not.implemented", Message: "This operation is not implemented in the sandbox yet"})
		return
	}
	a.log.Error("dcms handler failed", "err", err)
	a.WriteProblem(w, r, a.Problem(server.Internal, "", nil))
}

// Problem maps a pipeline failure to the DCMS error table.
func (a *API) Problem(kind server.Kind, message string, fields []string) server.Problem {
	switch kind {
	case server.Invalid, server.UnknownScenario:
		p := problem("invalid.input.request", fields...)
		p.Message = message
		return p
	case server.NotFound:
		return server.Problem{Status: http.StatusNotFound, Code: "resource.not.found", Message: message}
	case server.MethodNotAllowed:
		return server.Problem{Status: http.StatusMethodNotAllowed, Code: "method.not.allowed", Message: message}
	default:
		return problem("internal.error")
	}
}

func problem(code string, fields ...string) server.Problem {
	return server.Problem{Status: errorTable[code].status, Code: code, Fields: fields}
}

// WriteProblem writes p as the DCMS error envelope.
func (a *API) WriteProblem(w http.ResponseWriter, r *http.Request, p server.Problem) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(envelope(p.Status, p.Code, p.Message, p.Fields))
}

// envelope builds the DCMS error envelope: short and detail messages come from the error
// table; a specific message, when there is one, becomes the detail.
func envelope(status int, code, message string, fields []string) gen.ErrorEnvelope {
	info, ok := errorTable[code]
	short, detail := info.short, info.detail
	if !ok {
		short = http.StatusText(status)
	}
	if message != "" {
		detail = message
	}
	if fields == nil {
		fields = []string{}
	}
	return gen.ErrorEnvelope{Exception: &gen.Exception{
		ErrorCode: code, ShortMessage: short, DetailMessage: detail,
		HttpStatus: httpStatusName(status), FieldError: fields, LanguageCode: "en",
	}}
}

// reject turns a domain error into the 400 envelope and names the call's outcome; any
// other error is the sandbox's own failure and goes back to the strict server as a 500.
func reject(ctx context.Context, err error) (gen.ErrorJSONResponse, error) {
	var e *Error
	if !errors.As(err, &e) {
		return gen.ErrorJSONResponse{}, err
	}
	server.CallFrom(ctx).Outcome = errorTable[e.Code].outcome
	return gen.ErrorJSONResponse(envelope(http.StatusBadRequest, e.Code, e.Detail, e.Fields)), nil
}
