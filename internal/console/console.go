// Package console serves the sandbox's web console: one page, its style sheet and its
// script, embedded in the binary (no CDN, no build step), for partner developers and QA.
// The page talks only to the admin API; see openapi/sandbox.yaml.
package console

import (
	"bytes"
	"context"
	"embed"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/admin"
)

//go:embed assets/index.html assets/console.css assets/console.js
var assets embed.FS

// Server implements admin.Console.
type Server struct{}

var _ admin.Console = Server{}

func asset(name string) (*bytes.Reader, int64) {
	data, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic("console: " + name + " is not embedded: " + err.Error()) // the embed line lists it
	}
	return bytes.NewReader(data), int64(len(data))
}

// GetConsole serves the page.
func (Server) GetConsole(context.Context, api.GetConsoleRequestObject) (api.GetConsoleResponseObject, error) {
	body, n := asset("index.html")
	return api.GetConsole200TexthtmlResponse{Body: body, ContentLength: n}, nil
}

// GetConsoleScript serves the script.
func (Server) GetConsoleScript(context.Context, api.GetConsoleScriptRequestObject) (api.GetConsoleScriptResponseObject, error) {
	body, n := asset("console.js")
	return api.GetConsoleScript200ApplicationjavascriptResponse{Body: body, ContentLength: n}, nil
}

// GetConsoleStyle serves the style sheet.
func (Server) GetConsoleStyle(context.Context, api.GetConsoleStyleRequestObject) (api.GetConsoleStyleResponseObject, error) {
	body, n := asset("console.css")
	return api.GetConsoleStyle200TextcssResponse{Body: body, ContentLength: n}, nil
}
