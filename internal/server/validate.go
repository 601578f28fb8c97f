package server

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"
)

var validation = &openapi3filter.Options{
	MultiError: true,
	// Credentials are checked by each API's Tenant, in its own envelope.
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
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

// ValidateRequest checks a request against its route; the error lists every offending
// field (see Fields). The request body must be re-readable by the caller afterwards.
func ValidateRequest(r *http.Request, rt *routers.Route) error {
	return validateRequest(r, rt)
}

func validateRequest(r *http.Request, rt *routers.Route) error {
	return openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: mux.Vars(r), Route: rt, Options: validation,
	})
}
