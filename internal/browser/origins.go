package browser

import (
	"net/http"
	"strings"

	"github.com/rs/cors"
)

// origins says which origins browsers may call from: --cors-origin, or the defaults.
type origins struct {
	listed []string
	match  *cors.Cors // matches listed (wildcards included); nil without --cors-origin
}

func newOrigins(listed []string) origins {
	o := origins{listed: listed}
	if len(listed) > 0 {
		o.match = cors.New(cors.Options{AllowedOrigins: listed})
	}
	return o
}

// partner are the partner APIs' origins: --cors-origin, or any.
func (o origins) partner() cors.Options {
	if o.match == nil {
		return cors.Options{AllowedOrigins: []string{"*"}}
	}
	return cors.Options{AllowedOrigins: o.listed}
}

// admin are the admin API's origins: --cors-origin, or loopback ones.
func (o origins) admin() cors.Options {
	if o.match == nil {
		return cors.Options{AllowOriginFunc: LoopbackOrigin}
	}
	return cors.Options{AllowedOrigins: o.listed}
}

// trusted says whether a request's Origin may change the admin API's state in local mode:
// none (not a browser's cross-site call), a loopback origin, the sandbox's own (a page it
// served under an --allowed-host) or a --cors-origin.
func (o origins) trusted(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || LoopbackOrigin(origin) {
		return true
	}
	if _, hostport, ok := strings.Cut(origin, "://"); ok && strings.EqualFold(hostport, r.Host) {
		return true
	}
	return o.match != nil && o.match.OriginAllowed(r)
}

// LoopbackOrigin says whether an Origin is a page of this machine:
// http(s)://localhost|127.0.0.1|[::1]|*.localhost with any port.
func LoopbackOrigin(origin string) bool {
	scheme, hostport, ok := strings.Cut(origin, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") || strings.ContainsAny(hostport, "/?#@") {
		return false
	}
	return Loopback(hostname(hostport))
}
