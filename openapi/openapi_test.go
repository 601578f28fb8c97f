package openapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestContractsLoad proves every contract parses and passes kin-openapi's own validation.
func TestContractsLoad(t *testing.T) {
	for _, api := range APIs {
		if _, err := Load(api); err != nil {
			t.Errorf("%s: %v", api, err)
		}
	}
}

// TestExamplesMatchSchemas validates every example in every contract (request bodies,
// responses, parameters) against the schema it illustrates. The seeds' own samples live
// in the contracts as examples, so this is what proves the contract accepts what the
// vendor documents.
func TestExamplesMatchSchemas(t *testing.T) {
	total := 0
	for _, api := range APIs {
		doc, err := Load(api)
		if err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		for _, c := range collectExamples(doc) {
			total++
			t.Run(api+"/"+c.where, func(t *testing.T) {
				if err := c.schema.VisitJSON(c.value, openapi3.MultiErrors()); err != nil {
					t.Errorf("example does not match its schema: %v", err)
				}
			})
		}
	}
	if total == 0 {
		t.Fatal("no examples found in any contract")
	}
}

type exampleCase struct {
	where  string
	schema *openapi3.Schema
	value  any
}

func collectExamples(doc *openapi3.T) []exampleCase {
	var out []exampleCase
	addMedia := func(where string, mt *openapi3.MediaType) {
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			return
		}
		if mt.Example != nil {
			out = append(out, exampleCase{where + "/example", mt.Schema.Value, normalise(mt.Example)})
		}
		names := make([]string, 0, len(mt.Examples))
		for name := range mt.Examples {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ex := mt.Examples[name]
			if ex == nil || ex.Value == nil || ex.Value.Value == nil {
				continue
			}
			out = append(out, exampleCase{where + "/" + name, mt.Schema.Value, normalise(ex.Value.Value)})
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			base := fmt.Sprintf("%s %s", method, path)
			for _, p := range op.Parameters {
				if p.Value == nil || p.Value.Schema == nil {
					continue
				}
				if p.Value.Example != nil {
					out = append(out, exampleCase{base + "/param/" + p.Value.Name, p.Value.Schema.Value, normalise(p.Value.Example)})
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					addMedia(base+"/request/"+ct, mt)
				}
			}
			for status, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for ct, mt := range resp.Value.Content {
					addMedia(base+"/response/"+status+"/"+ct, mt)
				}
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		if s.Value != nil && s.Value.Example != nil {
			out = append(out, exampleCase{"components/schemas/" + name, s.Value, normalise(s.Value.Example)})
		}
	}
	return out
}

// normalise turns a YAML-decoded value into the shape encoding/json produces, which is
// what the schema validator expects.
func normalise(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// TestServersAreDeclaredAndCleared: every contract names the sandbox's default address for
// imported collections and generated clients, and Load drops it, because kin-openapi's
// routers match `servers` against the request's host and the sandbox serves any address.
func TestServersAreDeclaredAndCleared(t *testing.T) {
	for _, api := range APIs {
		raw, err := Raw(api)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Servers) != 1 || doc.Servers[0].URL != "http://127.0.0.1:8080" {
			t.Errorf("%s: servers %v, want the sandbox's default address", api, doc.Servers)
		}
		loaded, err := Load(api)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Servers != nil {
			t.Errorf("%s: Load kept servers %v", api, loaded.Servers)
		}
	}
}
