// Command sandbox serves the partner sandbox: the DCMS, DMT and profile APIs and the admin
// API on one address. `sandbox help` lists the other subcommands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

// commands are the subcommands besides serving; each takes its own flags.
var commands = map[string]struct {
	summary string
	run     func(args []string) error
}{}

func run(args []string) error {
	if len(args) > 0 {
		switch name := args[0]; name {
		case "serve":
			return serve(args[1:])
		case "help", "-h", "--help":
			usage()
			return nil
		default:
			if c, ok := commands[name]; ok {
				return c.run(args[1:])
			}
		}
	}
	return serve(args)
}

func usage() {
	fmt.Println("usage: sandbox [serve] [flags]    serve the sandbox (sandbox serve -h for flags)")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("       sandbox %-16s %s\n", name, commands[name].summary)
	}
}
