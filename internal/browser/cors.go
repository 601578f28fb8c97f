package browser

import (
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/rs/cors"
)

// corsHandler answers preflights itself (204, whatever the path: they never reach the
// partner pipeline) and adds CORS headers to every other answer of next.
type corsHandler struct {
	cors    *cors.Cors
	headers string // the allowed request headers, listed
	next    http.Handler
}

const requestHeaders = "Access-Control-Request-Headers"

// newCORS is CORS with the origins of one API kind; the headers and methods are the
// contracts' (docs).
func newCORS(o cors.Options, docs []*openapi3.T, next http.Handler) corsHandler {
	o.AllowedHeaders = Headers(docs)
	listed := strings.Join(o.AllowedHeaders, ", ")
	o.ExposedHeaders = ResponseHeaders(docs)
	o.AllowedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	o.MaxAge = 600 // seconds a browser may reuse a preflight's answer
	return corsHandler{cors: cors.New(o), headers: listed, next: next}
}

func (h corsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		h.cors.HandlerFunc(w, r)
		h.next.ServeHTTP(w, r)
		return
	}
	// rs/cors accepts Access-Control-Request-Headers as browsers send it (lower case,
	// sorted, unique): a hand-written client's "Tenant, Content-Type" is made so first, and
	// the answer names the headers as they were asked (all the allowed ones if none was).
	asked := r.Header.Values(requestHeaders)
	pre := *r
	pre.Header = r.Header.Clone()
	if len(asked) > 0 {
		pre.Header.Set(requestHeaders, normalize(asked))
	}
	h.cors.HandlerFunc(statusLater{w}, &pre)
	switch {
	case w.Header().Get("Access-Control-Allow-Origin") == "": // refused: no CORS headers
	case len(asked) > 0:
		w.Header().Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
	default:
		w.Header().Set("Access-Control-Allow-Headers", h.headers)
	}
	w.WriteHeader(http.StatusNoContent)
}

// statusLater lets rs/cors set a preflight's headers, and its caller write the status.
type statusLater struct{ http.ResponseWriter }

func (statusLater) WriteHeader(int) {}

// normalize is a header list in lower case, sorted, each name once.
func normalize(lists []string) string {
	var names []string
	for _, l := range lists {
		for _, n := range strings.Split(l, ",") {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ",")
}

// Headers are the request headers a browser may send: Content-Type, and every header the
// contracts declare, as a parameter (X-Sandbox-*, tenant) or a security scheme (client_id,
// client_secret, header_secrets, pass_key, Authorization).
func Headers(docs []*openapi3.T) []string {
	names := []string{"Content-Type"}
	for _, doc := range docs {
		if doc.Components == nil {
			continue
		}
		for _, s := range doc.Components.SecuritySchemes {
			switch {
			case s.Value == nil:
			case s.Value.Type == "apiKey" && s.Value.In == "header":
				names = append(names, s.Value.Name)
			case s.Value.Type == "http":
				names = append(names, "Authorization")
			}
		}
		for _, item := range doc.Paths.Map() {
			params := slices.Clone(item.Parameters)
			for _, op := range item.Operations() {
				params = append(params, op.Parameters...)
			}
			for _, p := range params {
				if p.Value != nil && p.Value.In == openapi3.ParameterInHeader {
					names = append(names, p.Value.Name)
				}
			}
		}
	}
	return unique(names)
}

// ResponseHeaders are the headers the contracts' answers carry (Retry-After,
// Content-Disposition, ...): a page may read them.
func ResponseHeaders(docs []*openapi3.T) []string {
	var names []string
	add := func(r *openapi3.ResponseRef) {
		if r != nil && r.Value != nil {
			for name := range r.Value.Headers {
				names = append(names, name)
			}
		}
	}
	for _, doc := range docs {
		if doc.Components != nil {
			for _, r := range doc.Components.Responses {
				add(r)
			}
		}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				for _, r := range op.Responses.Map() {
					add(r)
				}
			}
		}
	}
	return unique(names)
}

// unique is names sorted and each once, whatever the case, spelled as the contracts do.
func unique(names []string) []string {
	slices.SortStableFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return slices.CompactFunc(names, strings.EqualFold)
}
