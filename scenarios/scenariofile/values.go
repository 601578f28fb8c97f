package scenariofile

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// converter turns YAML nodes into the JSON values they stand for, noting keys given twice.
// An alias that contains itself, or aliases that expand to more than maxValues values (an
// "alias bomb"), stop it with bad set: Parse refuses the file.
type converter struct {
	twice  []*yaml.Node // key nodes repeated in their mapping
	open   map[*yaml.Node]bool
	values int
	bad    *yaml.Node // where the conversion stopped
	why    string
}

// maxValues is the most values a scenario file may expand to (its aliases included).
const maxValues = 100_000

// stop ends the conversion at n.
func (c *converter) stop(n *yaml.Node, why string) any {
	if c.bad == nil {
		c.bad, c.why = n, why
	}
	return nil
}

// toJSON is the JSON value a YAML node stands for.
func toJSON(n *yaml.Node) any { return (&converter{}).value(n) }

// value: numbers keep their literal text (json.Number); YAML-only forms (0x1F, timestamps)
// become what yaml.v3 decodes them to; merge keys (<<: *anchor) are merged, the mapping's
// own keys winning.
func (c *converter) value(n *yaml.Node) any {
	at := n
	n = deref(n)
	if c.bad != nil || n == nil {
		return nil
	}
	if c.values++; c.values > maxValues {
		return c.stop(at, fmt.Sprintf("the file expands to more than %d values (aliases repeat too much)", maxValues))
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if c.open[n] {
			return c.stop(at, "an alias refers to a value that contains it")
		}
		if c.open == nil {
			c.open = map[*yaml.Node]bool{}
		}
		c.open[n] = true
		defer delete(c.open, n)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0])
	case yaml.MappingNode:
		return c.object(n)
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, e := range n.Content {
			l[i] = c.value(e)
		}
		return l
	}
	return scalarValue(n)
}

func (c *converter) object(n *yaml.Node) map[string]any {
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		from := deref(n.Content[i+1])
		merge := []*yaml.Node{from}
		if from.Kind == yaml.SequenceNode {
			merge = from.Content
		}
		for j := len(merge) - 1; j >= 0; j-- { // earlier mappings win
			if mm, ok := c.value(merge[j]).(map[string]any); ok {
				maps.Copy(m, mm)
			}
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Tag == "!!merge" {
			continue
		}
		if seen[k.Value] {
			c.twice = append(c.twice, k)
		}
		seen[k.Value] = true
		m[k.Value] = c.value(n.Content[i+1])
	}
	return m
}

func scalarValue(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true"
	case "!!int", "!!float":
		if json.Valid([]byte(n.Value)) {
			return json.Number(n.Value)
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		switch t := v.(type) {
		case float64:
			return json.Number(strconv.FormatFloat(t, 'g', -1, 64))
		case int:
			return json.Number(strconv.Itoa(t))
		}
		return fmt.Sprint(v)
	}
	return n.Value
}

// valueNode is the YAML node of a JSON value; object keys are sorted.
func valueNode(v any) (*yaml.Node, error) {
	switch t := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case json.Number:
		tag := "!!int"
		if _, err := strconv.ParseInt(t.String(), 10, 64); err != nil {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case string:
		return str(t), nil
	case []any:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range t {
			en, err := valueNode(e)
			if err != nil {
				return nil, err
			}
			seq.Content = append(seq.Content, en)
		}
		return seq, nil
	case map[string]any:
		m := mapping()
		for _, k := range slices.Sorted(maps.Keys(t)) {
			en, err := valueNode(t[k])
			if err != nil {
				return nil, err
			}
			m.Content = append(m.Content, str(k), en)
		}
		return m, nil
	}
	var n yaml.Node
	err := n.Encode(v)
	return &n, err
}
