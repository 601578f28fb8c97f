package replay

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

func (fr *fileRun) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fr.res.Warnings = append(fr.res.Warnings, msg)
	fmt.Fprintf(fr.out, "  ! %s\n", msg)
}

// snippet is the start of a body, for messages.
func snippet(b []byte) string {
	const max = 500
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// progress prints a step's line and, for a failure, what was wrong.
func (fr *fileRun) progress(i int, s *scenariofile.Step, r *StepResult) {
	n := fmt.Sprintf("%d/%d", i+1, len(fr.f.Steps))
	switch {
	case r.Skipped != "":
		fmt.Fprintf(fr.out, "  ↷ %-5s %-40s skipped: %s\n", n, clip(r.Name, 40), r.Skipped)
		return
	case r.Error != "":
		fmt.Fprintf(fr.out, "  ! %-5s %-40s error: %s\n", n, clip(r.Name, 40), r.Error)
		return
	case r.Passed():
		fmt.Fprintf(fr.out, "  ✓ %-5s %-40s %-6s %-45s %3s %s\n", n, clip(r.Name, 40), r.Method, clip(r.Path, 45), status(r.Status), dur(r.Duration))
		return
	}
	fmt.Fprintf(fr.out, "  ✗ %-5s %-40s %-6s %-45s %3s %s\n", n, clip(r.Name, 40), r.Method, clip(r.Path, 45), status(r.Status), dur(r.Duration))
	fmt.Fprintf(fr.out, "      at %s\n", r.Pos)
	for _, f := range r.Failures {
		fmt.Fprintf(fr.out, "      %s\n", f)
	}
	for _, c := range r.Contract {
		fmt.Fprintf(fr.out, "      contract: %s\n", strings.ReplaceAll(c, "\n", "\n        "))
	}
	if r.Note != "" {
		fmt.Fprintf(fr.out, "      note: %s\n", r.Note)
	}
	if r.Response != "" {
		fmt.Fprintf(fr.out, "      answer: %s\n", r.Response)
	}
}

func status(s int) string {
	if s == 0 {
		return "---"
	}
	return fmt.Sprint(s)
}

func dur(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (rn *runner) summary(results []*FileResult) {
	steps, failed, skipped, errored := 0, 0, 0, 0
	for _, r := range results {
		f, s, e := r.Counts()
		steps, failed, skipped, errored = steps+len(r.Steps), failed+f, skipped+s, errored+e
	}
	verdict := "PASS"
	switch {
	case errored > 0:
		verdict = "ERROR"
	case failed > 0:
		verdict = "FAIL"
	}
	fmt.Fprintf(rn.out, "%s: %d files, %d steps, %d passed, %d failed, %d skipped, %d errors\n", verdict, len(results), steps, steps-failed-skipped-errored, failed, skipped, errored)
}

// fileLine prints a file's result line.
func (fr *fileRun) fileLine() {
	failed, skipped, errored := fr.res.Counts()
	mark := "✓"
	switch {
	case errored > 0:
		mark = "!"
	case failed > 0:
		mark = "✗"
	}
	fmt.Fprintf(fr.out, "%s %s: %d steps, %d failed, %d skipped, %d errors (%s)\n\n", mark, fr.f.Name, len(fr.res.Steps), failed, skipped, errored, fr.res.Duration.Round(time.Millisecond))
}
