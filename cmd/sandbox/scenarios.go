package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/partnersandbox/sandbox/internal/dcms"
	"github.com/partnersandbox/sandbox/internal/dmt"
	"github.com/partnersandbox/sandbox/internal/profile"
	"github.com/partnersandbox/sandbox/openapi"
	"github.com/partnersandbox/sandbox/scenarios"
)

func init() {
	commands["scenarios"] = command{"print the catalogue of named outcomes (X-Sandbox-Scenario values and magic values)",
		func(w io.Writer) {
			printFlags(w, "usage: sandbox scenarios [--api dcms|dmt|profile] [--operation operationId]", scenariosFlags(new(string), new(string)))
		},
		func(args []string) error { return printScenarios(args, os.Stdout) }}
}

func scenariosFlags(api, opID *string) *flag.FlagSet {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	fs.StringVar(api, "api", "", "only this API: dcms, dmt or profile")
	fs.StringVar(opID, "operation", "", "only this operationId")
	return fs
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
	var api, opID string
	if err := parseFlags("scenarios", scenariosFlags(&api, &opID), args, out); err != nil {
		return err
	}
	if api != "" && !slices.Contains(openapi.Partners, api) {
		return usageErrorf("scenarios", "--api %q: want one of %s", api, strings.Join(openapi.Partners, ", "))
	}
	// Choose first, print after: an error comes alone, not under a table header.
	var ops []*scenarios.Operation
	for _, op := range catalogue().Operations() {
		if (api == "" || op.API == api) && (opID == "" || op.ID == opID) {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return fmt.Errorf("scenarios: no operation matches --api %q --operation %q", api, opID)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tOPERATION\tOUTCOME\tSTATUS\tCODE\tMAGIC VALUES")
	for _, op := range ops {
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
	fmt.Fprintf(out, "\n%d operations. Force an outcome with the header X-Sandbox-Scenario: <OUTCOME>, or send a magic value.\n", len(ops))
	return nil
}
