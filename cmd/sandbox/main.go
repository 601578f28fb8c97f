// Command sandbox serves the partner sandbox: the DCMS, DMT and profile APIs and the admin
// API on one address. `sandbox help` lists the other subcommands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	os.Exit(exit(run(os.Args[1:]), os.Stderr))
}

// command is a subcommand of sandbox.
type command struct {
	summary string
	usage   func(w io.Writer) // the command's help: synopsis and flags
	run     func(args []string) error
}

// commands are filled by each command's init.
var commands = map[string]command{}

func init() {
	commands["help"] = command{"show the help of sandbox or of one command", func(w io.Writer) {
		fmt.Fprintln(w, "usage: sandbox help [COMMAND]")
	}, help}
}

// run runs the command line's command; flags alone (or nothing) mean serve.
func run(args []string) error {
	if len(args) == 0 {
		return serve(nil)
	}
	switch name := args[0]; {
	case name == "-h" || name == "-help" || name == "--help":
		usage(os.Stdout)
		return nil
	case name == "-version" || name == "--version":
		return commands["version"].run(args[1:])
	case strings.HasPrefix(name, "-"):
		return serve(args)
	}
	c, ok := commands[args[0]]
	if !ok {
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0])}
	}
	return c.run(args[1:])
}

func help(args []string) error {
	switch len(args) {
	case 0:
		usage(os.Stdout)
		return nil
	case 1:
		c, ok := commands[args[0]]
		if !ok {
			return &usageError{msg: fmt.Sprintf("help: unknown command %q", args[0])}
		}
		c.usage(os.Stdout)
		return nil
	default:
		return &usageError{cmd: "help", msg: fmt.Sprintf("help: unexpected argument %q", args[1])}
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sandbox [serve] [flags]    serve the sandbox (sandbox help serve for the flags)")
	fmt.Fprintln(w, "       sandbox COMMAND [flags]")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "       sandbox %-16s %s\n", name, commands[name].summary)
	}
}

// usageError is a command line a command cannot run: it prints the message and the
// command's usage (sandbox's for no command) to stderr and exits 2, having done nothing.
type usageError struct {
	cmd string
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: cmd + ": " + fmt.Sprintf(format, args...)}
}

// badConfig is a bad value from the environment or a config file: exit 2 with the message.
type badConfig struct{ err error }

func (e *badConfig) Error() string { return e.err.Error() }

// exitStatus ends sandbox with this status; the command has said why.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// exit prints what the user needs of err and returns the exit status.
func exit(err error, stderr io.Writer) int {
	var ue *usageError
	var bc *badConfig
	var st exitStatus
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &st):
		return int(st)
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sandbox: %s\n\n", ue.msg)
		if c, ok := commands[ue.cmd]; ok {
			c.usage(stderr)
		} else {
			usage(stderr)
		}
		return 2
	case errors.As(err, &bc):
		fmt.Fprintln(stderr, "sandbox:", bc.err)
		return 2
	default:
		fmt.Fprintln(stderr, "sandbox:", err)
		return 1
	}
}

// parseFlags parses a command's flags: -h prints its usage to out (flag.ErrHelp), a bad
// flag or a stray argument is a usage error.
func parseFlags(cmd string, fs *flag.FlagSet, args []string, out io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commands[cmd].usage(out)
			return err
		}
		return usageErrorf(cmd, "%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// printFlags writes a command's synopsis and its flags.
func printFlags(w io.Writer, synopsis string, fs *flag.FlagSet) {
	fmt.Fprintln(w, synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
