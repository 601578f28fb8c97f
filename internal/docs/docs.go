// Package docs serves the sandbox's OpenAPI documents and an API reference page built from
// them with Redoc. Redoc's bundle is vendored in assets/ (with its licences and checksum) and
// embedded in the binary, so the page works with no network and a build needs Go alone.
package docs

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/openapi"
)

// bundle is Redoc's standalone bundle (assets/README.md says where it comes from).
//
//go:embed assets/redoc.standalone.js
var bundle []byte

// Server implements admin.Docs.
type Server struct{}

var _ admin.Docs = Server{}

// GetContract serves one OpenAPI document as it is embedded.
func (Server) GetContract(_ context.Context, req api.GetContractRequestObject) (api.GetContractResponseObject, error) {
	data, err := openapi.Raw(string(req.Api)) // the contract's enum lets only existing ones through
	if err != nil {
		return nil, err
	}
	return api.GetContract200ApplicationyamlResponse{Body: bytes.NewReader(data), ContentLength: int64(len(data))}, nil
}

// GetDocsBundle serves the embedded Redoc bundle.
func (Server) GetDocsBundle(context.Context, api.GetDocsBundleRequestObject) (api.GetDocsBundleResponseObject, error) {
	return api.GetDocsBundle200ApplicationjavascriptResponse{Body: bytes.NewReader(bundle), ContentLength: int64(len(bundle))}, nil
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
</style>
</head>
<body>
<nav>{{range .APIs}}<a href="/__sandbox/docs?api={{.}}"{{if eq . $.API}} class="current"{{end}}>{{.}}</a>{{end}}</nav>
<redoc spec-url="/__sandbox/openapi/{{.API}}.yaml"></redoc>
<script src="/__sandbox/docs/redoc.standalone.js"></script>
</body>
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
		"Title": fmt.Sprintf("%s API reference", name), "API": name, "APIs": openapi.APIs,
	})
	if err != nil {
		return nil, err
	}
	return api.GetDocs200TexthtmlResponse{Body: &buf, ContentLength: int64(buf.Len())}, nil
}
