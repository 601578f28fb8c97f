package scenariofile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/scenarios"
)

// TenantOf is the tenant the credentials use for api.
func (c Credentials) TenantOf(api string) string {
	switch api {
	case "dcms":
		return c.DCMS.Tenant
	case "dmt":
		return c.DMT.ClientID
	case "profile":
		return c.Profile.TenantID
	}
	return ""
}

// Decode turns the fixture's value into the typed record its API stores. kinds is api →
// kind → new value (snapshot.Kinds).
func (f Fixture) Decode(kinds map[string]store.Kinds) (any, error) {
	newValue, ok := kinds[f.API][f.Kind]
	if !ok {
		known := slices.Sorted(maps.Keys(kinds[f.API]))
		return nil, fmt.Errorf("%s: kind: %q is not a record kind of %s; known: %s", f.Pos, f.Kind, f.API, strings.Join(known, ", "))
	}
	v := newValue()
	dec := json.NewDecoder(bytes.NewReader(f.Value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("%s: value: not a %s %s: %v", f.Pos, f.API, f.Kind, err)
	}
	return v, nil
}

// Error is a problem in a scenario file at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Errors are every problem found in one or more files.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// LoadDir parses every *.yaml and *.yml file of dir (not its subdirectories), in name
// order, checking rules and scenarios against cat. It reports every problem of every file.
func LoadDir(dir string, cat *scenarios.Catalogue) ([]*File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*File
	var errs Errors
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		f, err := ParseFile(filepath.Join(dir, e.Name()), cat)
		if err != nil {
			errs = appendErr(errs, err)
			continue
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

// ParseFile reads and parses one scenario file.
func ParseFile(path string, cat *scenarios.Catalogue) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, cat)
}

func appendErr(errs Errors, err error) Errors {
	if list, ok := err.(Errors); ok {
		return append(errs, list...)
	}
	if e, ok := err.(*Error); ok {
		return append(errs, e)
	}
	return append(errs, &Error{Msg: err.Error()})
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into file:line form.
func yamlError(file string, err error) *Error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: file, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	return &Error{File: file, Line: line, Msg: "not valid YAML: " + m[2]}
}

// defaultTenant is the tenant of a fixture or rule that names none.
func defaultTenant(f *File, api string) string {
	if f.Tenant != "" {
		return f.Tenant
	}
	return f.Credentials.TenantOf(api)
}

func (c *ClockMove) String() string {
	of := ""
	if c.Tenant != "" {
		of = " of " + c.Tenant
	}
	switch {
	case c.Advance != "":
		return "clock" + of + " advance " + c.Advance
	case c.Set != "":
		return "clock" + of + " set " + c.Set
	}
	return "clock" + of + " reset"
}

// RunVar is the built-in variable ${run}: a value unique to each replay run, for ids that
// must not repeat on a server that is not reset.
const RunVar = "run"

var (
	varName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	varRef  = regexp.MustCompile(`\$\{([^}]*)\}`)
)

// Expand replaces each ${name} in s with lookup(name); ok is false (with the name) if a
// variable has no value.
func Expand(s string, lookup func(string) (string, bool)) (string, string, bool) {
	missing := ""
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := lookup(name)
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	return out, missing, missing == ""
}

// WholeVar is the variable name if s is exactly one ${name}.
func WholeVar(s string) (string, bool) {
	if m := varRef.FindStringSubmatch(s); m != nil && m[0] == s {
		return m[1], true
	}
	return "", false
}

// Tenants lists the tenants a replay with reset: true resets: the credentials' tenant of
// every API the file uses, the file's tenant, and the tenants of its fixtures, rules and
// steps (per-step tenants of an API), without repeats, in that order.
func (f *File) Tenants() []string {
	var out []string
	add := func(t string) {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	uses := map[string]bool{}
	for _, s := range f.Steps {
		uses[s.API] = true
	}
	for _, fx := range f.Fixtures {
		uses[fx.API] = true
	}
	for _, api := range APIs {
		if uses[api] {
			add(f.Credentials.TenantOf(api))
		}
	}
	add(f.Tenant)
	for _, fx := range f.Fixtures {
		add(fx.Tenant)
	}
	for _, r := range f.Rules {
		add(r.Tenant)
	}
	for _, s := range f.Steps {
		add(s.Tenant)
	}
	return out
}
