// Package dmt is the sandbox's DMT-lite customer onboarding API (openapi/dmt.yaml): the
// money-transfer customers, OTPs and agents of each client, in the plain and the
// encrypted (AES-256-CBC) variant.
package dmt

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	gen "github.com/partnersandbox/sandbox/generated/dmt"
	"github.com/partnersandbox/sandbox/internal/credentials"
	"github.com/partnersandbox/sandbox/internal/server"
	tenantname "github.com/partnersandbox/sandbox/internal/tenant"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/partner"
)

// The sandbox's own client is credentials.DMTClientID (documented in openapi/dmt.yaml
// and the README).
const (
	// StagingOTP is the vendor's staging OTP, which every send stores unless configured.
	StagingOTP = "123456"
	// RandomOTP as Config.OTP draws six random digits per send.
	RandomOTP = "random"
)

// DefaultKey is every client's AES-256 key unless configured otherwise.
var DefaultKey = []byte("sandbox-dmt-aes-256-key-32-bytes")

// headerSecretsMaxAge is how far header_secrets' epoch may be from the server's time.
const headerSecretsMaxAge = 5 * time.Minute

// Client is a DMT API client (a partner): its credentials and AES-256 key.
type Client struct {
	ID, Secret, PassKey string
	Key                 []byte // 32 bytes; DefaultKey when nil
}

// Config is the DMT part of the sandbox's configuration.
type Config struct {
	// Clients are the clients besides the sandbox's own; a client with the sandbox's id
	// replaces it.
	Clients []Client
	// OTP is what every otp/send stores: StagingOTP when empty, RandomOTP for six random
	// digits per send (the admin API shows them), or any fixed value.
	OTP string
}

// Flags registers the DMT command-line flags.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.Func("dmt-client", "an extra DMT client, id:secret[:pass_key[:Base64 AES-256 key]] (repeatable; pass_key and key default to the sandbox's)", func(s string) error {
		cl, err := ParseClient(s)
		if err == nil {
			c.Clients = append(c.Clients, cl)
		}
		return err
	})
	fs.StringVar(&c.OTP, "dmt-otp", StagingOTP, `the OTP every DMT otp/send stores, or "random" for six random digits per send`)
}

// ParseClient reads id:secret[:pass_key[:Base64 key]].
func ParseClient(s string) (Client, error) {
	parts := strings.SplitN(s, ":", 4)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Client{}, fmt.Errorf("DMT client %q: want id:secret[:pass_key[:Base64 AES-256 key]]", s)
	}
	if !tenantname.Valid(parts[0]) {
		return Client{}, fmt.Errorf("DMT client %q: the id names the client's partition: %s", parts[0], tenantname.Rule)
	}
	c := Client{ID: parts[0], Secret: parts[1], PassKey: credentials.DMTPassKey}
	if len(parts) > 2 && parts[2] != "" {
		c.PassKey = parts[2]
	}
	if len(parts) > 3 {
		key, err := base64.StdEncoding.DecodeString(parts[3])
		if err != nil || len(key) != partner.DMTKeySize {
			return Client{}, fmt.Errorf("DMT client %s: the key must be %d bytes in Base64", c.ID, partner.DMTKeySize)
		}
		c.Key = key
	}
	return c, nil
}

// API adapts the DMT domain to its generated strict server and the pipeline.
type API struct {
	svc       *Service
	doc       *openapi3.T
	log       *slog.Logger
	clients   map[string]*Client
	ops       map[string]*opSpec // by operationId
	byPath    map[string]*opSpec
	now       func() time.Time // real time, for header_secrets' epoch (see Tenant)
	generated int              // generated customers (--customers), for the admin state view
}

var (
	_ gen.StrictServerInterface = (*API)(nil)
	_ server.API                = (*API)(nil)
)

