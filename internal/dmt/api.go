// Package dmt is the sandbox's DMT-lite customer onboarding API (openapi/dmt.yaml): the
// money-transfer customers, OTPs and agents of each client.
package dmt

import (
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	gen "github.com/partnersandbox/sandbox/generated/dmt"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/openapi"
)

// Config is the DMT part of the sandbox's configuration.
type Config struct{}

// Flags registers the DMT command-line flags.
func (c *Config) Flags(fs *flag.FlagSet) {}

// API adapts the DMT domain to its generated strict server and the pipeline.
type API struct {
	doc *openapi3.T
	log *slog.Logger
}

var _ server.API = (*API)(nil)

// New returns the DMT API.
func New(deps server.Deps, cfg Config) (*API, error) {
	doc, err := openapi.Load("dmt")
	if err != nil {
		return nil, err
	}
	return &API{doc: doc, log: deps.Log}, nil
}

func (a *API) Name() string          { return "dmt" }
func (a *API) Contract() *openapi3.T { return a.doc }
func (a *API) Owns(path string) bool { return strings.HasPrefix(path, "/common/dmt-lite/") }

// Tenant is the client_id; the DMT issue adds the secret check.
func (a *API) Tenant(r *http.Request) (string, *server.Problem) {
	id := r.Header.Get("client_id")
	if id == "" {
		return "", &server.Problem{Status: http.StatusUnauthorized, Code: "-1", Message: "client_id: header is required"}
	}
	return id, nil
}

// Mount registers the generated DMT routes.
func (a *API) Mount(r *mux.Router) {
	invalid := func(w http.ResponseWriter, r *http.Request, err error) {
		a.WriteProblem(w, r, a.Problem(server.Invalid, err.Error(), []string{err.Error()}))
	}
	h := gen.NewStrictHandlerWithOptions(a, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: invalid,
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, errNotImplemented) {
				a.WriteProblem(w, r, server.Problem{Status: http.StatusNotImplemented, Code: "4", Message: "Not implemented in the sandbox yet"})
				return
			}
			a.log.Error("dmt handler failed", "err", err)
			a.WriteProblem(w, r, a.Problem(server.Internal, "", nil))
		},
	})
	gen.HandlerWithOptions(h, gen.GorillaServerOptions{BaseRouter: r, ErrorHandlerFunc: invalid})
}

var errNotImplemented = errors.New("not implemented yet in the sandbox")

// Problem maps a pipeline failure to the DMT envelope. The vendor answers a malformed
// request with HTTP 200, status FAILED and statusCode -1.
func (a *API) Problem(kind server.Kind, message string, fields []string) server.Problem {
	switch kind {
	case server.Invalid:
		return server.Problem{Status: http.StatusOK, Code: "-1", Message: "Invalid request: " + strings.Join(fields, "; "), Fields: fields}
	case server.UnknownScenario:
		return server.Problem{Status: http.StatusBadRequest, Code: "-1", Message: message, Fields: fields}
	case server.NotFound:
		return server.Problem{Status: http.StatusNotFound, Code: "-1", Message: message}
	case server.MethodNotAllowed:
		return server.Problem{Status: http.StatusMethodNotAllowed, Code: "-1", Message: message}
	default:
		return server.Problem{Status: http.StatusInternalServerError, Code: "4", Message: "Internal Server Issue"}
	}
}

// WriteProblem writes p as the DMT envelope.
func (a *API) WriteProblem(w http.ResponseWriter, r *http.Request, p server.Problem) {
	status := gen.FAILED
	if p.Code == "0" || p.Code == "1" || p.Code == "2" || p.Code == "3" {
		status = gen.SUCCESS
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(gen.CustomerResponse{Status: status, StatusCode: gen.CustomerResponseStatusCode(p.Code), StatusDesc: p.Message})
}
