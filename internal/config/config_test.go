package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type settings struct {
	seed    uint64
	otp     string
	auth    bool
	timeout time.Duration
	clients []string
	config  string
}

func flags() (*flag.FlagSet, *settings) {
	s := &settings{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Uint64Var(&s.seed, "seed", 0, "fixture seed")
	fs.StringVar(&s.otp, "dmt-otp", "123456", "the OTP")
	fs.BoolVar(&s.auth, "dcms-require-auth", false, "require tokens")
	fs.DurationVar(&s.timeout, "profile-webhook-timeout", 5*time.Second, "webhook timeout")
	fs.Func("dmt-client", "an extra client, id:secret (repeatable)", func(v string) error {
		if !strings.Contains(v, ":") {
			return errors.New("want id:secret")
		}
		s.clients = append(s.clients, v)
		return nil
	})
	fs.StringVar(&s.config, "config", "", "YAML file")
	return fs, s
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sandbox.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func parse(t *testing.T, args []string, vars map[string]string, opt Options) (*settings, error) {
	t.Helper()
	fs, s := flags()
	opt.FileFlag, opt.LookupEnv = "config", env(vars)
	return s, Parse(fs, args, opt)
}

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{"seed": "SANDBOX_SEED", "dmt-otp": "SANDBOX_DMT_OTP", "dmt-client": "SANDBOX_DMT_CLIENT", "dcms-require-auth-tenant": "SANDBOX_DCMS_REQUIRE_AUTH_TENANT"} {
		if got := EnvName(flag); got != want {
			t.Errorf("EnvName(%s) = %s, want %s", flag, got, want)
		}
	}
}

func TestEverySourceSetsEveryKindOfFlag(t *testing.T) {
	file := writeFile(t, `
seed: 7
dmt-otp: "000111"
dcms-require-auth: true
profile-webhook-timeout: 2s
dmt-client: [a:1, "b:2"]
`)
	want := settings{seed: 7, otp: "000111", auth: true, timeout: 2 * time.Second, clients: []string{"a:1", "b:2"}}
	fromFlags := []string{"--seed", "7", "--dmt-otp", "000111", "--dcms-require-auth", "--profile-webhook-timeout", "2s", "--dmt-client", "a:1", "--dmt-client", "b:2"}
	fromEnv := map[string]string{"SANDBOX_SEED": "7", "SANDBOX_DMT_OTP": "000111", "SANDBOX_DCMS_REQUIRE_AUTH": "true",
		"SANDBOX_PROFILE_WEBHOOK_TIMEOUT": "2s", "SANDBOX_DMT_CLIENT": "a:1, b:2"}
	for name, c := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"flags":              {fromFlags, nil},
		"environment":        {nil, fromEnv},
		"file (flag)":        {[]string{"--config", file}, nil},
		"file (environment)": {nil, map[string]string{"SANDBOX_CONFIG": file}},
	} {
		s, err := parse(t, c.args, c.env, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.config = ""
		if !equal(*s, want) {
			t.Errorf("%s: got %+v, want %+v", name, *s, want)
		}
	}
}

func equal(a, b settings) bool {
	return a.seed == b.seed && a.otp == b.otp && a.auth == b.auth && a.timeout == b.timeout && strings.Join(a.clients, " ") == strings.Join(b.clients, " ")
}

func TestPrecedenceIsFlagThenEnvironmentThenFileThenDefault(t *testing.T) {
	file := writeFile(t, "seed: 3\ndmt-otp: '333333'\ndmt-client: [file:1]\nprofile-webhook-timeout: 3s\n")
	s, err := parse(t, []string{"--config", file, "--seed", "1", "--dmt-client", "flag:1"},
		map[string]string{"SANDBOX_SEED": "2", "SANDBOX_DMT_OTP": "222222", "SANDBOX_DMT_CLIENT": "env:1,env:2", "SANDBOX_DCMS_REQUIRE_AUTH": ""}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.seed != 1 || s.otp != "222222" || s.timeout != 3*time.Second || s.auth || strings.Join(s.clients, " ") != "flag:1" {
		t.Fatalf("got %+v: want seed from the flag, OTP from the environment, timeout from the file, auth by default (an empty variable is unset), clients from the flag only", *s)
	}
}

func TestBadValuesNameTheFlagTheSourceAndWhatIsValid(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		env  map[string]string
		file string
		want []string
	}{
		"flag":                   {args: []string{"--seed", "abc"}, want: []string{`invalid value "abc" for flag -seed`, "want a whole number, 0 or more"}},
		"flag duration":          {args: []string{"--profile-webhook-timeout", "soon"}, want: []string{"-profile-webhook-timeout", "want a duration such as"}},
		"environment":            {env: map[string]string{"SANDBOX_SEED": "-1"}, want: []string{`environment SANDBOX_SEED="-1"`, "--seed", "want a whole number, 0 or more"}},
		"environment bool":       {env: map[string]string{"SANDBOX_DCMS_REQUIRE_AUTH": "yes please"}, want: []string{"SANDBOX_DCMS_REQUIRE_AUTH", "--dcms-require-auth", "want true or false"}},
		"environment repeatable": {env: map[string]string{"SANDBOX_DMT_CLIENT": "a:1,nocolon"}, want: []string{"SANDBOX_DMT_CLIENT", "--dmt-client", "want id:secret"}},
		"file":                   {file: "\n\nseed: many\n", want: []string{"config file", "sandbox.yaml:3: seed", `invalid value "many" for --seed`, "want a whole number, 0 or more"}},
		"file unknown key":       {file: "sede: 1\n", want: []string{"sandbox.yaml:1: sede: no such flag"}},
		"file list for a scalar": {file: "seed: [1, 2]\n", want: []string{"seed: --seed takes one value, not a list"}},
		"file no value":          {file: "dmt-otp:\n", want: []string{"dmt-otp: no value"}},
		"file not a map":         {file: "- seed\n", want: []string{"want a map of flag names"}},
		"file names a file":      {file: "config: other.yaml\n", want: []string{"cannot name another"}},
		"file missing":           {args: []string{"--config", "/nonexistent/sandbox.yaml"}, want: []string{"config file", "/nonexistent/sandbox.yaml"}},
		"stray argument":         {args: []string{"--seed", "1", "serve"}, want: []string{`unexpected argument "serve"`}},
	} {
		args := c.args
		if c.file != "" {
			args = append(args, "--config", writeFile(t, c.file))
		}
		_, err := parse(t, args, c.env, Options{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", name, err, w)
			}
		}
	}
}

func TestHelpAndEmptyFile(t *testing.T) {
	if _, err := parse(t, []string{"-h"}, nil, Options{}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	s, err := parse(t, []string{"--config", writeFile(t, "# nothing yet\n")}, nil, Options{})
	if err != nil || s.seed != 0 || s.otp != "123456" {
		t.Errorf("empty file: %+v %v", s, err)
	}
}

// A section is a key of the file that is not a flag (the hosted sandbox's tenants).
func TestSections(t *testing.T) {
	file := writeFile(t, "seed: 4\ntenants:\n  - name: acme\n")
	var names []string
	s, err := parse(t, []string{"--config", file}, nil, Options{Sections: map[string]func(*yaml.Node) error{
		"tenants": func(n *yaml.Node) error {
			var ts []struct{ Name string }
			if err := n.Decode(&ts); err != nil {
				return err
			}
			for _, t := range ts {
				names = append(names, t.Name)
			}
			return nil
		},
	}})
	if err != nil || s.seed != 4 || strings.Join(names, ",") != "acme" {
		t.Fatalf("seed %d, tenants %v, err %v", s.seed, names, err)
	}
	if _, err := parse(t, []string{"--config", file}, nil, Options{}); err == nil || !strings.Contains(err.Error(), "tenants: no such flag") {
		t.Fatalf("without the section: %v", err)
	}
}

func TestUsageAndTableShowEveryVariable(t *testing.T) {
	fs, _ := flags()
	if err := Parse(fs, nil, Options{LookupEnv: env(nil)}); err != nil { // wraps the values
		t.Fatal(err)
	}
	var b strings.Builder
	PrintFlags(&b, fs)
	table := Table(fs)
	for _, want := range []string{"--seed uint", "env SANDBOX_SEED", "env SANDBOX_DMT_CLIENT (comma-separated)", "--profile-webhook-timeout duration", "(default 5s)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("usage has no %q:\n%s", want, b.String())
		}
	}
	for _, want := range []string{"| `SANDBOX_DMT_OTP` | `--dmt-otp` | `123456` | the OTP |", "| `SANDBOX_DMT_CLIENT` (comma-separated) | `--dmt-client` | — |"} {
		if !strings.Contains(table, want) {
			t.Errorf("table has no %q:\n%s", want, table)
		}
	}
}
