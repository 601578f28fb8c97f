package scenariofile

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/partnersandbox/sandbox/scenarios"
)

var schema = sync.OnceValues(func() (*schemaDoc, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(scenarios.FileSchema))
	if err != nil {
		return nil, fmt.Errorf("scenarios/schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, err
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		return nil, fmt.Errorf("scenarios/schema.json: %w", err)
	}
	return &schemaDoc{sch: sch, raw: doc}, nil
})

// schemaDoc is the compiled schema and its JSON (for the keys a mapping may have).
type schemaDoc struct {
	sch *jsonschema.Schema
	raw any
}

// checkSchema validates a file's JSON value (from root) against schema.json: every
// problem at its line, in the words of messages (or generic ones).
func checkSchema(file string, root *yaml.Node, v any) Errors {
	sd, err := schema()
	if err != nil {
		return Errors{{File: file, Msg: err.Error()}}
	}
	verr, ok := sd.sch.Validate(v).(*jsonschema.ValidationError)
	if !ok {
		return nil
	}
	t := &translator{file: file, root: root, sd: sd}
	t.walk(verr)
	slices.SortStableFunc(t.errs, func(a, b *Error) int { return a.Line - b.Line })
	return t.errs
}

type translator struct {
	file string
	root *yaml.Node
	sd   *schemaDoc
	errs Errors
}

// walk reports the errors that say what is wrong: of oneOf/anyOf branches, the one that
// got deepest into the value (else the keyword's own message).
func (t *translator) walk(e *jsonschema.ValidationError) {
	switch e.ErrorKind.(type) {
	case *kind.PropertyNames: // its causes are about the name alone, without a location
		t.report(e)
		return
	case *kind.OneOf, *kind.AnyOf:
		if best := deepest(e.Causes); best != nil {
			t.walk(best)
		} else {
			t.report(e)
		}
		return
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			t.walk(c)
		}
		return
	}
	t.report(e)
}

// deepest is the cause whose errors reach deepest into the value, if only one does.
func deepest(causes []*jsonschema.ValidationError) *jsonschema.ValidationError {
	var best *jsonschema.ValidationError
	max, tie := -1, false
	for _, c := range causes {
		switch d := depth(c); {
		case d > max:
			best, max, tie = c, d, false
		case d == max:
			tie = true
		}
	}
	if tie {
		return nil
	}
	return best
}

func depth(e *jsonschema.ValidationError) int {
	d := len(e.InstanceLocation)
	for _, c := range e.Causes {
		d = max(d, depth(c))
	}
	return d
}

// report adds e's message at its line.
func (t *translator) report(e *jsonschema.ValidationError) {
	loc := e.InstanceLocation
	_, frag, _ := strings.Cut(e.SchemaURL, "#")
	keyword := strings.Join(e.ErrorKind.KeywordPath(), "/")
	if _, ok := e.ErrorKind.(*kind.Not); ok {
		keyword = "not" // the library names no keyword for it
	}
	where := frag + "/" + keyword
	if say, ok := messages[where]; ok {
		if at, msg := say(t, loc, e.ErrorKind); at != nil {
			t.add(at, msg)
			return
		}
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			key, _ := t.node(append(slices.Clone(loc), p))
			t.add(key, fmt.Sprintf("%s: unknown key %q; valid keys: %s", path(loc), p, strings.Join(t.keys(frag), ", ")))
		}
	case *kind.Required:
		for _, m := range k.Missing {
			t.add(t.value(loc), path(append(slices.Clone(loc), m))+" is missing")
		}
	case *kind.MinLength:
		t.add(t.value(loc), path(loc)+" is empty")
	case *kind.Type:
		t.add(t.value(loc), fmt.Sprintf("%s: want %s, got %s", path(loc), wantType(k.Want), kindName(t.value(loc))))
	default:
		t.add(t.value(loc), path(loc)+": "+e.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
	}
}

func (t *translator) add(at *yaml.Node, msg string) {
	t.errs = append(t.errs, &Error{File: t.file, Line: at.Line, Msg: msg})
}

// node is the key and value nodes at an instance location (the nearest that exists).
func (t *translator) node(loc []string) (key, val *yaml.Node) {
	key, val = t.root, t.root
	for _, p := range loc {
		k, v := child(val, p)
		if v == nil {
			return key, val
		}
		key, val = k, v
	}
	return key, val
}

func (t *translator) value(loc []string) *yaml.Node {
	_, v := t.node(loc)
	return v
}

// child is a mapping's key and value, or a list's element (twice).
func child(n *yaml.Node, p string) (key, val *yaml.Node) {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				return n.Content[i], deref(n.Content[i+1])
			}
		}
	case yaml.SequenceNode:
		var i int
		if _, err := fmt.Sscan(p, &i); err == nil && i >= 0 && i < len(n.Content) {
			e := deref(n.Content[i])
			return e, e
		}
	}
	return nil, nil
}

// keys are the property names the schema at frag allows.
func (t *translator) keys(frag string) []string {
	s := t.sd.raw
	for _, p := range strings.Split(strings.Trim(frag, "/"), "/") {
		if m, ok := s.(map[string]any); ok && p != "" {
			s = m[p]
		}
	}
	obj, _ := s.(map[string]any)
	props, _ := obj["properties"].(map[string]any)
	return slices.Sorted(func(yield func(string) bool) {
		for k := range props {
			if !yield(k) {
				return
			}
		}
	})
}

// path names an instance location as messages do: steps[0].expect.status.
func path(loc []string) string {
	if len(loc) == 0 {
		return "scenario file"
	}
	var b strings.Builder
	for i, p := range loc {
		var n int
		if _, err := fmt.Sscan(p, &n); err == nil && i > 0 && (loc[i-1] == "steps" || loc[i-1] == "rules" || loc[i-1] == "fixtures") {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func wantType(types []string) string {
	words := map[string]string{"string": "a text value", "integer": "a whole number", "number": "a number", "boolean": "true or false",
		"object": "a mapping (key: value lines)", "array": "a list (lines starting with -)", "null": "nothing"}
	out := make([]string, len(types))
	for i, ty := range types {
		out[i] = words[ty]
	}
	return strings.Join(out, " or ")
}

// kindName describes a YAML value for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}
