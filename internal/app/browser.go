package app

import (
	"net/http"

	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/browser"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/openapi"
)

// refuse answers what browser safety refuses: a partner API's path gets that API's
// documented 400, any other path the admin API's 403.
func refuse(apis []server.API) browser.Refuse {
	return func(w http.ResponseWriter, r *http.Request, msg string) {
		name := openapi.APIOf(r.URL.Path)
		for _, api := range apis {
			if api.Name() == name {
				api.WriteProblem(w, r, api.Problem(server.Refused, msg, nil))
				return
			}
		}
		admin.WriteForbidden(w, msg)
	}
}
