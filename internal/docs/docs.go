// Package docs serves the sandbox's OpenAPI documents and an API reference page built from
// them with Redoc. The Redoc bundle comes from npm at build time (`make docs-assets`) and is
// embedded in the binary, so the page works with no network.
package docs

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/openapi"
)

// assets holds redoc.standalone.js once `make docs-assets` has copied it from npm; the
// README.md there keeps the embed valid before that.
//
//go:embed assets
var assets embed.FS

const bundle = "assets/redoc.standalone.js"

// Server implements admin.Docs.
type Server struct{}

var _ admin.Docs = Server{}

// GetContract serves one OpenAPI document as it is embedded.
func (Server) GetContract(_ context.Context, req api.GetContractRequestObject) (api.GetContractResponseObject, error) {
	data, err := openapi.Raw(string(req.Api))
	if err != nil {
		return api.GetContract404JSONResponse{NotFoundJSONResponse: admin.NotFound("no contract %q", req.Api)}, nil
	}
	return api.GetContract200ApplicationyamlResponse{Body: bytes.NewReader(data), ContentLength: int64(len(data))}, nil
}

// GetDocsBundle serves the embedded Redoc bundle.
func (Server) GetDocsBundle(context.Context, api.GetDocsBundleRequestObject) (api.GetDocsBundleResponseObject, error) {
	data, err := fs.ReadFile(assets, bundle)
	if err != nil {
		return api.GetDocsBundle404JSONResponse{NotFoundJSONResponse: admin.NotFound("the Redoc bundle was not built into this binary: run `make docs-assets` (or `make build`) and rebuild")}, nil
	}
	return api.GetDocsBundle200ApplicationjavascriptResponse{Body: bytes.NewReader(data), ContentLength: int64(len(data))}, nil
}

// HasBundle says whether the Redoc bundle is embedded.
func HasBundle() bool {
	_, err := fs.Stat(assets, bundle)
	return err == nil
}

var page = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}} · partner sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { margin: 0; font-family: sans-serif; }
nav { padding: 8px 16px; background: #263238; }
nav a { color: #fff; margin-right: 16px; text-decoration: none; }
nav a.current { font-weight: bold; text-decoration: underline; }
.missing { padding: 16px; }
</style>
</head>
<body>
<nav>{{range .APIs}}<a href="/__sandbox/docs?api={{.}}"{{if eq . $.API}} class="current"{{end}}>{{.}}</a>{{end}}</nav>
{{if .Bundle}}<redoc spec-url="/__sandbox/openapi/{{.API}}.yaml"></redoc>
<script src="/__sandbox/docs/redoc.standalone.js"></script>
{{else}}<div class="missing"><p>The Redoc bundle was not built into this binary (run <code>make docs-assets</code> and rebuild).
The contract itself is at <a href="/__sandbox/openapi/{{.API}}.yaml">/__sandbox/openapi/{{.API}}.yaml</a>.</p></div>
{{end}}</body>
</html>
`))

// GetDocs serves the reference page of one API (dcms by default).
func (Server) GetDocs(_ context.Context, req api.GetDocsRequestObject) (api.GetDocsResponseObject, error) {
	name := "dcms"
	if req.Params.Api != nil {
		name = string(*req.Params.Api)
	}
	var buf bytes.Buffer
	err := page.Execute(&buf, map[string]any{
		"Title": fmt.Sprintf("%s API reference", name), "API": name, "APIs": openapi.APIs, "Bundle": HasBundle(),
	})
	if err != nil {
		return nil, err
	}
	return api.GetDocs200TexthtmlResponse{Body: &buf, ContentLength: int64(buf.Len())}, nil
}
