package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/partnersandbox/sandbox/internal/dcms"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/internal/profile"
	"github.com/partnersandbox/sandbox/scenarios"
)

func init() {
	commands["scenarios"] = struct {
		summary string
		run     func(args []string) error
	}{"print the catalogue of named outcomes (X-Sandbox-Scenario values and magic values)", func(args []string) error {
		return printScenarios(args, os.Stdout)
	}}
}

// catalogue is every API's scenario catalogue, as the server builds it.
func catalogue() *scenarios.Catalogue {
	cat := scenarios.NewCatalogue()
	for _, ops := range [][]scenarios.Operation{dcms.Catalogue(), dmt.Catalogue(), profile.Catalogue()} {
		for _, op := range ops {
			cat.Add(op)
		}
	}
	return cat
}

// printScenarios prints the catalogue as a table: one row per outcome, the operation on
// the first row of its outcomes.
func printScenarios(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	fs.SetOutput(out)
	api := fs.String("api", "", "only this API: dcms, dmt or profile")
	opID := fs.String("operation", "", "only this operationId")
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: sandbox scenarios [--api dcms|dmt|profile] [--operation operationId]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("scenarios: unexpected argument %q", fs.Arg(0))
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tOPERATION\tOUTCOME\tSTATUS\tCODE\tMAGIC VALUES")
	n := 0
	for _, op := range catalogue().Operations() {
		if (*api != "" && op.API != *api) || (*opID != "" && op.ID != *opID) {
			continue
		}
		n++
		for i, o := range op.Outcomes {
			a, id := "", ""
			if i == 0 {
				a, id = op.API, op.ID
			}
			magic := make([]string, len(o.Magic))
			for j, m := range o.Magic {
				magic[j] = m.Field + "=" + m.Value
			}
			code := o.Code
			if code == "" {
				code = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", a, id, o.Name, o.Status, code, strings.Join(magic, ", "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("scenarios: no operation matches --api %q --operation %q", *api, *opID)
	}
	fmt.Fprintf(out, "\n%d operations. Force an outcome with the header X-Sandbox-Scenario: <OUTCOME>, or send a magic value.\n", n)
	return nil
}
