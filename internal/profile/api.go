// Package profile is the sandbox's KYC customer profile API (openapi/profile.yaml): the
// submissions, profiles and documents of each tenant.
package profile

import (
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	gen "github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/openapi"
)

// Config is the profile part of the sandbox's configuration.
type Config struct{}

// Flags registers the profile command-line flags.
func (c *Config) Flags(fs *flag.FlagSet) {}

// API adapts the profile domain to its generated strict server and the pipeline.
type API struct {
	doc *openapi3.T
	log *slog.Logger
}

var _ server.API = (*API)(nil)

// New returns the profile API.
func New(deps server.Deps, cfg Config) (*API, error) {
	doc, err := openapi.Load("profile")
	if err != nil {
		return nil, err
	}
	return &API{doc: doc, log: deps.Log}, nil
}

func (a *API) Name() string          { return "profile" }
func (a *API) Contract() *openapi3.T { return a.doc }
func (a *API) Owns(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/Ext")
}

// Tenant will come from the Bearer token (the profile issue); until then every call is
// the sandbox tenant.
func (a *API) Tenant(r *http.Request) (string, *server.Problem) {
	return "sandbox_tenant", nil
}

// Mount registers the generated profile routes.
func (a *API) Mount(r *mux.Router) {
	invalid := func(w http.ResponseWriter, r *http.Request, err error) {
		a.WriteProblem(w, r, a.Problem(server.Invalid, err.Error(), []string{err.Error()}))
	}
	h := gen.NewStrictHandlerWithOptions(a, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: invalid,
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, errNotImplemented) {
				a.WriteProblem(w, r, server.Problem{Status: http.StatusNotImplemented, Message: "Not implemented in the sandbox yet"})
				return
			}
			a.log.Error("profile handler failed", "err", err)
			a.WriteProblem(w, r, a.Problem(server.Internal, "", nil))
		},
	})
	gen.HandlerWithOptions(h, gen.GorillaServerOptions{BaseRouter: r, ErrorHandlerFunc: invalid})
}

var errNotImplemented = errors.New("not implemented yet in the sandbox")

// Problem maps a pipeline failure to the profile envelope.
func (a *API) Problem(kind server.Kind, message string, fields []string) server.Problem {
	switch kind {
	case server.Invalid, server.UnknownScenario:
		return server.Problem{Status: http.StatusBadRequest, Message: message, Fields: fields}
	case server.NotFound:
		return server.Problem{Status: http.StatusNotFound, Message: message}
	case server.MethodNotAllowed:
		return server.Problem{Status: http.StatusMethodNotAllowed, Message: message}
	default:
		return server.Problem{Status: http.StatusInternalServerError, Message: "Internal server error"}
	}
}

// WriteProblem writes p as the profile envelope: statusCode is the HTTP status and
// messages say what was wrong, one per field where there are fields.
func (a *API) WriteProblem(w http.ResponseWriter, r *http.Request, p server.Problem) {
	msgs := p.Fields
	if len(msgs) == 0 {
		msgs = []string{p.Message}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(gen.ErrorEnvelope{StatusCode: p.Status, Messages: msgs})
}
