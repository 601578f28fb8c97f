package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// assess checks a step's answer: its expectations, the fields it saves, and the contract
// (a violation is a failure of its own kind).
func (fr *fileRun) assess(r *StepResult, s *scenariofile.Step, req *http.Request, resp *http.Response, body []byte) {
	r.Status = resp.StatusCode
	r.Failures = append(r.Failures, fr.check(s, resp, body)...)
	r.Failures = append(r.Failures, fr.save(s, body)...)
	if err := contracttest.Validate(req, resp.StatusCode, resp.Header, body); err != nil {
		r.Contract = append(r.Contract, err.Error())
	}
	if !r.Passed() {
		r.Response = snippet(body)
	}
}

// check compares the answer with the step's expectations.
func (fr *fileRun) check(s *scenariofile.Step, resp *http.Response, body []byte) []string {
	var fails []string
	e := s.Expect
	if e.Status != 0 && resp.StatusCode != e.Status {
		fails = append(fails, fmt.Sprintf("status: expected %d, got %d", e.Status, resp.StatusCode))
	}
	if len(e.Body) > 0 {
		doc, err := decodeJSON(body)
		if err != nil {
			fails = append(fails, fmt.Sprintf("body: expected JSON, got %q (%s)", resp.Header.Get("Content-Type"), err))
		} else {
			for _, c := range e.Body {
				v, found := lookupBody(doc, c.Path)
				if msg := fr.match(c.Match, v, found); msg != "" {
					fails = append(fails, "body "+c.Path+": "+msg)
				}
			}
		}
	}
	for _, c := range e.Headers {
		vals, found := resp.Header[http.CanonicalHeaderKey(c.Path)]
		var v any
		if found {
			v = strings.Join(vals, ", ")
		}
		if msg := fr.match(c.Match, v, found); msg != "" {
			fails = append(fails, "header "+c.Path+": "+msg)
		}
	}
	return fails
}

func lookupBody(doc any, path string) (any, bool) {
	if path == "$" {
		return doc, true
	}
	return scenarios.Lookup(doc, path)
}

// match says what is wrong ("" : nothing) with a value (found: it exists).
func (fr *fileRun) match(m scenariofile.Matcher, v any, found bool) string {
	missing := found && v == nil // JSON null counts as absent
	switch m.Kind {
	case scenariofile.MatchPresent:
		if !found || missing {
			return "expected to be present, got " + show(v, found)
		}
	case scenariofile.MatchAbsent:
		if found && !missing {
			return "expected to be absent, got " + show(v, found)
		}
	case scenariofile.MatchRegex:
		if !found || missing || !m.Re.MatchString(text(v)) {
			return fmt.Sprintf("expected to match /%s/, got %s", m.Re, show(v, found))
		}
	case scenariofile.MatchLength:
		n := -1
		switch t := v.(type) {
		case []any:
			n = len(t)
		case map[string]any:
			n = len(t)
		case string:
			n = len([]rune(t))
		}
		if n != m.N {
			return fmt.Sprintf("expected length %d, got %s", m.N, show(v, found))
		}
	case scenariofile.MatchEquals:
		want, err := fr.expandValue(m.Value)
		if err != nil {
			return err.Error()
		}
		if !found || !equal(want, v) {
			if w, g := kind(want), kind(v); found && w != g {
				return fmt.Sprintf("expected %s (%s), got %s (%s)", show(want, true), w, show(v, found), g)
			}
			return fmt.Sprintf("expected %s, got %s", show(want, true), show(v, found))
		}
	}
	return ""
}

// decodeJSON decodes an answer keeping numbers as json.Number, so they compare as numbers.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	err := dec.Decode(&doc)
	return doc, err
}

// equal compares an expected value with a JSON one, typed: a number equals a number of the
// same value (2 and 2.0), a string the same string, and never each other ("0" is not 0);
// lists and objects compare element by element.
func equal(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if gv, ok := g[k]; !ok || !equal(v, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !equal(w[i], g[i]) {
				return false
			}
		}
		return true
	case json.Number, float64, int:
		a, ok1 := number(w)
		b, ok2 := number(got)
		return ok1 && ok2 && a.Cmp(b) == 0
	}
	return reflect.DeepEqual(want, got) // strings, booleans, null
}

// kind names a JSON value's type, for messages.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64, int:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	case []any:
		return "a list"
	}
	return "an object"
}

// number reads a JSON number exactly.
func number(v any) (*big.Float, bool) {
	var text string
	switch n := v.(type) {
	case json.Number:
		text = n.String()
	case float64:
		text = strconv.FormatFloat(n, 'g', -1, 64)
	case int:
		text = strconv.Itoa(n)
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(text, 10, 256, big.ToNearestEven)
	return f, err == nil
}

// text renders a value as matchers compare it.
func text(v any) string {
	switch t := v.(type) {
	case json.Number:
		return t.String()
	case string, nil, float64, bool:
		return scenarios.Scalar(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func show(v any, found bool) string {
	if !found {
		return "nothing (the field is not there)"
	}
	s := text(v)
	if _, ok := v.(string); ok {
		s = fmt.Sprintf("%q", s)
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// save captures response fields into variables.
func (fr *fileRun) save(s *scenariofile.Step, body []byte) []string {
	if len(s.Save) == 0 {
		return nil
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return []string{"save: the answer is not JSON, nothing to save"}
	}
	var fails []string
	for _, sv := range s.Save {
		v, ok := lookupBody(doc, sv.Path)
		if !ok || v == nil {
			fails = append(fails, fmt.Sprintf("save %s: %s is not in the answer", sv.Var, sv.Path))
			continue
		}
		fr.vars[sv.Var] = v
	}
	return fails
}
