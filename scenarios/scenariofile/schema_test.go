package scenariofile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	return sch
}

// validate checks a YAML scenario file against the schema, as an editor would.
func validate(t *testing.T, sch *jsonschema.Schema, src []byte) error {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
}

func TestSchemaAcceptsExamples(t *testing.T) {
	sch := loadSchema(t)
	examples, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 3 {
		t.Fatalf("%d examples in scenarios/examples, want one per API at least", len(examples))
	}
	for _, p := range examples {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(t, sch, src); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if _, err := Parse(p, src, nil); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if err := validate(t, sch, []byte(goodFile)); err != nil {
		t.Errorf("the parser's good file: %v", err)
	}
	exported, err := Export(exportEntries(), "recorded")
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, sch, exported); err != nil {
		t.Errorf("an export: %v\n%s", err, exported)
	}
}

func TestSchemaRefusesBadFiles(t *testing.T) {
	sch := loadSchema(t)
	for name, src := range map[string]string{
		"unknown key":        "name: x\nstep: []\n",
		"no name":            "steps:\n  - path: /v1/x\n",
		"nothing to do":      "name: x\n",
		"step key":           "name: x\nsteps:\n  - path: /v1/x\n    expekt: {}\n",
		"neither":            "name: x\nsteps:\n  - name: nothing\n",
		"both":               "name: x\nsteps:\n  - path: /v1/x\n    clock: {advance: 1h}\n",
		"bad duration":       "name: x\nsteps:\n  - clock: {advance: soon}\n",
		"two clock moves":    "name: x\nsteps:\n  - clock: {advance: 1h, reset: true}\n",
		"fault":              "name: x\nrules:\n  - {operationId: a, fault: explode}\n",
		"rule does nothing":  "name: x\nrules:\n  - {operationId: a}\n",
		"outcome and fault":  "name: x\nrules:\n  - {operationId: a, outcome: ok, fault: http-500}\n",
		"matcher":            "name: x\nsteps:\n  - path: /v1/x\n    expect: {body: {a: {city: Pune}}}\n",
		"present false":      "name: x\nsteps:\n  - path: /v1/x\n    expect: {body: {a: {present: false}}}\n",
		"body and raw":       "name: x\nsteps:\n  - {path: /v1/x, body: {}, raw: x}\n",
		"query in path":      "name: x\nsteps:\n  - path: /v1/x?a=b\n",
		"fixture api":        "name: x\nfixtures:\n  - {api: bank, kind: k, id: \"1\", value: {}}\n",
		"status":             "name: x\nsteps:\n  - {path: /v1/x, expect: {status: 99}}\n",
		"credentials":        "name: x\ncredentials: {dmt: {clientId: me}}\nsteps:\n  - path: /v1/x\n",
		"clock set not time": "name: x\nsteps:\n  - clock: {set: tomorrow}\n",
	} {
		if err := validate(t, sch, []byte(src)); err == nil {
			t.Errorf("%s: the schema accepts\n%s", name, src)
		}
		if _, err := Parse("bad.yaml", []byte(src), nil); err == nil {
			t.Errorf("%s: the parser accepts what the schema refuses\n%s", name, src)
		}
	}
}
