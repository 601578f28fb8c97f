// Package profile is the sandbox's KYC customer profile API (openapi/profile.yaml): the
// submissions, profiles, documents, rate limits and webhooks of each tenant.
package profile

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	gen "github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/server"
	tenantname "github.com/partnersandbox/sandbox/internal/tenant"
	"github.com/partnersandbox/sandbox/internal/token"
	"github.com/partnersandbox/sandbox/internal/webhook"
	"github.com/partnersandbox/sandbox/openapi"
)

// TokenTTL is how long a GetAppToken token lives, on the sandbox clock.
const TokenTTL = 24 * time.Hour

const tokenPath = "/api/AppSessionManager/GetAppToken"

// Config is the profile part of the sandbox's configuration.
type Config struct {
	// ReviewAfter is how long after creation (sandbox clock) a profile is reviewed
	// automatically; 0 means the default, a negative value turns the review off.
	ReviewAfter time.Duration
	// WebhookTimeout bounds one webhook delivery attempt.
	WebhookTimeout time.Duration
	// WebhookWorkers deliver webhooks concurrently.
	WebhookWorkers int
	// SweepInterval is how often (real time) due retries and automatic reviews are looked for.
	SweepInterval time.Duration
	// WebhookQueue bounds each tenant's pending deliveries; events past it are logged as dropped.
	WebhookQueue int
	// Hosted is the sandbox's hosted mode (set from the app's configuration): webhooks may
	// not aim at loopback, private or other internal addresses unless WebhookAllowPrivate.
	Hosted              bool
	WebhookAllowPrivate bool
	// MaxDocuments and MaxDocumentBytes bound the documents a tenant holds, in number and
	// in bytes of content, over all its submissions.
	MaxDocuments     int
	MaxDocumentBytes int
}

// DefaultConfig is the profile configuration of `make run`.
var DefaultConfig = Config{
	ReviewAfter:    10 * time.Minute,
	WebhookTimeout: 10 * time.Second, WebhookWorkers: 4, SweepInterval: time.Second,
	WebhookQueue: webhook.DefaultMaxPending,
	MaxDocuments: 100, MaxDocumentBytes: 64 << 20,
}

// Flags registers the profile command-line flags.
func (c *Config) Flags(fs *flag.FlagSet) {
	c.fill()
	fs.DurationVar(&c.ReviewAfter, "profile-review-after", c.ReviewAfter, "sandbox time after which a new profile is reviewed automatically (negative: never)")
	fs.DurationVar(&c.WebhookTimeout, "profile-webhook-timeout", c.WebhookTimeout, "how long one webhook delivery attempt may take")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "in hosted mode, let webhooks aim at loopback, private and other internal addresses (refused by default)")
	fs.IntVar(&c.MaxDocuments, "profile-max-documents", c.MaxDocuments, "most documents a profile tenant may hold over all its submissions; UploadDocument past it answers 400")
	fs.IntVar(&c.MaxDocumentBytes, "profile-max-document-bytes", c.MaxDocumentBytes, "most bytes of document content a profile tenant may hold over all its submissions; UploadDocument past it answers 400")
}

// fill puts the defaults in the zero fields of a configuration.
func (c *Config) fill() {
	if c.ReviewAfter == 0 {
		c.ReviewAfter = DefaultConfig.ReviewAfter
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = DefaultConfig.WebhookTimeout
	}
	if c.WebhookWorkers <= 0 {
		c.WebhookWorkers = DefaultConfig.WebhookWorkers
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = DefaultConfig.SweepInterval
	}
	if c.WebhookQueue <= 0 {
		c.WebhookQueue = DefaultConfig.WebhookQueue
	}
	if c.MaxDocuments <= 0 {
		c.MaxDocuments = DefaultConfig.MaxDocuments
	}
	if c.MaxDocumentBytes <= 0 {
		c.MaxDocumentBytes = DefaultConfig.MaxDocumentBytes
	}
}

// API adapts the profile domain to its generated strict server and the pipeline.
type API struct {
	svc    *Service
	signer *token.Signer
	doc    *openapi3.T
	log    *slog.Logger
}

var (
	_ gen.StrictServerInterface = (*API)(nil)
	_ server.API                = (*API)(nil)
)

// New returns the profile API.
func New(deps server.Deps, cfg Config) (*API, error) {
	doc, err := openapi.Load("profile")
	if err != nil {
		return nil, err
	}
	fx, err := loadFixtures()
	if err != nil {
		return nil, err
	}
	cfg.fill()
	tenants := deps.Tenants
	if tenants == nil {
		tenants = func(context.Context, string) ([]string, error) { return nil, nil }
	}
	svc := &Service{store: deps.Store, clock: deps.Clock, tenants: tenants, cfg: cfg, forms: map[string]Form{}}
	for _, f := range fx.Forms {
		svc.forms[f.ID] = f
	}
	svc.fixtureDocs = map[string]bool{}
	for _, d := range fx.Documents {
		svc.fixtureDocs[d.ID] = true
	}
	svc.hooks = webhook.New(webhook.Options{
		Store: deps.Store, API: "profile", Kinds: kindsWebhook, Tenants: tenants, Clock: deps.Clock, Log: deps.Log,
		Timeout: cfg.WebhookTimeout, Workers: cfg.WebhookWorkers, Sweep: cfg.SweepInterval,
		MaxPending: cfg.WebhookQueue, AllowPrivate: !cfg.Hosted || cfg.WebhookAllowPrivate,
	})
	svc.reviews = newReviewJob(svc, cfg.SweepInterval)
	if deps.Shared {
		svc.hooks.Start()
		svc.reviews.start()
	}
	return &API{
		svc:    svc,
		signer: &token.Signer{Key: deps.TokenKey, Clock: deps.Clock},
		doc:    doc, log: deps.Log,
	}, nil
}

