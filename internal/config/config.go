// Package config sets a command's flags from three sources, in this order of precedence:
// the command line, the environment (SANDBOX_ + the flag name in upper snake case) and a
// YAML file whose keys are the flag names. A flag one source sets is not set again by a
// lower one; a flag no source sets keeps its default.
//
// A repeatable flag (its usage says "(repeatable") takes a comma-separated list from the
// environment, and a list (or a comma-separated string) from the file. Every bad value is
// reported with the flag, the source and what the flag accepts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts the name of every variable the sandbox reads.
const EnvPrefix = "SANDBOX_"

// EnvName is the environment variable of a flag: dmt-client → SANDBOX_DMT_CLIENT.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Repeatable says whether a flag takes several values.
func Repeatable(f *flag.Flag) bool { return strings.Contains(f.Usage, "(repeatable") }

// Options say where Parse looks besides the command line.
type Options struct {
	// FileFlag names the flag (settable by flag or environment) that names the YAML file.
	FileFlag string
	// Sections are top-level keys of the file that are not flags, each read by its own
	// function (the hosted sandbox's tenants, for one).
	Sections map[string]func(*yaml.Node) error
	// LookupEnv reads the environment; os.LookupEnv when nil.
	LookupEnv func(string) (string, bool)
}

// Parse sets fs's flags from args, then the environment, then the file. Every flag's value
// is wrapped first so a bad one says what is valid, whichever source it came from. Errors
// from the command line are fs.Parse's (flag.ErrHelp for -h); stray arguments are errors.
func Parse(fs *flag.FlagSet, args []string, opt Options) error {
	if opt.LookupEnv == nil {
		opt.LookupEnv = os.LookupEnv
	}
	fs.VisitAll(func(f *flag.Flag) { f.Value = describe(f.Value) })
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || set[f.Name] {
			return
		}
		key := EnvName(f.Name)
		v, ok := opt.LookupEnv(key)
		if !ok || v == "" {
			return
		}
		for _, one := range values(f, v) {
			if e := f.Value.Set(one); e != nil {
				err = &SourceError{fmt.Errorf("environment %s=%q: invalid value for --%s: %v", key, v, f.Name, e)}
				return
			}
		}
		set[f.Name] = true
	})
	if err != nil {
		return err
	}

	if opt.FileFlag == "" {
		return nil
	}
	file := fs.Lookup(opt.FileFlag)
	if file == nil || file.Value.String() == "" {
		return nil
	}
	if err := parseFile(fs, file.Value.String(), set, opt); err != nil {
		return &SourceError{err}
	}
	return nil
}

// SourceError is a bad value from the environment or the file (not the command line).
type SourceError struct{ Err error }

func (e *SourceError) Error() string { return e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// values splits a repeatable flag's comma-separated list.
func values(f *flag.Flag, v string) []string {
	if !Repeatable(f) {
		return []string{v}
	}
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseFile(fs *flag.FlagSet, path string, set map[string]bool, opt Options) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if len(doc.Content) == 0 { // an empty file sets nothing
		return nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s: want a map of flag names to values (e.g. seed: 7)", path)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		name := k.Value
		where := fmt.Sprintf("config file %s:%d: %s", path, k.Line, name)
		if section, ok := opt.Sections[name]; ok {
			if err := section(v); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return fmt.Errorf("%s: no such flag (sandbox serve -h lists them; keys are flag names without --)", where)
		}
		if name == opt.FileFlag {
			return fmt.Errorf("%s: a config file cannot name another", where)
		}
		vals, err := nodeValues(f, v)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if set[name] {
			continue // the command line or the environment said otherwise
		}
		for _, one := range vals {
			if err := f.Value.Set(one); err != nil {
				return fmt.Errorf("%s: invalid value %q for --%s: %v", where, one, name, err)
			}
		}
	}
	return nil
}

// nodeValues are the values of a flag's YAML node: a scalar, or for a repeatable flag a list.
func nodeValues(f *flag.Flag, n *yaml.Node) ([]string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return nil, errors.New("no value")
	case n.Kind == yaml.ScalarNode:
		return values(f, n.Value), nil
	case n.Kind == yaml.SequenceNode && Repeatable(f):
		var out []string
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: want a value in the list", item.Line)
			}
			out = append(out, item.Value)
		}
		return out, nil
	case n.Kind == yaml.SequenceNode:
		return nil, fmt.Errorf("--%s takes one value, not a list", f.Name)
	default:
		return nil, errors.New("want a value, not a map")
	}
}

// describe wraps a flag value so its errors say what the flag accepts.
func describe(v flag.Value) flag.Value {
	if _, done := v.(described); done {
		return v
	}
	if b, ok := v.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return describedBool{described{v}}
	}
	return described{v}
}

type described struct{ flag.Value }

type describedBool struct{ described }

func (describedBool) IsBoolFlag() bool { return true }

func (d described) Set(s string) error {
	err := d.Value.Set(s)
	if err == nil {
		return nil
	}
	if want := accepts(d.Value); want != "" {
		return errors.New("want " + want)
	}
	return err
}

// Get passes the value's flag.Getter through.
func (d described) Get() any {
	if g, ok := d.Value.(flag.Getter); ok {
		return g.Get()
	}
	return d.Value.String()
}

// accepts says what a flag value of a standard kind accepts ("" for any other kind: its
// own errors say it).
func accepts(v flag.Value) string {
	if d, ok := v.(described); ok {
		v = d.Value
	} else if d, ok := v.(describedBool); ok {
		v = d.Value
	}
	g, ok := v.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case bool:
		return "true or false"
	case int, int64:
		return "a whole number"
	case uint, uint64:
		return "a whole number, 0 or more"
	case float64:
		return "a number"
	case time.Duration:
		return "a duration such as 250ms, 30s, 5m or 2h"
	}
	return ""
}

// unwrap is the flag's own value (Parse wraps it).
func unwrap(f *flag.Flag) *flag.Flag {
	cp := *f
	switch d := f.Value.(type) {
	case described:
		cp.Value = d.Value
	case describedBool:
		cp.Value = d.Value
	}
	return &cp
}

// PrintFlags writes each flag of fs, sorted, with its default and its environment variable.
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		f = unwrap(f)
		kind, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if kind != "" {
			head += " " + kind
		}
		fmt.Fprintln(w, head)
		fmt.Fprintf(w, "        %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		env := EnvName(f.Name)
		if Repeatable(f) {
			env += " (comma-separated)"
		}
		fmt.Fprintf(w, "\n        env %s\n", env)
	})
}

// Table is the Markdown table of fs's flags and their environment variables, for the README.
func Table(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("| environment variable | flag | default | what it sets |\n|---|---|---|---|\n")
	fs.VisitAll(func(f *flag.Flag) {
		f = unwrap(f)
		def := "—"
		if f.DefValue != "" && f.DefValue != "[]" {
			def = "`" + f.DefValue + "`"
		}
		usage := strings.NewReplacer("|", `\|`, "<", "&lt;").Replace(f.Usage)
		env := "`" + EnvName(f.Name) + "`"
		if Repeatable(f) {
			env += " (comma-separated)"
		}
		fmt.Fprintf(&b, "| %s | `--%s` | %s | %s |\n", env, f.Name, def, usage)
	})
	return b.String()
}
