package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"
)

// Scope says who may call an admin operation in hosted mode (Deps.Auth set). A local
// sandbox (no Auth) asks nobody for anything.
type Scope int

const (
	// Open operations need no token: the probes, the docs and contracts, the console's
	// static files (they carry no tenant's data).
	Open Scope = iota
	// AnyToken operations need a token, any: they show no tenant's data (the catalogue).
	AnyToken
	// TenantScoped operations act on one tenant: the operator's token, or that tenant's.
	// A tenant token that names no tenant means its own.
	TenantScoped
	// OperatorOnly operations act on every tenant or on the set of tenants.
	OperatorOnly
)

func (s Scope) String() string {
	return [...]string{"open", "any token", "tenant", "operator only"}[s]
}

// Scopes classifies every operation of openapi/sandbox.yaml (Mount refuses a contract with
// an operation missing here). The contract says the same: security [] for Open, and the
// 401 and 403 responses (Forbidden, OperatorOnly) of the others.
var Scopes = map[string]Scope{
	"health": Open, "ready": Open, "getMetrics": Open,
	"getContract": Open, "getDocs": Open, "getDocsBundle": Open,
	"getRoot": Open, "getConsole": Open, "getConsoleScript": Open, "getConsoleStyle": Open,

	"listScenarios": AnyToken,

	"reset": TenantScoped, "getClock": TenantScoped, "setClock": TenantScoped,
	"getJournal": TenantScoped, "countJournal": TenantScoped, "exportJournal": TenantScoped,
	"exportCalls": TenantScoped, // only the caller's calls are exported
	"listRules":   TenantScoped, // only the caller's rules are listed
	"armRule":     TenantScoped, "removeRule": TenantScoped,
	"getSnapshot": TenantScoped, "putSnapshot": TenantScoped,
	"getCoverage": TenantScoped, "clearCoverage": TenantScoped,
	"getTenantKeys": TenantScoped, "addRecords": TenantScoped, "getTestKit": TenantScoped, "getLastOtp": TenantScoped,
	"getOutbox": TenantScoped, "getRateLimits": TenantScoped, "setRateLimits": TenantScoped,
	"setWebhook": TenantScoped, "getWebhook": TenantScoped, "deleteWebhook": TenantScoped, "getWebhookDeliveries": TenantScoped,
	"reviewSubmission":  TenantScoped,
	"listDcmsCustomers": TenantScoped, "getDcmsCustomer": TenantScoped, "listDcmsOrders": TenantScoped,
	"listDmtCustomers": TenantScoped, "getDmtCustomer": TenantScoped, "listDmtOtps": TenantScoped,
	"listProfileSubmissions": TenantScoped, "getProfileSubmission": TenantScoped,

	"clearJournal": OperatorOnly, // every tenant's calls
	"listTenants":  OperatorOnly, // tenant management
	"createTenant": OperatorOnly,
	"getTenant":    OperatorOnly,
	"deleteTenant": OperatorOnly,
	"rotateTenant": OperatorOnly,
}

// TenantTokens finds the tenant whose admin token token is (the hosted sandbox's tenant
// records implement it).
type TenantTokens interface {
	TenantForAdminToken(ctx context.Context, token string) (tenant string, ok bool, err error)
}

// Auth is hosted mode's authentication of the admin API.
type Auth struct {
	// OperatorToken may call every operation, for every tenant. Never empty.
	OperatorToken string
	// Tenants knows the tenants' admin tokens (nil: only the operator's token is known).
	Tenants TenantTokens
}

// caller is who made an admin call, in its context: the operator, or a tenant.
type caller struct{ tenant string }

type callerKey struct{}

// TenantCaller is the tenant whose token made the call; ok is false for the operator and
// in local mode (who may see and do everything).
func TenantCaller(ctx context.Context) (tenant string, ok bool) {
	c, ok := ctx.Value(callerKey{}).(caller)
	return c.tenant, ok
}

// refusal is a 401 or 403 answer; challenge is a 401's WWW-Authenticate.
type refusal struct {
	status         int
	msg, challenge string
}

