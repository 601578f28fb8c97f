// Package openapi holds the sandbox's contracts: one OpenAPI 3.0 document per partner API
// plus the sandbox's own admin API. They are embedded so the binary validates requests
// and serves the documents without reading the disk.
package openapi

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed *.yaml
var files embed.FS

// Partners names the partner APIs, in the order everything lists them: the one list of
// them in the sandbox.
var Partners = []string{"dcms", "dmt", "profile"}

// APIs names every contract in this folder, in the order the server mounts them: the
// partner APIs, then the admin API.
var APIs = append(append([]string{}, Partners...), "sandbox")

// Raw returns the YAML text of one contract.
func Raw(api string) ([]byte, error) {
	return files.ReadFile(api + ".yaml")
}

// Load returns one contract, parsed and validated once per process: every sandbox in the
// process (tests start many) shares it, so callers must treat it as read-only. The
// `servers` list is cleared because kin-openapi's routers match it against the request
// host, and the sandbox serves every API on whatever address it was started with.
func Load(api string) (*openapi3.T, error) {
	v, _ := loaded.LoadOrStore(api, &contract{})
	c := v.(*contract)
	c.once.Do(func() { c.doc, c.err = parse(api) })
	return c.doc, c.err
}

type contract struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

var loaded sync.Map // api → *contract

func parse(api string) (*openapi3.T, error) {
	data, err := Raw(api)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi/%s.yaml: %w", api, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi/%s.yaml: %w", api, err)
	}
	doc.Servers = nil
	return doc, nil
}

var (
	prefixesOnce sync.Once
	prefixes     map[string]string // a path's first segment → the partner API whose contract has it
)

// APIOf says which partner API a request path belongs to: the one whose contract has
// paths under the same first segment ("" for none: the admin API, or no API at all). It is
// the one answer to that question in the sandbox: unmatched paths get that API's 404, and
// scenario steps are filed under it.
func APIOf(path string) string {
	prefixesOnce.Do(func() {
		prefixes = map[string]string{}
		for _, api := range Partners {
			doc, err := Load(api)
			if err != nil {
				continue // the sandbox refuses to start with such a contract anyway
			}
			for p := range doc.Paths.Map() {
				prefixes[firstSegment(p)] = api
			}
		}
	})
	return prefixes[firstSegment(path)]
}

func firstSegment(path string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return seg
}
