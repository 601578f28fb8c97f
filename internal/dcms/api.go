package dcms

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	gen "github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/internal/server"
	tenantname "github.com/partnersandbox/sandbox/internal/tenant"
	"github.com/partnersandbox/sandbox/internal/token"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/partner"
)

// Config is the DCMS part of the sandbox's configuration.
type Config struct {
	// RequireAuth makes every DCMS call but authenticate need a Bearer token.
	RequireAuth bool
	// AuthTenants need a Bearer token even when RequireAuth is off.
	AuthTenants []string
	// SetPinKey is every tenant's Set PIN V2 AES key, Base64 ("" is DefaultSetPinKey).
	SetPinKey string
	// TenantSetPinKeys overrides SetPinKey per tenant (Base64).
	TenantSetPinKeys map[string]string
}

// Flags registers the DCMS command-line flags.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.RequireAuth, "dcms-require-auth", c.RequireAuth,
		"DCMS: every call but /v1/api/authenticate needs Authorization: Bearer <id_token> (401 without)")
	fs.Func("dcms-require-auth-tenant", "DCMS: require a Bearer token for this tenant only (repeatable)", func(v string) error {
		c.AuthTenants = append(c.AuthTenants, v)
		return nil
	})
	fs.StringVar(&c.SetPinKey, "dcms-set-pin-key", c.SetPinKey,
		"DCMS: Set PIN V2 AES key of every tenant, Base64 of 16, 24 or 32 bytes (default: the documented sandbox key)")
	fs.Func("dcms-tenant-set-pin-key", "DCMS: TENANT=BASE64KEY, the Set PIN V2 key of one tenant (repeatable)", func(v string) error {
		tenant, key, ok := strings.Cut(v, "=")
		if !ok || tenant == "" {
			return fmt.Errorf("want TENANT=BASE64KEY, got %q", v)
		}
		if c.TenantSetPinKeys == nil {
			c.TenantSetPinKeys = map[string]string{}
		}
		c.TenantSetPinKeys[tenant] = key
		return nil
	})
}

// API adapts the DCMS domain to its generated strict server and the pipeline.
type API struct {
	svc    *Service
	doc    *openapi3.T
	log    *slog.Logger
	signer *token.Signer

	requireAuth bool
	authTenants map[string]bool
	setPinKey   []byte
	tenantKeys  map[string][]byte
	generated   int // generated customers (--customers), for the admin state view
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
	a := &API{
		svc: NewService(deps.Store, deps.Clock), doc: doc, log: deps.Log,
		signer:      &token.Signer{Key: deps.TokenKey, Clock: deps.Clock},
		requireAuth: cfg.RequireAuth, authTenants: map[string]bool{},
		setPinKey: DefaultSetPinKey, tenantKeys: map[string][]byte{},
		generated: deps.Fixtures.Customers,
	}
	for _, t := range cfg.AuthTenants {
		a.authTenants[t] = true
	}
	if cfg.SetPinKey != "" {
		if a.setPinKey, err = decodeKey(cfg.SetPinKey); err != nil {
			return nil, fmt.Errorf("--dcms-set-pin-key: %w", err)
		}
	}
	for tenant, k := range cfg.TenantSetPinKeys {
		if a.tenantKeys[tenant], err = decodeKey(k); err != nil {
			return nil, fmt.Errorf("--dcms-tenant-set-pin-key %s: %w", tenant, err)
		}
	}
	return a, nil
}

func decodeKey(b64 string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("not Base64: %w", err)
	}
	if n := len(key); n != 16 && n != 24 && n != 32 {
		return nil, partner.ErrPinBadKey
	}
	return key, nil
}

func (a *API) Name() string          { return "dcms" }
func (a *API) Contract() *openapi3.T { return a.doc }
func (a *API) Service() *Service     { return a.svc }

const authenticatePath = "/v1/api/authenticate"

// CallerHeaders are the headers Tenant checks (so contract validation skips them).
func (a *API) CallerHeaders() []string { return []string{"Tenant", "Authorization"} }

// Tenant reads the tenant header and, where the configuration asks for it, checks the
// Bearer token (authenticate itself needs none). A token is ignored where none is required.
func (a *API) Tenant(r *http.Request) (string, *server.Problem) {
	tenant := r.Header.Get("Tenant") // canonical: no allocation
	if tenant == "" {
		p := problem("tenant.header.missing", "tenant")
		p.Message = "tenant: header is required"
		return "", &p
	}
	if !tenantname.Valid(tenant) {
		p := problem("tenant.not.found", "tenant")
		p.Message = "tenant: no tenant " + strconv.Quote(tenant) + "; " + tenantname.Rule
		return "", &p
	}
	if (a.requireAuth || len(a.authTenants) > 0 && a.authTenants[tenant]) && r.URL.Path != authenticatePath {
		claims, err := a.signer.Verify("dcms", token.Bearer(r.Header.Get("Authorization")))
		if err == nil && claims.Tenant != tenant {
			err = fmt.Errorf("the Bearer token was issued for tenant %s, not %s", claims.Tenant, tenant)
		}
		if err != nil {
			p := problem("unauthorized")
			p.Message = err.Error()
			return tenant, &p
		}
	}
	return tenant, nil
}

// Mount registers the generated DCMS routes.
func (a *API) Mount(r *mux.Router) {
	h := gen.NewStrictHandlerWithOptions(a, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  server.RequestError(a),
		ResponseErrorHandlerFunc: server.ResponseError(a, a.log),
	})
	gen.HandlerWithOptions(h, gen.GorillaServerOptions{BaseRouter: r, ErrorHandlerFunc: server.RequestError(a)})
}

// Problem maps a pipeline failure to the DCMS error table.
func (a *API) Problem(kind server.Kind, message string, fields []string) server.Problem {
	switch kind {
	case server.Invalid, server.UnknownScenario, server.Refused:
		p := problem("invalid.input.request", fields...)
		p.Message = message
		return p
	case server.NotFound:
		return server.Problem{Status: http.StatusNotFound, Code: "resource.not.found", Message: message}
	case server.MethodNotAllowed:
		return server.Problem{Status: http.StatusMethodNotAllowed, Code: "method.not.allowed", Message: message}
	case server.Unavailable:
		return problem("service.unavailable")
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
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // messages say "Bearer <token>", not "Bearer \u003ctoken\u003e"
	_ = enc.Encode(envelope(p.Status, p.Code, p.Message, p.Fields))
}

// envelope builds the DCMS error envelope: short and detail messages come from the error
// table; a specific message, when there is one, becomes the detail.
func envelope(status int, code, message string, fields []string) gen.ErrorEnvelope {
	info, ok := errorTable[code]
	short, detail := info.short, info.detail
	if !ok {
		short = http.StatusText(status)
	}
	if message != "" && message != short {
		detail = message // a forced outcome carries only the short message: keep the table's detail
	}
	if fields == nil {
		if fields = vendorFields[code]; fields == nil {
			fields = []string{}
		}
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
	call := server.CallFrom(ctx)
	call.Outcome = errorTable[e.Code].outcome
	env := envelope(http.StatusBadRequest, e.Code, e.Detail, e.Fields)
	if e.Code != "invalid.input.request" { // the request's fault, not the state's
		env.Exception.DetailMessage = call.Refusal(env.Exception.DetailMessage)
	}
	return gen.ErrorJSONResponse(env), nil
}
