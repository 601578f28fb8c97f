package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/replay"
	"github.com/partnersandbox/sandbox/scenarios"
	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

func init() {
	commands["replay"] = command{"run scenario files against a server and report (sandbox replay -h)",
		func(w io.Writer) {
			fmt.Fprintln(w, replayUsage)
			fs, _ := replayFlags()
			fs.SetOutput(w)
			fs.PrintDefaults()
		},
		func(args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			if code := replayCmd(ctx, args, os.Stdout, os.Stderr); code != 0 {
				return exitStatus(code)
			}
			return nil
		}}
}

const replayUsage = `usage: sandbox replay FILE|DIR… [--target URL] [--wait 30s] [--junit out.xml] [--reset] [--var name=value]…

Runs the steps of each scenario file (a directory: its *.yaml files) against the server
at --target, checks every answer against the step's expectations and against the
contracts, prints a line per step and exits 0 if every step passed, 1 if one failed
(an unmet expectation or a contract violation), 2 if a file could not be read or the
target could not be reached (JUnit "error"). Flags may come before or after the files.`

// varFlags collects repeated --var name=value.
type varFlags map[string]string

func (v varFlags) String() string { return "" }

func (v varFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	v[name] = value
	return nil
}

type replayOpts struct {
	target, junit string
	reset         bool
	timeout, wait time.Duration
	vars          varFlags
}

func replayFlags() (*flag.FlagSet, *replayOpts) {
	o := &replayOpts{vars: varFlags{}}
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", envOr("SANDBOX_TARGET", "http://127.0.0.1:8080"), "base URL of the server to replay against (env SANDBOX_TARGET)")
	fs.StringVar(&o.junit, "junit", "", "write the results as JUnit XML to this file")
	fs.BoolVar(&o.reset, "reset", false, "reset the files' tenants first, even where a file does not say reset: true")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long to wait for each answer")
	fs.DurationVar(&o.wait, "wait", 0, "wait up to this long for the target's GET /healthz to answer 200 first (a server still starting); 0: do not wait")
	fs.Var(o.vars, "var", "a value for ${name}, as name=value (repeatable); wins over the file's vars")
	return fs, o
}

// replayCmd is `sandbox replay`; it returns the exit code.
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, paths, code := replayArgs(args, stdout, stderr)
	if paths == nil {
		return code
	}
	files, problems := loadScenarios(paths, catalogue())
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "sandbox replay: nothing was run, the files have problems:\n%s\n", strings.Join(problems, "\n"))
		return 2
	}
	results := replay.Run(ctx, files, replay.Options{
		Target: o.target, Reset: o.reset, Vars: o.vars, Out: stdout, Wait: o.wait,
		Client: &http.Client{Timeout: o.timeout},
	})
	if o.junit != "" {
		if err := writeJUnit(o.junit, results); err != nil {
			fmt.Fprintf(stderr, "sandbox replay: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "JUnit XML written to %s\n", o.junit)
	}
	return replay.ExitCode(results)
}

// replayArgs parses flags and files in any order (parse, take one file, parse the rest).
// No paths: the command is done, with code (help, or a usage error).
func replayArgs(args []string, stdout, stderr io.Writer) (*replayOpts, []string, int) {
	fs, o := replayFlags()
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				commands["replay"].usage(stdout)
				return nil, nil, 0
			}
			fmt.Fprintf(stderr, "sandbox: replay: %v\n\n", err)
			commands["replay"].usage(stderr)
			return nil, nil, 2
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) == 0 {
		fmt.Fprintf(stderr, "sandbox: replay: give at least one scenario file\n\n")
		commands["replay"].usage(stderr)
		return nil, nil, 2
	}
	return o, paths, 0
}

// loadScenarios parses the files and directories given, reporting every problem.
func loadScenarios(paths []string, cat *scenarios.Catalogue) ([]*scenariofile.File, []string) {
	var files []*scenariofile.File
	var problems []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		var got []*scenariofile.File
		switch {
		case err != nil:
		case fi.IsDir():
			got, err = scenariofile.LoadDir(p, cat)
			if err == nil && len(got) == 0 {
				err = fmt.Errorf("%s: no *.yaml scenario files", p)
			}
		default:
			var f *scenariofile.File
			if f, err = scenariofile.ParseFile(p, cat); err == nil {
				got = []*scenariofile.File{f}
			}
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		files = append(files, got...)
	}
	return files, problems
}

func writeJUnit(path string, results []*replay.FileResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := replay.WriteJUnit(f, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
