package server

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Fields turns a kin-openapi validation error into one clear line per offending field,
// e.g. `entityId: value is required` or `kitInfo[0].cardType: must be one of PHYSICAL, VIRTUAL`.
func Fields(err error) []string {
	var out []string
	var walk func(error, string)
	walk = func(err error, prefix string) {
		// Match the error itself, not what it wraps: a RequestError wraps the MultiError of
		// its schema errors, and its parameter name must prefix theirs.
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, sub := range e {
				walk(sub, prefix)
			}
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				prefix = fmt.Sprintf("%s %s", e.Parameter.In, e.Parameter.Name)
			case e.RequestBody != nil && prefix == "":
				prefix = "body"
			}
			if e.Err != nil {
				walk(e.Err, prefix)
			} else {
				out = append(out, join(prefix, describeReason(e.Reason)))
			}
		case *openapi3.SchemaError:
			out = append(out, describeSchemaError(e, prefix))
		case *openapi3filter.ParseError:
			out = append(out, join(prefix, "malformed: "+e.RootCause().Error()))
		default:
			if inner := errors.Unwrap(err); inner != nil {
				walk(inner, prefix)
				return
			}
			out = append(out, join(prefix, describeReason(err.Error())))
		}
	}
	walk(err, "")
	sort.Strings(out)
	return capFields(compact(out))
}

// MaxFields is the most field lines an error lists; the rest are counted in one more line.
const MaxFields = 20

// maxFieldLine is the most bytes of one field line.
const maxFieldLine = 300

// capFields bounds an error's text: at most MaxFields lines, each of at most maxFieldLine bytes.
func capFields(lines []string) []string {
	for i, l := range lines {
		if len(l) > maxFieldLine {
			end := maxFieldLine
			for end > 0 && !utf8.RuneStart(l[end]) {
				end--
			}
			lines[i] = l[:end] + "..."
		}
	}
	if len(lines) > MaxFields {
		more := len(lines) - MaxFields
		lines = append(lines[:MaxFields], fmt.Sprintf("... and %d more", more))
	}
	return lines
}

// describeReason makes kin-openapi's wording of a few common mistakes friendlier.
func describeReason(reason string) string {
	if strings.HasPrefix(reason, "header Content-Type has unexpected value") {
		return "Content-Type must be application/json (" + strings.TrimPrefix(reason, "header ") +
			"; curl -d sends application/x-www-form-urlencoded unless you add -H 'Content-Type: application/json')"
	}
	return reason
}

func describeSchemaError(e *openapi3.SchemaError, prefix string) string {
	ptr := e.JSONPointer()
	path := fieldPath(ptr)
	reason := e.Reason
	switch e.SchemaField {
	case "required":
		// kin-openapi points at the missing property and says `property "x" is missing`.
		reason = "is required"
	case "enum":
		vals := make([]string, len(e.Schema.Enum))
		for i, v := range e.Schema.Enum {
			vals[i] = fmt.Sprint(v)
		}
		reason = "must be one of " + strings.Join(vals, ", ")
	case "type":
		reason = "must be of type " + typeName(e.Schema)
	case "pattern":
		reason = fmt.Sprintf("must match the pattern %s", e.Schema.Pattern)
	}
	if path == "" {
		if prefix == "body" || prefix == "" {
			return join("body", reason)
		}
		return join(prefix, reason)
	}
	if prefix != "" && prefix != "body" {
		path = prefix + "." + path
	}
	return join(path, reason)
}

func typeName(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "any"
	}
	return strings.Join(*s.Type, " or ")
}

// fieldPath renders a JSON pointer as kitInfo[0].cardType.
func fieldPath(ptr []string) string {
	var b strings.Builder
	for _, p := range ptr {
		if p == "" {
			continue
		}
		if isIndex(p) {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func isIndex(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func join(field, reason string) string {
	if field == "" {
		return reason
	}
	return field + ": " + reason
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