// Service is the profile domain.
func (a *API) Service() *Service { return a.svc }

// Close stops the webhook workers and the review job; pending deliveries stay pending.
func (a *API) Close() {
	a.svc.reviews.close()
	a.svc.hooks.Close()
}

func (a *API) Name() string          { return "profile" }
func (a *API) Contract() *openapi3.T { return a.doc }

// CallerHeaders are the headers Tenant checks (so contract validation skips them).
func (a *API) CallerHeaders() []string { return []string{"Authorization"} }

// Tenant is the tenant of the Bearer token; GetAppToken needs none, and its tenant is the
// one it asks a token for (so the journal files the call under it).
func (a *API) Tenant(r *http.Request) (string, *server.Problem) {
	if r.URL.Path == tokenPath {
		return requestedTenant(r), nil
	}
	h := r.Header.Get("Authorization")
	raw := token.Bearer(h)
	if raw == "" && h != "" {
		p := a.problem(errUnauthorized, "Authorization: expected \"Bearer <token>\" with the token from GetAppToken")
		return "", &p
	}
	c, err := a.signer.Verify("profile", raw)
	if err != nil {
		p := a.problem(errUnauthorized, "Authorization: "+err.Error())
		return "", &p
	}
	return c.Tenant, nil
}

// requestedTenant is GetAppToken's tenantId, read from the call's body (the journal
// files the call under it).
func requestedTenant(r *http.Request) string {
	var req struct {
		TenantID string `json:"tenantId"`
	}
	if json.Unmarshal(server.CallFrom(r.Context()).Body, &req) != nil || !tenantname.Valid(req.TenantID) {
		return ""
	}
	return req.TenantID
}

// IssueToken checks the application credentials and returns a token for tenant.
func (a *API) IssueToken(appID, appSecret, tenant string) (string, time.Time, error) {
	idOK := subtle.ConstantTimeCompare([]byte(appID), []byte(credentials.ProfileAppID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(appSecret), []byte(credentials.ProfileAppSecret)) == 1
	if !idOK || !secretOK {
		return "", time.Time{}, fail(errBadCredentials, "Invalid appId, appSecret or tenantId")
	}
	if !tenantname.Valid(tenant) {
		return "", time.Time{}, fail(errInvalid, "tenantId: %q is not a tenant name: %s", tenant, tenantname.Rule)
	}
	return a.signer.Issue("profile", appID, tenant, TokenTTL)
}

// Mount registers the generated profile routes.
func (a *API) Mount(r *mux.Router) {
	h := gen.NewStrictHandlerWithOptions(a, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  server.RequestError(a),
		ResponseErrorHandlerFunc: server.ResponseError(a, a.log),
	})
	gen.HandlerWithOptions(h, gen.GorillaServerOptions{BaseRouter: r, ErrorHandlerFunc: server.RequestError(a)})
}

func (a *API) problem(kind, message string) server.Problem {
	status := errorTable[kind].status
	return server.Problem{Status: status, Code: code(status), Message: message}
}

// Problem maps a pipeline failure to the profile envelope.
func (a *API) Problem(kind server.Kind, message string, fields []string) server.Problem {
	switch kind {
	case server.Invalid:
		p := a.problem(errInvalid, message)
		p.Fields = fields
		return p
	case server.UnknownScenario, server.Refused: // the message says it all; the field is only the header
		return a.problem(errInvalid, message)
	case server.NotFound:
		return server.Problem{Status: http.StatusNotFound, Code: code(http.StatusNotFound), Message: message}
	case server.MethodNotAllowed:
		return server.Problem{Status: http.StatusMethodNotAllowed, Code: code(http.StatusMethodNotAllowed), Message: message}
	case server.Unavailable:
		return a.problem(errUnavailable, errorTable[errUnavailable].message)
	default:
		return a.problem(errInternal, errorTable[errInternal].message)
	}
}

// WriteProblem writes p as the profile envelope: statusCode is the HTTP status and
// messages say what was wrong, one per field where there are fields. A 429 always
// carries Retry-After, as the contract requires.
func (a *API) WriteProblem(w http.ResponseWriter, r *http.Request, p server.Problem) {
	msgs := p.Fields
	if len(msgs) == 0 {
		msgs = []string{p.Message}
	}
	if p.Status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // messages say "Bearer <token>", not "\u003ctoken\u003e"
	_ = enc.Encode(gen.ErrorEnvelope{StatusCode: p.Status, Messages: msgs})
}
