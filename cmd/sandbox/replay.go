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
)

func init() {
	commands["replay"] = struct {
		summary string
		run     func(args []string) error
	}{"run scenario files against a server and report (sandbox replay -h)", func(args []string) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if code := replayCmd(ctx, args, os.Stdout, os.Stderr); code != 0 {
			os.Exit(code)
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

// replayCmd is `sandbox replay`; it returns the exit code.
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", envOr("SANDBOX_TARGET", "http://127.0.0.1:8080"), "base URL of the server to replay against (env SANDBOX_TARGET)")
	junit := fs.String("junit", "", "write the results as JUnit XML to this file")
	reset := fs.Bool("reset", false, "reset the files' tenants first, even where a file does not say reset: true")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for each answer")
	wait := fs.Duration("wait", 0, "wait up to this long for the target's GET /healthz to answer 200 first (a server still starting); 0: do not wait")
	vars := varFlags{}
	fs.Var(vars, "var", "a value for ${name}, as name=value (repeatable); wins over the file's vars")
	fs.Usage = func() {
		fmt.Fprintln(stderr, replayUsage)
		fs.PrintDefaults()
	}
	// Flags and files in any order: parse, take one file, parse the rest.
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "sandbox replay: give at least one scenario file")
		fs.Usage()
		return 2
	}

	cat := catalogue()
	var files []*scenarios.File
	var problems []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		var got []*scenarios.File
		switch {
		case err != nil:
		case fi.IsDir():
			got, err = scenarios.LoadDir(p, cat)
			if err == nil && len(got) == 0 {
				err = fmt.Errorf("%s: no *.yaml scenario files", p)
			}
		default:
			var f *scenarios.File
			if f, err = scenarios.ParseFile(p, cat); err == nil {
				got = []*scenarios.File{f}
			}
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		files = append(files, got...)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "sandbox replay: nothing was run, the files have problems:\n%s\n", strings.Join(problems, "\n"))
		return 2
	}

	results := replay.Run(ctx, files, replay.Options{
		Target: *target, Reset: *reset, Vars: vars, Out: stdout, Wait: *wait,
		Client: &http.Client{Timeout: *timeout},
	})
	if *junit != "" {
		if err := writeJUnit(*junit, results); err != nil {
			fmt.Fprintf(stderr, "sandbox replay: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "JUnit XML written to %s\n", *junit)
	}
	return replay.ExitCode(results)
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