// New returns the DMT API.
func New(deps server.Deps, cfg Config) (*API, error) {
	doc, err := openapi.Load("dmt")
	if err != nil {
		return nil, err
	}
	ops, err := bindOperations(doc)
	if err != nil {
		return nil, err
	}
	a := &API{doc: doc, log: deps.Log, ops: ops, byPath: map[string]*opSpec{}, now: time.Now, clients: map[string]*Client{}, generated: deps.Fixtures.Customers}
	for _, o := range ops {
		a.byPath[o.path] = o
	}
	for _, c := range append([]Client{{ID: credentials.DMTClientID, Secret: credentials.DMTClientSecret, PassKey: credentials.DMTPassKey}}, cfg.Clients...) {
		if !tenantname.Valid(c.ID) {
			return nil, fmt.Errorf("DMT client %q: the id names the client's partition: %s", c.ID, tenantname.Rule)
		}
		if c.Key == nil {
			c.Key = DefaultKey
		}
		if len(c.Key) != partner.DMTKeySize {
			return nil, fmt.Errorf("DMT client %s: key must be %d bytes", c.ID, partner.DMTKeySize)
		}
		a.clients[c.ID] = &c
	}
	otp, err := otpSource(cfg.OTP)
	if err != nil {
		return nil, err
	}
	a.svc = NewService(deps.Store, deps.Clock, otp)
	return a, nil
}

func otpSource(cfg string) (func() string, error) {
	switch {
	case cfg == "":
		return func() string { return StagingOTP }, nil
	case cfg == RandomOTP:
		return func() string {
			n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
			if err != nil {
				return StagingOTP
			}
			return fmt.Sprintf("%06d", n.Int64())
		}, nil
	case strings.TrimSpace(cfg) == cfg:
		return func() string { return cfg }, nil
	default:
		return nil, fmt.Errorf("--dmt-otp %q: an OTP has no surrounding spaces", cfg)
	}
}

func (a *API) Name() string          { return "dmt" }
func (a *API) Contract() *openapi3.T { return a.doc }
func (a *API) Service() *Service     { return a.svc }

// Key is the client's AES-256 key for the encrypted variant (DefaultKey for a client the
// sandbox does not know).
func (a *API) Key(tenant string) []byte {
	if c, ok := a.clients[tenant]; ok {
		return c.Key
	}
	return DefaultKey
}

func unauthorized(msg string) *server.Problem {
	return &server.Problem{Status: http.StatusUnauthorized, Code: "-1", Message: msg}
}

const credentialsRequired = "Invalid client credentials: send the client_id and client_secret headers (or client_id, header_secrets and pass_key)"

// CallerHeaders are the headers Tenant checks (so contract validation skips them).
func (a *API) CallerHeaders() []string {
	return []string{"client_id", "client_secret", "header_secrets", "pass_key"}
}

// Tenant authenticates the client: client_id with client_secret, or, when header_secrets
// is sent, client_id with pass_key and header_secrets. The client's partition is its id.
func (a *API) Tenant(r *http.Request) (string, *server.Problem) {
	id := r.Header.Get("client_id")
	if id == "" {
		return "", unauthorized(credentialsRequired)
	}
	c := a.clients[id]
	hs := r.Header.Get("header_secrets")
	if hs == "" {
		secret := r.Header.Get("client_secret")
		switch {
		case secret == "":
			return id, unauthorized(credentialsRequired)
		case c == nil || !equal(secret, c.Secret):
			return id, unauthorized("Invalid client credentials")
		}
		return id, nil
	}
	if c == nil {
		return id, unauthorized("Invalid client credentials")
	}
	if pk := r.Header.Get("pass_key"); pk == "" || !equal(pk, c.PassKey) {
		return id, unauthorized("Invalid pass_key: send the client's pass_key with header_secrets")
	}
	if msg := a.checkHeaderSecrets(c, hs); msg != "" {
		return id, unauthorized(msg)
	}
	return id, nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// checkHeaderSecrets says what is wrong with header_secrets, or "". The epoch is compared
// with real time, not the sandbox clock: the partner's code stamps it with its own clock,
// and the sandbox clock is often moved days ahead to test expiries.
func (a *API) checkHeaderSecrets(c *Client, hs string) string {
	plain, err := partner.DecryptDMT(c.Key, hs)
	if err != nil {
		return "Invalid header_secrets: " + err.Error()
	}
	var v struct {
		ClientID     string          `json:"client_id"`
		ClientSecret string          `json:"client_secret"`
		Epoch        json.RawMessage `json:"epoch"`
	}
	if json.Unmarshal(plain, &v) != nil {
		return `Invalid header_secrets: it decrypts, but not to a JSON object {"client_id", "client_secret", "epoch"}`
	}
	if v.ClientID != c.ID {
		return "Invalid header_secrets: its client_id is not the client_id header"
	}
	if !equal(v.ClientSecret, c.Secret) {
		return "Invalid header_secrets: its client_secret is wrong"
	}
	epoch, ok := parseEpoch(v.Epoch)
	if !ok {
		return "Invalid header_secrets: epoch must be Unix time in seconds or milliseconds (a number or a numeric string)"
	}
	now := a.now()
	if d := now.Sub(epoch); d > headerSecretsMaxAge || d < -headerSecretsMaxAge {
		when := "ago"
		if d < 0 {
			d, when = -d, "ahead"
		}
		return fmt.Sprintf("header_secrets expired: its epoch %s is %s %s; it must be within 5 minutes of the server time %s",
			string(v.Epoch), d.Round(time.Second), when, now.UTC().Format(time.RFC3339))
	}
	return ""
}

// parseEpoch reads Unix time in seconds or milliseconds, as a number or a numeric string.
func parseEpoch(raw json.RawMessage) (time.Time, bool) {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return time.Time{}, false
		}
		n = int64(f)
	}
	if n > 1e11 { // milliseconds: 1e11 seconds is the year 5138
		return time.UnixMilli(n), true
	}
	return time.Unix(n, 0), n > 0
}

