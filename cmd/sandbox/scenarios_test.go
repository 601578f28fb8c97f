package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestScenariosCommand(t *testing.T) {
	var out bytes.Buffer
	if err := printScenarios(nil, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], "API") || !strings.Contains(lines[0], "OPERATION") || !strings.Contains(lines[0], "MAGIC VALUES") {
		t.Fatalf("header: %q", lines[0])
	}
	// Every outcome of the catalogue has its row; the operation is named on its first one.
	rows := 0
	for _, op := range catalogue().Operations() {
		rows += len(op.Outcomes)
		found := false
		for _, l := range lines {
			if f := strings.Fields(l); len(f) >= 3 && f[0] == op.API && f[1] == op.ID && f[2] == op.Outcomes[0].Name {
				found = true
			}
		}
		if !found {
			t.Errorf("no row opens %s %s", op.API, op.ID)
		}
	}
	if got := len(lines) - 4; got != rows { // header, blank, footer, final newline
		t.Errorf("%d rows for %d outcomes", got, rows)
	}
	// Each magic value shows on its outcome's row, with the status and code.
	magic := 0
	for _, op := range catalogue().Operations() {
		for _, o := range op.Outcomes {
			if len(o.Magic) == 0 {
				continue
			}
			magic++
			want := o.Magic[0].Field + "=" + o.Magic[0].Value
			ok := false
			for _, l := range lines {
				if strings.Contains(l, " "+o.Name+" ") && strings.Contains(l, want) && strings.Contains(l, " "+strconv.Itoa(o.Status)+" ") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s %s: no row shows %s with status %d", op.ID, o.Name, want, o.Status)
			}
		}
	}
	if magic == 0 {
		t.Error("the catalogue has no magic values to show")
	}

	out.Reset()
	if err := printScenarios([]string{"--api", "dmt", "--operation", "sendOtp"}, &out); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, "dcms") || !strings.Contains(s, "sendOtp") || !strings.Contains(s, "1 operations") {
		t.Errorf("filtered:\n%s", s)
	}
	if err := printScenarios([]string{"--api", "bank"}, &out); err == nil {
		t.Error("an unknown API printed nothing and no error")
	}
}
