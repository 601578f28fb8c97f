package scenariofile

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The YAML form of the format's types: mappings kept in file order, positions kept for
// messages. Parse only decodes what the schema accepted, so these do not check shapes.

func (s *Step) UnmarshalYAML(n *yaml.Node) error {
	type plain Step
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	s.node = n
	if s.Body == nil && has(n, "body") { // body: null is a JSON null body
		s.Body = &Value{}
	}
	return nil
}

func (f *Fixture) UnmarshalYAML(n *yaml.Node) error {
	type plain Fixture
	f.node = n
	return n.Decode((*plain)(f))
}

func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	type plain Rule
	r.node = n
	return n.Decode((*plain)(r))
}

// has says a mapping node has key.
func has(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// pairs calls fn with each key and value node of a mapping, in order.
func pairs(n *yaml.Node, fn func(k, v *yaml.Node)) {
	n = deref(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i], deref(n.Content[i+1]))
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping is an ordered YAML mapping of scalar values (or of nodes).
func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

// readTexts reads a mapping of text values, in file order.
func readTexts[T any](n *yaml.Node, item func(k, v string) T) []T {
	var out []T
	pairs(n, func(k, v *yaml.Node) { out = append(out, item(k.Value, v.Value)) })
	return out
}

// writeTexts writes items as a mapping of text values, in order.
func writeTexts[T any](items []T, kv func(T) (string, string), style yaml.Style) *yaml.Node {
	m := mapping()
	m.Style = style
	for _, it := range items {
		k, v := kv(it)
		m.Content = append(m.Content, str(k), str(v))
	}
	return m
}

func (vs *Vars) UnmarshalYAML(n *yaml.Node) error {
	*vs = readTexts(n, func(k, v string) Var { return Var{k, v} })
	return nil
}

func (vs Vars) MarshalYAML() (any, error) {
	return writeTexts(vs, func(v Var) (string, string) { return v.Name, v.Value }, 0), nil
}

func (ps *Pairs) UnmarshalYAML(n *yaml.Node) error {
	*ps = readTexts(n, func(k, v string) KV { return KV{k, v} })
	return nil
}

func (ps Pairs) MarshalYAML() (any, error) {
	return writeTexts(ps, func(kv KV) (string, string) { return kv.Name, kv.Value }, yaml.FlowStyle), nil
}

func (ss *Saves) UnmarshalYAML(n *yaml.Node) error {
	*ss = readTexts(n, func(k, v string) Save { return Save{Var: k, Path: v} })
	return nil
}

func (ss Saves) MarshalYAML() (any, error) {
	return writeTexts(ss, func(s Save) (string, string) { return s.Var, s.Path }, yaml.FlowStyle), nil
}

func (cs *Checks) UnmarshalYAML(n *yaml.Node) error {
	var err error
	pairs(n, func(k, v *yaml.Node) {
		c := Check{Path: k.Value, line: k.Line}
		if e := v.Decode(&c.Match); e != nil && err == nil {
			err = e
		}
		*cs = append(*cs, c)
	})
	return err
}

// MarshalYAML writes up to 8 checks on one line.
func (cs Checks) MarshalYAML() (any, error) {
	m := mapping()
	if len(cs) <= 8 {
		m.Style = yaml.FlowStyle
	}
	for _, c := range cs {
		var v yaml.Node
		if err := v.Encode(c.Match); err != nil {
			return nil, err
		}
		m.Content = append(m.Content, str(c.Path), &v)
	}
	return m, nil
}

// UnmarshalYAML reads a plain value or list (equals), or a one-key matcher mapping.
func (m *Matcher) UnmarshalYAML(n *yaml.Node) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		*m = Matcher{Kind: MatchEquals, Value: toJSON(n)}
		return nil
	}
	k, v := n.Content[0].Value, deref(n.Content[1])
	*m = Matcher{Kind: k}
	switch k {
	case MatchEquals:
		m.Value = toJSON(v)
	case MatchRegex:
		m.Pattern = v.Value
	case MatchLength:
		return v.Decode(&m.N)
	}
	return nil
}

// MarshalYAML writes equality as the plain value when that reads back the same (not an
// object: a mapping would read as a matcher).
func (m Matcher) MarshalYAML() (any, error) {
	switch m.Kind {
	case MatchEquals:
		if _, isObject := m.Value.(map[string]any); !isObject {
			return Value{V: m.Value}, nil
		}
		return map[string]Value{MatchEquals: {V: m.Value}}, nil
	case MatchPresent, MatchAbsent:
		return map[string]bool{m.Kind: true}, nil
	case MatchRegex:
		return map[string]string{m.Kind: m.Pattern}, nil
	case MatchLength:
		return map[string]int{m.Kind: m.N}, nil
	}
	return nil, fmt.Errorf("unknown matcher %q", m.Kind)
}

// UnmarshalYAML reads a reason, or true ("skip: true").
func (s *Skip) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Tag == "!!bool" && n.Value == "true":
		*s = "skip: true"
	case n.Tag == "!!bool":
		*s = ""
	default:
		*s = Skip(n.Value)
	}
	return nil
}

func (v *Value) UnmarshalYAML(n *yaml.Node) error {
	v.V, v.n = toJSON(n), n
	return nil
}

func (v Value) MarshalYAML() (any, error) {
	if v.n != nil {
		return v.n, nil
	}
	return valueNode(v.V)
}

// MarshalYAML writes a clock move on one line.
func (c *ClockMove) MarshalYAML() (any, error) {
	type plain ClockMove
	var n yaml.Node
	if err := n.Encode((*plain)(c)); err != nil {
		return nil, err
	}
	n.Style = yaml.FlowStyle
	return &n, nil
}
