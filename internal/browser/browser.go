// Package browser keeps web pages from misusing the sandbox. It wraps the whole router:
//
//   - hosts: in local mode, a request whose Host is not a loopback name or an
//     --allowed-host is refused, so a DNS-rebinding page cannot read or steer the sandbox;
//   - CORS (github.com/rs/cors): preflights are answered here (204, never through the
//     partner pipeline), with the APIs' own headers allowed; any origin may call the
//     partner APIs and loopback origins the admin API, unless --cors-origin names them;
//   - adminWrites: in local mode, a call that changes the admin API's state is refused when
//     it comes from a foreign Origin or carries a form content type (CSRF).
//
// Hosted mode (--hosted) keeps CORS and leaves the rest to its Bearer tokens.
package browser

import (
	"flag"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnersandbox/sandbox/openapi"
)

// Config is what the command line says about browsers.
type Config struct {
	// CORSOrigins may call both the partner and the admin APIs from a browser ("*": any
	// origin; one "*" inside an origin is a wildcard). Without any, every origin may call
	// the partner APIs and loopback origins the admin API.
	CORSOrigins []string
	// AllowedHosts are the Host names local mode serves besides loopback names (a name
	// alone allows any port; "*" turns the check off).
	AllowedHosts []string
}

// Flags registers --cors-origin and --allowed-host on fs.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.Func("cors-origin", "an origin (scheme://host[:port], or *) that browsers may call the partner and admin APIs from (repeatable); default: any origin on the partner APIs, loopback origins on the admin API", func(v string) error {
		c.CORSOrigins = append(c.CORSOrigins, v)
		return nil
	})
	fs.Func("allowed-host", "a Host name local mode serves besides localhost, 127.0.0.1, [::1] and *.localhost: other names are refused against DNS rebinding (repeatable; name or name:port; * serves any)", func(v string) error {
		if v == "" {
			return fmt.Errorf("want a host name")
		}
		c.AllowedHosts = append(c.AllowedHosts, v)
		return nil
	})
}

// Refuse answers a request browser safety refuses, in the documented error of the API the
// path belongs to; msg says what was refused and how to allow it.
type Refuse func(w http.ResponseWriter, r *http.Request, msg string)

// Wrap puts browser safety around next (the router of every API). In hosted mode only CORS
// applies.
func Wrap(next http.Handler, cfg Config, hosted bool, refuse Refuse) (http.Handler, error) {
	var docs []*openapi3.T
	for _, api := range openapi.APIs {
		doc, err := openapi.Load(api)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	o := newOrigins(cfg.CORSOrigins)
	var admin http.Handler = next
	if !hosted {
		admin = adminWrites{Trusted: o.trusted, Refuse: refuse, Next: next}
	}
	var h http.Handler = byAPI{
		partner: newCORS(o.partner(), docs, next),
		admin:   newCORS(o.admin(), docs, admin),
	}
	if !hosted {
		h = hosts{Allowed: newHostList(cfg.AllowedHosts), Refuse: refuse, Next: h}
	}
	return h, nil
}

// byAPI sends partner API paths one way and the rest (the admin API) the other.
type byAPI struct{ partner, admin http.Handler }

func (b byAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if partnerPath(r.URL.Path) {
		b.partner.ServeHTTP(w, r)
		return
	}
	b.admin.ServeHTTP(w, r)
}

// partnerPath says whether a path is a partner API's; every other path is the admin API's
// (/__sandbox/*, the probes, /metrics).
func partnerPath(path string) bool { return openapi.APIOf(path) != "" }