// Mount registers the generated DMT routes.
func (a *API) Mount(r *mux.Router) {
	h := gen.NewStrictHandlerWithOptions(a, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  server.RequestError(a),
		ResponseErrorHandlerFunc: server.ResponseError(a, a.log),
	})
	gen.HandlerWithOptions(h, gen.GorillaServerOptions{BaseRouter: r, ErrorHandlerFunc: server.RequestError(a)})
}

// Problem maps a pipeline failure to the DMT envelope. The vendor answers a malformed
// request with HTTP 200, status FAILED and statusCode -1.
func (a *API) Problem(kind server.Kind, message string, fields []string) server.Problem {
	switch kind {
	case server.Invalid:
		return server.Problem{Status: http.StatusOK, Code: "-1", Message: "Invalid request: " + strings.Join(fields, "; "), Fields: fields}
	case server.UnknownScenario, server.Refused:
		return server.Problem{Status: http.StatusBadRequest, Code: "-1", Message: message, Fields: fields}
	case server.NotFound:
		return server.Problem{Status: http.StatusNotFound, Code: "-1", Message: message}
	case server.MethodNotAllowed:
		return server.Problem{Status: http.StatusMethodNotAllowed, Code: "-1", Message: message}
	case server.Unavailable:
		info := outcomes[outServiceUnavailable]
		return server.Problem{Status: info.status, Code: info.code, Message: info.desc}
	default:
		return server.Problem{Status: http.StatusInternalServerError, Code: "4", Message: issueShort}
	}
}

// WriteProblem writes p as the DMT envelope. A 200 problem is a contract violation found
// by the pipeline: its field list cannot name what the vendor names (a plain body missing
// a mandatory field fails the oneOf as a whole), so the call's body is checked again the
// way the handler checks it and answered, and named, in the vendor's words. The
// pipeline's own message stays when the body is fine (e.g. a wrong Content-Type).
func (a *API) WriteProblem(w http.ResponseWriter, r *http.Request, p server.Problem) {
	var out gen.CustomerResponse
	answered := false
	if o := a.byPath[r.URL.Path]; o != nil && p.Status == http.StatusOK && isJSON(r) {
		call := server.CallFrom(r.Context())
		if req, _, fail := o.parse(call.Body); fail != nil {
			out, answered = o.render(*fail, req, o.echoName(req)), true
			call.Outcome = fail.outcome
		}
	}
	if !answered {
		out = gen.CustomerResponse{Status: gen.FAILED, StatusCode: gen.CustomerResponseStatusCode(p.Code), StatusDesc: p.Message}
		if success(p.Code) {
			out.Status = gen.SUCCESS
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(out)
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}
