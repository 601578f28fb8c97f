package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"

	"github.com/partnersandbox/sandbox/scenarios"
)

var validation = &openapi3filter.Options{
	MultiError: true,
	// Credentials are checked by each API's Tenant, in its own envelope.
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	// An error's text never repeats the schema and the value: a oneOf error holds one per
	// alternative, and the value may be the whole body.
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
}

// Routes indexes a contract's operations by method and path template, the way gorilla/mux
// names the route a request matched; looking a request up is then one map access.
type Routes map[routeKey]*routers.Route

// NewRoutes indexes doc.
func NewRoutes(doc *openapi3.T) Routes {
	rs := Routes{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			// Credentials are each API's business (API.Tenant), so the validator gets the
			// operation without security requirements and skips that work on every call.
			unsecured := *op
			unsecured.Security = &openapi3.SecurityRequirements{}
			rs[routeKey{method, path}] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: &unsecured}
		}
	}
	return rs
}

// CallerHeaders is implemented by an API whose Tenant reads request headers (tenant,
// credentials): Identify checks those, so validation does not check them again.
type CallerHeaders interface {
	CallerHeaders() []string
}

// steeringHeaders are checked by Steer, so validation does not check them again.
var steeringHeaders = []string{scenarios.Header, scenarios.DelayHeader, scenarios.FaultHeader}

// bodyChecks are the schema options of a request body check, built once. Error details
// are off: kin-openapi formats a oneOf's sub-errors when it makes the error, and each
// would repeat the whole value (the request body) otherwise.
var bodyChecks = []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()}

// validator is one operation's contract check, prepared once: the parameters no other
// stage checks (path-item ones merged in), and the body. A JSON body is decoded once, from
// the call's buffer, and checked against its schema; any other body (multipart uploads)
// goes through kin-openapi's decoders.
type validator struct {
	route  *routers.Route
	params []*openapi3.Parameter
	body   *openapi3.RequestBody
}

func newValidator(rt *routers.Route, skip []string) *validator {
	v := &validator{route: rt}
	skipped := func(p *openapi3.Parameter) bool {
		return p.In == openapi3.ParameterInHeader && slices.ContainsFunc(skip, func(h string) bool { return strings.EqualFold(h, p.Name) })
	}
	op := rt.Operation
	for _, ref := range rt.PathItem.Parameters {
		if p := ref.Value; p != nil && op.Parameters.GetByInAndName(p.In, p.Name) == nil && !skipped(p) {
			v.params = append(v.params, p)
		}
	}
	for _, ref := range op.Parameters {
		if p := ref.Value; p != nil && !skipped(p) {
			v.params = append(v.params, p)
		}
	}
	if op.RequestBody != nil {
		v.body = op.RequestBody.Value
	}
	return v
}

// check validates r, whose body is in body (r.Body must be re-readable for non-JSON bodies);
// a JSON body is decoded into *decoded.
func (v *validator) check(r *http.Request, body []byte, decoded *any) error {
	if len(v.params) == 0 && v.body == nil {
		return nil // nothing the other stages leave to check (a GET of a fixed path)
	}
	var errs openapi3.MultiError
	if len(v.params) == 0 && v.body != nil && len(body) > 0 && isJSON(r.Header.Get("Content-Type")) {
		// The common case, a JSON body and nothing else to check, needs no kin-openapi input.
		if err := v.checkJSON(r, body, decoded); err != nil {
			return append(errs, err)
		}
		return nil
	}
	input := v.input(r)
	for _, p := range v.params {
		if err := openapi3filter.ValidateParameter(r.Context(), input, p); err != nil {
			errs = append(errs, err)
		}
	}
	if v.body != nil {
		if err := v.checkBody(input, body, decoded); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (v *validator) checkBody(input *openapi3filter.RequestValidationInput, body []byte, decoded *any) error {
	if len(body) == 0 || !isJSON(input.Request.Header.Get("Content-Type")) {
		return openapi3filter.ValidateRequestBody(input.Request.Context(), input, v.body)
	}
	return v.checkJSON(input.Request, body, decoded)
}

// checkJSON decodes a JSON body once, from the call's buffer, and checks it against the
// operation's schema for its content type. The kin-openapi input errors carry is only made
// on the way to an error: the common case allocates none.
func (v *validator) checkJSON(r *http.Request, body []byte, decoded *any) error {
	rb := v.body
	mt := rb.Content.Get(r.Header.Get("Content-Type"))
	if mt == nil {
		return openapi3filter.ValidateRequestBody(r.Context(), v.input(r), rb) // names the content type
	}
	if mt.Schema == nil {
		return nil
	}
	// Numbers decode as float64: kin-openapi judges its own json.Numbers as float64 too.
	if err := json.Unmarshal(body, decoded); err != nil {
		return &openapi3filter.RequestError{Input: v.input(r), RequestBody: rb, Reason: "failed to decode request body",
			Err: &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}}
	}
	if err := mt.Schema.Value.VisitJSON(*decoded, bodyChecks...); err != nil {
		return &openapi3filter.RequestError{Input: v.input(r), RequestBody: rb, Reason: "doesn't match schema", Err: err}
	}
	return nil
}

func (v *validator) input(r *http.Request) *openapi3filter.RequestValidationInput {
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: mux.Vars(r), Route: v.route, Options: validation}
}

// isJSON says whether a Content-Type is JSON (application/json or a +json type).
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// Find returns the contract route of a request gorilla/mux has matched, or nil.
func (rs Routes) Find(r *http.Request) *routers.Route {
	key, ok := routeKeyOf(r)
	if !ok {
		return nil
	}
	return rs[key]
}

func routeKeyOf(r *http.Request) (routeKey, bool) {
	cur := mux.CurrentRoute(r)
	if cur == nil {
		return routeKey{}, false
	}
	tpl, err := cur.GetPathTemplate()
	if err != nil {
		return routeKey{}, false
	}
	return routeKey{r.Method, tpl}, true
}

// ValidateRequest checks a request against its route (the admin API's check); the error
// lists every offending field (see Fields). The request body must be re-readable by the
// caller afterwards.
func ValidateRequest(r *http.Request, rt *routers.Route) error {
	return openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: mux.Vars(r), Route: rt, Options: validation,
	})
}
