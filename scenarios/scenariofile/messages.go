package scenariofile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// problem says, in the format's words, what is wrong at loc (at: the node to point at; nil:
// use the generic message).
type problem func(t *translator, loc []string, k jsonschema.ErrorKind) (at *yaml.Node, msg string)

// messages are keyed by schema location and keyword (of schema.json).
var messages = map[string]problem{
	"/anyOf": fixed("the file has no steps, rules or fixtures: it would do nothing"),
	"/$defs/clockStep/additionalProperties": func(t *translator, loc []string, k jsonschema.ErrorKind) (*yaml.Node, string) {
		p := firstProperty(k)
		key, _ := t.node(append(slices.Clone(loc), p))
		return key, fmt.Sprintf("%s: %q belongs to a request; this step is a clock move", path(loc), p)
	},
	"/$defs/clockStep/required": fixed("a step needs either path (a request) or clock (a clock move)"),
	"/$defs/requestStep/additionalProperties": func(t *translator, loc []string, k jsonschema.ErrorKind) (*yaml.Node, string) {
		if firstProperty(k) != "clock" {
			return nil, ""
		}
		key, _ := t.node(append(slices.Clone(loc), "clock"))
		return key, path(loc) + ": a step is either a request (path) or a clock move (clock), not both"
	},
	"/$defs/requestStep/not":                                            atKey("raw", "give body (JSON written as YAML) or raw (a body sent as it is), not both"),
	"/$defs/requestStep/properties/method/enum":                         got("%q is not an HTTP method; valid: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
	"/$defs/requestStep/properties/path/pattern":                        requestPath,
	"/$defs/requestStep/properties/save/additionalProperties/type":      fixed("want the dotted path of a response field, e.g. result.submissionId"),
	"/$defs/requestStep/properties/save/additionalProperties/minLength": fixed("want the dotted path of a response field, e.g. result.submissionId"),
	"/$defs/duration/pattern":                                           got("%q is not a positive Go duration such as 90s, 15m or 72h"),
	"/properties/vars/propertyNames/propertyNames":                      variableName,
	"/$defs/requestStep/properties/save/propertyNames/propertyNames":    variableName,
	"/$defs/clockStep/properties/clock/oneOf":                           fixed("give exactly one of advance (a Go duration such as 72h), set (an RFC 3339 time) or reset: true"),
	"/$defs/clockStep/properties/clock/properties/set/format":           got("%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z"),
	"/$defs/clockStep/properties/clock/properties/reset/const":          fixed("only reset: true means something"),
	"/$defs/expect/properties/status/minimum":                           got("%s is not an HTTP status"),
	"/$defs/expect/properties/status/maximum":                           got("%s is not an HTTP status"),
	"/$defs/matcher/oneOf":                                              fixed("a mapping here must be one matcher (equals, present, absent, regex, length); to expect an object, write equals: {…}"),
	"/$defs/matcher/oneOf/2/properties/present/const":                   fixed("write present: true"),
	"/$defs/matcher/oneOf/3/properties/absent/const":                    fixed("write absent: true"),
	"/$defs/matcher/oneOf/5/properties/length/minimum":                  fixed("want a whole number of 0 or more"),
	"/$defs/fixture/properties/api/enum":                                got("%q is not an API of the sandbox; valid: " + strings.Join(APIs, ", ")),
	"/$defs/rule/properties/fault/enum":                                 got("unknown fault %q; valid: connection-reset, timeout, http-500, http-503"),
	"/$defs/rule/anyOf":                                                 fixed("a rule needs outcome, fault or delay"),
	"/$defs/rule/not":                                                   atKey("fault", "give outcome or fault, not both"),
	"/$defs/skip/oneOf":                                                 fixed("want a reason (text) or true"),
	"/$defs/requestStep/properties/headers/additionalProperties/type":   fixed("want a text value"),
}

// fixed is a message about the value at loc.
func fixed(msg string) problem {
	return func(t *translator, loc []string, _ jsonschema.ErrorKind) (*yaml.Node, string) {
		if len(loc) == 0 {
			return t.value(loc), msg
		}
		return t.value(loc), path(loc) + ": " + msg
	}
}

// got is a message quoting the value at loc.
func got(format string) problem {
	return func(t *translator, loc []string, _ jsonschema.ErrorKind) (*yaml.Node, string) {
		n := t.value(loc)
		return n, path(loc) + ": " + fmt.Sprintf(format, n.Value)
	}
}

// atKey is a message pointing at one key of the mapping at loc.
func atKey(key, msg string) problem {
	return func(t *translator, loc []string, _ jsonschema.ErrorKind) (*yaml.Node, string) {
		k, _ := t.node(append(slices.Clone(loc), key))
		return k, path(loc) + ": " + msg
	}
}

func requestPath(t *translator, loc []string, _ jsonschema.ErrorKind) (*yaml.Node, string) {
	n := t.value(loc)
	if strings.Contains(n.Value, "?") {
		return n, path(loc) + ": put the query string in query:, not in the path"
	}
	return n, fmt.Sprintf("%s: %q must start with /", path(loc), n.Value)
}

func firstProperty(k jsonschema.ErrorKind) string {
	if ap, ok := k.(*kind.AdditionalProperties); ok && len(ap.Properties) > 0 {
		return ap.Properties[0]
	}
	return ""
}

// variableName points at a key that is not a variable name. The library's location of
// this error is not reliable (v6.0.3 reuses its slice), so the key is looked for.
func variableName(t *translator, _ []string, k jsonschema.ErrorKind) (*yaml.Node, string) {
	name := k.(*kind.PropertyNames).Property
	key, loc := findKey(t.root, name, nil)
	if key == nil {
		key = t.root
	}
	return key, fmt.Sprintf("%s: %q is not a variable name (letters, digits, _ and -, starting with a letter)", path(loc), name)
}

// findKey is the first mapping key named name under n, with the location of its mapping.
func findKey(n *yaml.Node, name string, loc []string) (*yaml.Node, []string) {
	n = deref(n)
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			if c.Value == name {
				return c, loc
			}
			continue
		}
		step := fmt.Sprint(i)
		if n.Kind == yaml.MappingNode {
			step = n.Content[i-1].Value
		}
		if k, l := findKey(c, name, append(slices.Clone(loc), step)); k != nil {
			return k, l
		}
	}
	return nil, nil
}