func forbidden(format string, args ...any) *refusal {
	return &refusal{status: http.StatusForbidden, msg: fmt.Sprintf(format, args...)}
}

func (e *refusal) write(w http.ResponseWriter) {
	code := "forbidden"
	if e.status == http.StatusUnauthorized {
		code = "unauthorized"
		w.Header().Set("WWW-Authenticate", e.challenge)
	}
	writeError(w, e.status, code, e.msg)
}

// checkScopes fails unless every operation of doc is classified in Scopes.
func checkScopes(doc *openapi3.T) error {
	var missing []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if _, ok := Scopes[op.OperationID]; !ok {
				missing = append(missing, op.OperationID)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("operations with no scope in admin.Scopes (open, any token, tenant or operator only): %s", strings.Join(missing, ", "))
	}
	return nil
}

// authenticate says who sent r: the operator or a tenant (in r's new context), or why not.
func (a *Auth) authenticate(r *http.Request) (*http.Request, *refusal, error) {
	h := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return r, &refusal{http.StatusUnauthorized, "this sandbox is hosted: send Authorization: Bearer <token> (the operator token, or your tenant's adminToken)", `Bearer realm="sandbox"`}, nil
	}
	if sameToken(token, a.OperatorToken) {
		return r, nil, nil
	}
	if a.Tenants != nil {
		tenant, ok, err := a.Tenants.TenantForAdminToken(r.Context(), token)
		if err != nil {
			return r, nil, err
		}
		if ok {
			return r.WithContext(context.WithValue(r.Context(), callerKey{}, caller{tenant})), nil, nil
		}
	}
	return r, &refusal{http.StatusUnauthorized, "the Bearer token is neither the operator token nor a tenant's adminToken",
		`Bearer realm="sandbox", error="invalid_token"`}, nil
}

// sameToken compares in constant time (of the tokens' hashes, so their lengths leak nothing).
func sameToken(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// scope checks a tenant caller's request (before validation) against op's scope: 403 for
// an operation on every tenant or one naming another tenant (path or query); a tenant
// query parameter left out becomes the caller's own tenant.
func scope(r *http.Request, op *openapi3.Operation, tenant string) *refusal {
	switch Scopes[op.OperationID] {
	case OperatorOnly:
		return forbidden("%s acts on every tenant: only the operator token may call it, not tenant %s's", op.OperationID, tenant)
	case TenantScoped:
	default:
		return nil
	}
	if t, ok := mux.Vars(r)["tenant"]; ok && t != tenant {
		return forbidden("tenant %s's token cannot act for tenant %q", tenant, t)
	}
	if op.Parameters.GetByInAndName(openapi3.ParameterInQuery, "tenant") == nil {
		return nil
	}
	q := r.URL.Query()
	if !q.Has("tenant") {
		q.Set("tenant", tenant) // without ?tenant=, a tenant token means its own
		r.URL.RawQuery = q.Encode()
		return nil
	}
	if t := q.Get("tenant"); t != tenant || len(q["tenant"]) > 1 {
		return forbidden("tenant %s's token cannot act for tenant %q", tenant, t)
	}
	return nil
}

// bodyScope checks the tenant of a valid JSON body whose schema has one (a rule's, a
// snapshot's): absent means every tenant, another is another's; both 403 for a tenant.
func bodyScope(op *openapi3.Operation, body []byte, tenant string) *refusal {
	if !bodyHasTenant(op) {
		return nil
	}
	var v struct {
		Tenant *string `json:"tenant"`
	}
	_ = json.Unmarshal(body, &v) // valid: the request was validated
	switch {
	case v.Tenant == nil:
		return forbidden(`%s without "tenant" applies to every tenant: tenant %s's token must name its own`, op.OperationID, tenant)
	case *v.Tenant != tenant:
		return forbidden("tenant %s's token cannot act for tenant %q", tenant, *v.Tenant)
	}
	return nil
}

func bodyHasTenant(op *openapi3.Operation) bool {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return false
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	_, ok := mt.Schema.Value.Properties["tenant"]
	return ok
}
